-- Benchmark data on top of the demo: 60 organisations (the demo's two and 58
-- more), 10 units each, 3,000 account owners, 100,000 accounts with startup
-- forms and archive records. Run by bench/run.sh; bench/growth.sh passes
-- another number of accounts with `psql -v accounts=N`.
\set ON_ERROR_STOP on
\if :{?accounts}
\else
\set accounts 100000
\endif
begin;
insert into organisations (name, kind, decision_holder)
select 'Förvaltning ' || g, 'forvaltning', 'förvaltningsdirektören' from generate_series(3, 60) g;
insert into units (organisation_id, name)
select o.organisation_id, 'Enhet ' || u from organisations o, generate_series(1, 10) u
where o.name like 'Förvaltning %';
insert into users (email, name, password_hash)
select 'agare' || g || '@bench.example.se', 'Ägare ' || g, 'x' from generate_series(1, 3000) g;
insert into role_assignments (user_id, role, organisation_id)
select u.user_id, 'account_owner', (select organisation_id from organisations order by organisation_id offset (u.user_id % 60) limit 1)
from users u where u.email like '%@bench.example.se';
-- The accounts, spread over every unit; the owner is one of the bench owners.
insert into accounts (organisation_id, unit_id, platform_id, name, url, state, purpose, goals, target_groups,
                      owner_user_id, start_date, missing_form, profile_picture_done, basic_info_done)
select un.organisation_id, un.unit_id, 1 + (g % 13),
       'Konto ' || g, 'https://www.example.com/konto' || g,
       (array['active', 'active', 'active', 'active', 'approved', 'closing', 'closed']::account_state[])[1 + g % 7],
       'Syfte ' || g, 'Mål', 'Invånare',
       (select min(user_id) from users where email like '%@bench.example.se') + (g % 3000),
       date '2020-01-01' + (g % 2000), g % 10 = 0, true, true
from generate_series(1, :accounts) g
join (select unit_id, organisation_id, row_number() over (order by unit_id) - 1 as n from units) un
  on un.n = g % (select count(*) from units);
-- Their normalised address keys and history, as accounts::address writes them
-- (another site: "web:" host and path), so the server does not key them at start.
update accounts set url_key = 'web:' || substring(url from '^https://www\.(.*)$')
where name like 'Konto %';
insert into account_addresses (account_id, url_key, url)
select account_id, url_key, 'https://' || substring(url_key from 5) from accounts
where name like 'Konto %' and url_key is not null;
-- A startup form per account (approved), with a case number.
insert into forms (kind, state, organisation_id, unit_id, owner_user_id, account_id, case_number, content, submitted_at)
select 'new_account', 'approved', a.organisation_id, a.unit_id, a.owner_user_id, a.account_id,
       'SM-2025-' || lpad(a.account_id::text, 7, '0'), jsonb_build_object('account_name', a.name), now()
from accounts a where a.name like 'Konto %';
-- Archive records for last year for 80 % of the active accounts.
insert into archive_records (account_id, kind, year, archived_on, recorded_by, method)
select a.account_id, 'yearly', extract(year from now())::int - 1, make_date(extract(year from now())::int - 1, 12, 5),
       a.owner_user_id, 'Export'
from accounts a where a.name like 'Konto %' and a.state in ('active', 'closing') and a.account_id % 5 <> 0;
-- This year's SLK report submitted (version 1) by every bench organisation: its
-- rows as `reports::rows::ReportRow` JSON, in the report's order, for the
-- city-wide compilation.
insert into slk_report_versions (organisation_id, organisation_name, year, version, submitted_by,
                                 submitted_by_name, account_count, rows)
select o.organisation_id, o.name, extract(year from now())::int, 1, s.user_id, s.name,
       (select count(*) from accounts a where a.organisation_id = o.organisation_id and a.state <> 'approved'),
       coalesce((select jsonb_agg(jsonb_build_object(
                   'account_id', a.account_id, 'organisation', o.name, 'unit', un.name, 'platform', p.name,
                   'name', a.name, 'url', a.url,
                   'state', case a.state when 'active' then 'Aktivt' when 'closing' then 'Avslutas' else 'Avslutat' end,
                   'start_date', a.start_date::text, 'closed_date', a.closed_date::text,
                   'owner_name', ow.name, 'owner_email', ow.email, 'deputy', '',
                   'purpose', a.purpose, 'target_groups', a.target_groups,
                   'case_number', 'SM-2025-' || lpad(a.account_id::text, 7, '0'),
                   'archived_on', null, 'last_confirmed_on', null, 'followers', a.account_id % 5000,
                   'missing_form', a.missing_form, 'open_personal_data_incident', false, 'unconfirmed', false)
                 order by un.name, p.name, lower(a.name), a.account_id)
                 from accounts a join units un on un.unit_id = a.unit_id
                 join platforms p on p.platform_id = a.platform_id
                 join users ow on ow.user_id = a.owner_user_id
                 where a.organisation_id = o.organisation_id and a.state <> 'approved'), '[]'::jsonb)
from organisations o
cross join (select user_id, name from users where email = 'slk@example.se') s
where o.name like 'Förvaltning %';
commit;
analyze;
