-- Import of the account list an organisation already keeps (SPEC §5).

-- One uploaded file: its parsed cells, kept until it is committed or expires,
-- so the confirmation works on any app server without a second upload.
create table import_batches (
    batch_id bigint generated always as identity primary key,
    organisation_id bigint not null references organisations,
    created_by bigint not null references users,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null default now() + interval '1 day',
    file_name text not null,
    -- SHA-256 of the file, hex.
    file_hash text not null,
    -- The header row: its row number in the spreadsheet and its cells.
    header_row integer not null,
    headers jsonb not null,
    -- Per column, the field it fills (a code of import::columns::Field) or null when ignored.
    mapping jsonb not null,
    -- Whether the user has seen and accepted the mapping of unknown headers.
    mapping_confirmed boolean not null default false,
    -- [{"n": row number, "cells": ["…", …]}]; emptied when an unused batch expires.
    rows jsonb not null,
    committed_at timestamptz,
    committed_by bigint references users,
    -- What the commit did: {"created": […], "updated": […], "skipped": […], "unmatched_owners": […]}.
    result jsonb
);
create index import_batches_org on import_batches (organisation_id, created_at desc);

-- An owner or deputy from an imported list who is not a user (yet): kept as
-- the list wrote them, so that the administrator can add them.
alter table accounts
    add column owner_text text not null default '',
    add column deputy_text text not null default '';
