-- E-mail notifications: an outbox written in the same transaction as the
-- event it tells about, and sent by a worker in the server.

create type mail_state as enum ('queued', 'sent', 'failed');

create table outbox (
    mail_id bigint generated always as identity primary key,
    created_at timestamptz not null default now(),
    -- What it is about, e.g. 'form_submit' (for the administrator's filter).
    kind text not null,
    -- A reminder's key per thing and period ('archiving_due:42:2026'): sent once.
    dedup_key text unique,
    to_user_id bigint references users,
    to_address text not null,
    subject text not null,
    -- Paragraphs of plain text, separated by blank lines.
    body text not null,
    -- The page where the thing is done: its label and its path (the public
    -- base address is put in front when the mail is sent).
    link_label text not null,
    link_path text not null,
    state mail_state not null default 'queued',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    sent_at timestamptz
);
create index outbox_due on outbox (next_attempt_at) where state = 'queued';
create index outbox_created on outbox (created_at desc);
