-- The session table the session store creates at start-up, created here as
-- well so that the statement that reads a session with the users' version is
-- checked at compile time like every other (the store's `migrate` then finds
-- it and leaves it as it is).
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session (
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);

-- The users' version: one row, bumped in the same transaction as every change
-- of what a logged-in user is loaded with (e-mail, name, password, the
-- session generation, active, the role assignments). Each server caches the
-- users it has loaded under the version it read with the session, in the same
-- statement; a request that reads a newer version loads the user again. So a
-- deactivation, a new password or a removed role holds on the next request on
-- every server, with no message between them to be lost.
create table auth_version (
    one boolean primary key default true check (one),
    version bigint not null
);
insert into auth_version (version) values (0);

create function bump_auth_version() returns trigger language plpgsql as $$
begin
    update auth_version set version = version + 1;
    return null;
end $$;

create trigger users_auth_version after update on users for each row
    when ((old.email, old.name, old.password_hash, old.must_change_password, old.session_generation, old.active)
          is distinct from
          (new.email, new.name, new.password_hash, new.must_change_password, new.session_generation, new.active))
    execute function bump_auth_version();
create trigger users_deleted_auth_version after delete on users
    for each statement execute function bump_auth_version();
create trigger role_assignments_auth_version after insert or update or delete on role_assignments
    for each statement execute function bump_auth_version();
