-- The account's life after approval: start checklist, archiving, closure,
-- incidents, history; and people: training and acknowledged documents.

alter table accounts
    add column profile_picture_done boolean not null default false,
    add column basic_info_done boolean not null default false,
    -- Who holds the login credentials (the product never stores passwords).
    add column credentials_holder_user_id bigint references users,
    add column credentials_confirmed_at timestamptz,
    add column announcement_start date,
    add column announcement_end date,
    add column announced_at timestamptz,
    add column announced_by bigint references users;

create index accounts_name_trgm on accounts (lower(name) text_pattern_ops);
create index accounts_url on accounts (lower(url) text_pattern_ops);
create index accounts_missing_form on accounts (organisation_id) where missing_form;

-- Every change to an account, who and when.
create table account_events (
    event_id bigint generated always as identity primary key,
    account_id bigint not null references accounts,
    at timestamptz not null default now(),
    actor_user_id bigint references users,
    action text not null,
    comment text not null default '',
    details jsonb
);
create index account_events_account on account_events (account_id, event_id);

create type archive_kind as enum ('yearly', 'before_closing', 'visual_change');

create table archive_records (
    archive_id bigint generated always as identity primary key,
    account_id bigint not null references accounts,
    kind archive_kind not null,
    year integer not null,
    archived_on date not null,
    recorded_by bigint not null references users,
    method text not null,
    storage_ref text not null default '',
    note text not null default '',
    created_at timestamptz not null default now()
);
create unique index archive_records_yearly on archive_records (account_id, year) where kind = 'yearly';
create index archive_records_year on archive_records (year, account_id);

create type closure_state as enum ('requested', 'approved', 'denied');

create table closure_requests (
    closure_id bigint generated always as identity primary key,
    account_id bigint not null references accounts,
    state closure_state not null default 'requested',
    requested_by bigint not null references users,
    requested_at timestamptz not null default now(),
    reason text not null,
    decided_by bigint references users,
    decided_at timestamptz,
    decision_reason text,
    announcement_days integer
);
create index closure_requests_account on closure_requests (account_id);
create unique index closure_requests_one_open on closure_requests (account_id) where state = 'requested';

create type incident_kind as enum (
    'sensitive_personal_data', 'confidential_information', 'offensive_content',
    'account_compromised', 'impersonation', 'other'
);

create table incidents (
    incident_id bigint generated always as identity primary key,
    account_id bigint not null references accounts,
    kind incident_kind not null,
    occurred_at timestamptz not null,
    discovered_at timestamptz not null,
    description text not null,
    personal_data boolean not null,
    reported_by bigint not null references users,
    reported_at timestamptz not null default now(),
    dpo_informed_at timestamptz,
    imy_notified_on date,
    imy_reference text,
    no_notification_reason text,
    closed_at timestamptz,
    closed_by bigint references users,
    closing_note text
);
create index incidents_account on incidents (account_id);
create index incidents_open on incidents (account_id) where closed_at is null;

create table training_records (
    training_id bigint generated always as identity primary key,
    user_id bigint not null references users,
    course text not null,
    completed_on date not null,
    recorded_by bigint not null references users,
    created_at timestamptz not null default now()
);
create index training_records_user on training_records (user_id);

create type document_kind as enum ('policy', 'handbook', 'routine');

-- Versions of the documents everyone must acknowledge; the newest per kind counts.
create table documents (
    document_id bigint generated always as identity primary key,
    kind document_kind not null,
    version text not null,
    title text not null,
    published_at timestamptz not null default now(),
    published_by bigint references users,
    unique (kind, version)
);

create table acknowledgements (
    user_id bigint not null references users,
    document_id bigint not null references documents,
    acknowledged_at timestamptz not null default now(),
    primary key (user_id, document_id)
);

insert into documents (kind, version, title) values
    ('policy', '2023', 'Stockholms stads policy för sociala medier'),
    ('handbook', '2023', 'Handledning i sociala medier'),
    ('routine', '2024', 'Lokal rutin för sociala medier');
