-- Foundation: organisations, units, users, role assignments, audit log.
-- Nothing users create is ever hard-deleted: rows are deactivated instead.

create type organisation_kind as enum ('forvaltning', 'bolag');

create type role_code as enum (
    'account_owner', 'manager', 'communicator', 'strategist',
    'archivist', 'city_office', 'admin'
);

create table organisations (
    organisation_id bigint generated always as identity primary key,
    name text not null,
    kind organisation_kind not null,
    -- Who holds the decision right over accounts, e.g. "stadsdelsdirektören".
    decision_holder text not null,
    -- The role the decision right is delegated to (normally the strategist).
    delegated_role role_code not null default 'strategist',
    closure_announcement_days integer not null default 30
        check (closure_announcement_days between 1 and 365),
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index organisations_name_key on organisations (lower(name));

create table units (
    unit_id bigint generated always as identity primary key,
    organisation_id bigint not null references organisations,
    name text not null,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index units_name_key on units (organisation_id, lower(name));

create table users (
    user_id bigint generated always as identity primary key,
    email text not null,
    name text not null,
    phone text not null default '',
    title text not null default '',
    password_hash text not null,
    must_change_password boolean not null default false,
    active boolean not null default true,
    -- Account lockout lives in the database so that it holds across servers.
    failed_login_count integer not null default 0,
    failed_login_window_start timestamptz,
    locked_until timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

-- A role held by a user, scoped to an organisation (most roles), a unit
-- (manager) or the whole installation (city_office, admin).
create table role_assignments (
    role_assignment_id bigint generated always as identity primary key,
    user_id bigint not null references users,
    role role_code not null,
    organisation_id bigint references organisations,
    unit_id bigint references units,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    constraint role_scope check (
        case role
            when 'manager' then unit_id is not null and organisation_id is not null
            when 'city_office' then organisation_id is null and unit_id is null
            when 'admin' then organisation_id is null and unit_id is null
            else organisation_id is not null and unit_id is null
        end
    )
);
create unique index role_assignments_unique_active
    on role_assignments (user_id, role, coalesce(organisation_id, 0), coalesce(unit_id, 0))
    where active;
create index role_assignments_user on role_assignments (user_id) where active;
create index role_assignments_unit on role_assignments (unit_id) where active;

-- Append-only audit log: written in the same transaction as every state change.
create table audit_log (
    audit_id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    actor_user_id bigint references users,
    action text not null,
    entity_type text not null,
    entity_id bigint,
    before jsonb,
    after jsonb,
    client_addr text
);
create index audit_log_at on audit_log (at desc);
create index audit_log_entity on audit_log (entity_type, entity_id);
create index audit_log_actor on audit_log (actor_user_id);

create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end;
$$;

create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_refuse_change();

-- Fixed-window throttle of login attempts per client address, shared by all servers.
create table login_throttle (
    client_addr text primary key,
    window_start timestamptz not null,
    attempts integer not null
);
