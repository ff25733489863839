-- Failed logins are counted per account *and* client address, and only that
-- pair is locked: an attacker elsewhere cannot lock the real user out, and a
-- lock looks exactly like a wrong password. The per-address throttle stays.
create table login_failures (
    user_id bigint not null references users,
    client_addr text not null,
    window_start timestamptz not null,
    failures integer not null,
    locked_until timestamptz,
    primary key (user_id, client_addr)
);

alter table users
    drop column failed_login_count,
    drop column failed_login_window_start,
    drop column locked_until;
