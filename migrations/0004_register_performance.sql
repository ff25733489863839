-- The register at 100,000 accounts: indexes that serve its order and filters,
-- trigram indexes for search, and exact per-(organisation, unit, state) counts
-- kept by a trigger, so the total of an unfiltered or lightly filtered register
-- does not scan the table on every request.

create extension if not exists pg_trgm;

drop index if exists accounts_name_trgm;
drop index if exists accounts_url;
create index accounts_name_order on accounts (lower(name), account_id);
create index accounts_org_name on accounts (organisation_id, lower(name), account_id);
create index accounts_unit_name on accounts (unit_id, lower(name), account_id);
create index accounts_name_search on accounts using gin (lower(name) gin_trgm_ops);
create index accounts_url_search on accounts using gin (lower(url) gin_trgm_ops);
create index forms_account on forms (account_id);
create index archive_records_account on archive_records (account_id);

create table account_counts (
    organisation_id bigint not null,
    unit_id bigint not null,
    state account_state not null,
    missing_form boolean not null,
    n bigint not null,
    primary key (organisation_id, unit_id, state, missing_form)
);

insert into account_counts (organisation_id, unit_id, state, missing_form, n)
select organisation_id, unit_id, state, missing_form, count(*)
from accounts group by 1, 2, 3, 4;

create function account_counts_track() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update account_counts set n = n - 1
        where organisation_id = old.organisation_id and unit_id = old.unit_id
          and state = old.state and missing_form = old.missing_form;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into account_counts (organisation_id, unit_id, state, missing_form, n)
        values (new.organisation_id, new.unit_id, new.state, new.missing_form, 1)
        on conflict (organisation_id, unit_id, state, missing_form) do update set n = account_counts.n + 1;
    end if;
    return null;
end;
$$;

create trigger accounts_count_insert_delete after insert or delete on accounts
    for each row execute function account_counts_track();
create trigger accounts_count_update after update of organisation_id, unit_id, state, missing_form on accounts
    for each row
    when (old.organisation_id is distinct from new.organisation_id or old.unit_id is distinct from new.unit_id
          or old.state is distinct from new.state or old.missing_form is distinct from new.missing_form)
    execute function account_counts_track();
