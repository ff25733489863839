-- The yearly review (SPEC §4): the communicator opens it for a year, and every
-- owner of an active account confirms the account's data (still in use,
-- purpose, target groups, followers, publishing frequency).

-- How often the account publishes: a code of `forms::content::FREQUENCIES`.
alter table accounts add column publishing_frequency text not null default '';

create table yearly_reviews (
    review_id bigint generated always as identity primary key,
    organisation_id bigint not null references organisations,
    year integer not null check (year between 2000 and 2200),
    started_by bigint not null references users,
    started_at timestamptz not null default now(),
    closed_by bigint references users,
    closed_at timestamptz,
    constraint yearly_reviews_year_key unique (organisation_id, year)
);
-- One review at a time per organisation.
create unique index yearly_reviews_one_open on yearly_reviews (organisation_id) where closed_at is null;

-- An owner's answer for one account in one review; a new answer replaces the
-- row, and every answer is also in the account's history and the audit log.
create table account_confirmations (
    review_id bigint not null references yearly_reviews,
    account_id bigint not null references accounts,
    still_in_use boolean not null,
    confirmed_by bigint not null references users,
    confirmed_at timestamptz not null default now(),
    primary key (review_id, account_id)
);
create index account_confirmations_account on account_confirmations (account_id);

-- Accounts approved before this migration: the frequency their startup form gave.
update accounts a set publishing_frequency = f.content ->> 'frequency'
from (select distinct on (account_id) account_id, content from forms
      where state = 'approved' and account_id is not null
      order by account_id, decided_at desc nulls last, form_id desc) f
where f.account_id = a.account_id and coalesce(f.content ->> 'frequency', '') <> '';
