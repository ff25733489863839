-- The yearly SLK report: what each organisation submitted to the City Executive
-- Office. A submitted version stores its rows as they were (not a query), so it
-- downloads the same years later; like the audit log it can never be changed.

-- Set by the yearly review's confirmation; shown in the register and the report.
alter table accounts
    add column last_confirmed_on date,
    add column followers integer check (followers >= 0);

create table slk_report_versions (
    report_version_id bigint generated always as identity primary key,
    organisation_id bigint not null references organisations,
    -- As it was called when submitted.
    organisation_name text not null,
    year integer not null check (year between 2000 and 2200),
    version integer not null check (version >= 1),
    submitted_by bigint not null references users,
    submitted_by_name text not null,
    submitted_at timestamptz not null default now(),
    comment text not null default '',
    account_count integer not null,
    -- The report's rows, in order, as `reports::rows::ReportRow` JSON.
    rows jsonb not null,
    constraint slk_report_versions_number_key unique (organisation_id, year, version)
);
create index slk_report_versions_year on slk_report_versions (year, organisation_id, version desc);

create function slk_report_versions_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'a submitted SLK report version cannot be changed';
end;
$$;

create trigger slk_report_versions_no_update before update or delete on slk_report_versions
    for each row execute function slk_report_versions_refuse_change();
create trigger slk_report_versions_no_truncate before truncate on slk_report_versions
    for each statement execute function slk_report_versions_refuse_change();
