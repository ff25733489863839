-- The startup form (uppstartsblankett), its workflow history and signatures,
-- platforms, and the account register entries an approval creates.

create table platforms (
    platform_id bigint generated always as identity primary key,
    name text not null,
    sort_order integer not null default 100,
    active boolean not null default true,
    created_at timestamptz not null default now()
);
create unique index platforms_name_key on platforms (lower(name));
insert into platforms (name, sort_order) values
    ('Facebook', 10), ('Instagram', 20), ('LinkedIn', 30), ('X', 40), ('YouTube', 50),
    ('TikTok', 60), ('Threads', 70), ('Bluesky', 80), ('Mastodon', 90), ('Snapchat', 100),
    ('Flickr', 110), ('Vimeo', 120), ('Pinterest', 130), ('Annan', 1000);

create type account_state as enum ('approved', 'active', 'closing', 'closed');

create table accounts (
    account_id bigint generated always as identity primary key,
    organisation_id bigint not null references organisations,
    unit_id bigint not null references units,
    platform_id bigint not null references platforms,
    name text not null,
    url text not null default '',
    state account_state not null default 'approved',
    purpose text not null default '',
    goals text not null default '',
    target_groups text not null default '',
    owner_user_id bigint references users,
    deputy_user_id bigint references users,
    -- Other editors: [{"name": …, "email": …}]
    editors jsonb not null default '[]',
    controller text not null default '',
    -- Imported or registered without a startup form (the routine requires one).
    missing_form boolean not null default false,
    start_date date,
    closed_date date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index accounts_org_state on accounts (organisation_id, state);
create index accounts_unit on accounts (unit_id);
create index accounts_owner on accounts (owner_user_id);
create index accounts_deputy on accounts (deputy_user_id);

create type form_kind as enum ('new_account', 'existing_account');
create type form_state as enum (
    'draft', 'awaiting_manager', 'in_review', 'meeting_booked', 'approved', 'rejected', 'withdrawn'
);

create table forms (
    form_id bigint generated always as identity primary key,
    kind form_kind not null,
    state form_state not null default 'draft',
    organisation_id bigint not null references organisations,
    unit_id bigint references units,
    owner_user_id bigint not null references users,
    -- The register entry: chosen for the existing-account kind, created on approval otherwise.
    account_id bigint references accounts,
    case_number text,
    -- Everything the owner typed, as typed (drafts may be incomplete).
    content jsonb not null,
    submitted_at timestamptz,
    meeting_at timestamptz,
    meeting_place text,
    meeting_participants text,
    decided_by bigint references users,
    decided_at timestamptz,
    decision_text text,
    decision_reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index forms_case_number_key on forms (organisation_id, case_number);
create index forms_owner on forms (owner_user_id, state);
create index forms_org_state on forms (organisation_id, state);
create index forms_unit_state on forms (unit_id, state);

-- Per organisation and year, the last case number handed out.
create table case_counters (
    organisation_id bigint not null references organisations,
    year integer not null,
    last integer not null,
    primary key (organisation_id, year)
);

-- The manager's signature covers the exact content signed, which is kept.
create table form_signatures (
    signature_id bigint generated always as identity primary key,
    form_id bigint not null references forms,
    signer_user_id bigint not null references users,
    signed_at timestamptz not null default now(),
    content jsonb not null,
    -- False once the form is edited after signing; the signed version stays.
    valid boolean not null default true
);
create index form_signatures_form on form_signatures (form_id);

-- The form's history: every transition and comment.
create table form_events (
    event_id bigint generated always as identity primary key,
    form_id bigint not null references forms,
    at timestamptz not null default now(),
    actor_user_id bigint not null references users,
    actor_role text not null,
    action text not null,
    from_state form_state,
    to_state form_state,
    comment text not null default ''
);
create index form_events_form on form_events (form_id, event_id);
