-- A user may take one summary mail a week (Monday 07:00, Stockholm time)
-- instead of a mail for each event.
alter table users add column mail_weekly boolean not null default false;

-- A mail for a user who takes the weekly summary waits for it; the summary
-- that told about it is recorded on it.
alter table outbox
    add column digest boolean not null default false,
    add column summary_mail_id bigint references outbox;
create index outbox_digest on outbox (to_user_id) where digest and state = 'queued';
