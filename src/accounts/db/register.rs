//! SQL of the register: one page of accounts in scope with its filters, order
//! and total.

use sqlx::PgConnection;
use time::Date;

use super::Scope;
use crate::accounts::rules::AccountState;

/// Register filters, as parsed from the query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub q: String,
    pub organisation: Option<i64>,
    pub unit: Option<i64>,
    pub platform: Option<i64>,
    pub state: Option<AccountState>,
    pub missing_form: bool,
    pub not_archived: bool,
    pub year: i32,
    pub sort: String,
    pub limit: i64,
    pub offset: i64,
}

impl Filters {
    /// The register as it opens: no filter, in the default order (name).
    pub(crate) fn is_plain(&self) -> bool {
        self.q.is_empty()
            && self.organisation.is_none()
            && self.unit.is_none()
            && self.platform.is_none()
            && self.state.is_none()
            && !self.missing_form
            && !self.not_archived
            && (self.sort.is_empty() || self.sort == "namn")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RegisterRow {
    pub account_id: i64,
    pub name: String,
    pub url: String,
    pub state: AccountState,
    pub platform: String,
    pub organisation: String,
    pub unit: String,
    pub owner: Option<String>,
    pub missing_form: bool,
    pub archived_this_year: bool,
    pub last_confirmed_on: Option<Date>,
}

/// One page of the register: scope, filters, order, limit and offset in one query.
pub(crate) async fn register_page(
    conn: &mut PgConnection,
    s: &Scope,
    f: &Filters,
) -> sqlx::Result<Vec<RegisterRow>> {
    sqlx::query_as!(
        RegisterRow,
        r#"select a.account_id, a.name, a.url, a.state as "state: AccountState", p.name as platform,
                  o.name as organisation, un.name as unit, ow.name as "owner?", a.missing_form,
                  exists (select 1 from archive_records ar where ar.account_id = a.account_id
                          and ar.kind = 'yearly' and ar.year = $11) as "archived_this_year!",
                  a.last_confirmed_on
           from accounts a
           join platforms p on p.platform_id = a.platform_id
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           left join users ow on ow.user_id = a.owner_user_id
           where ($1 or a.organisation_id = any($2) or a.unit_id = any($3)
                  or a.owner_user_id = $4 or a.deputy_user_id = $4)
             and ($5 = '' or lower(a.name) like '%' || lower($5) || '%' or lower(a.url) like '%' || lower($5) || '%'
                  or exists (select 1 from forms cf where cf.account_id = a.account_id and upper(cf.case_number) = upper(trim($5)))
                  or lower(ow.name) like '%' || lower($5) || '%' or lower(ow.email) like '%' || lower($5) || '%')
             and ($6::bigint is null or a.organisation_id = $6)
             and ($7::bigint is null or a.unit_id = $7)
             and ($8::bigint is null or a.platform_id = $8)
             and ($9::account_state is null or a.state = $9)
             and (not $10 or a.missing_form)
             and (not $12 or (a.state in ('active', 'closing') and not exists (
                    select 1 from archive_records ar where ar.account_id = a.account_id
                    and ar.kind = 'yearly' and ar.year = $11)))
           order by case when $13 = 'plattform' then p.name end,
                    case when $13 = 'enhet' then o.name end, case when $13 = 'enhet' then un.name end,
                    case when $13 = 'status' then a.state end,
                    case when $13 = 'start' then a.start_date end desc nulls last,
                    lower(a.name), a.account_id
           limit $14 offset $15"#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id,
        crate::web::like_escape(&f.q),
        f.organisation,
        f.unit,
        f.platform,
        f.state as Option<AccountState>,
        f.missing_form,
        f.year,
        f.not_archived,
        f.sort,
        f.limit,
        f.offset
    )
    .fetch_all(conn)
    .await
}

/// The ids of one page in the default order (name), from `accounts` alone, so
/// paging deep into the list stays cheap. The whole city walks the name index;
/// a narrower scope first gathers its accounts by the organisation, unit and
/// owner indexes, then sorts only those.
pub(crate) async fn page_ids_by_name(
    conn: &mut PgConnection,
    s: &Scope,
    f: &Filters,
) -> sqlx::Result<Vec<i64>> {
    if s.city {
        return sqlx::query_scalar!(
            r#"select a.account_id from accounts a
               where ($1 = '' or lower(a.name) like '%' || lower($1) || '%' or lower(a.url) like '%' || lower($1) || '%'
                  or exists (select 1 from forms cf where cf.account_id = a.account_id and upper(cf.case_number) = upper(trim($1)))
                      or exists (select 1 from users ow where ow.user_id = a.owner_user_id
                                 and (lower(ow.name) like '%' || lower($1) || '%' or lower(ow.email) like '%' || lower($1) || '%')))
                 and ($2::bigint is null or a.organisation_id = $2)
                 and ($3::bigint is null or a.unit_id = $3)
                 and ($4::bigint is null or a.platform_id = $4)
                 and ($5::account_state is null or a.state = $5)
                 and (not $6 or a.missing_form)
                 and (not $8 or (a.state in ('active', 'closing') and not exists (
                        select 1 from archive_records ar where ar.account_id = a.account_id
                        and ar.kind = 'yearly' and ar.year = $7)))
               order by lower(a.name), a.account_id
               limit $9 offset $10"#,
            crate::web::like_escape(&f.q),
            f.organisation,
            f.unit,
            f.platform,
            f.state as Option<AccountState>,
            f.missing_form,
            f.year,
            f.not_archived,
            f.limit,
            f.offset
        )
        .fetch_all(conn)
        .await;
    }
    sqlx::query_scalar!(
        r#"with scoped as materialized (
               select account_id from accounts where organisation_id = any($1)
               union select account_id from accounts where unit_id = any($2)
               union select account_id from accounts where owner_user_id = $3
               union select account_id from accounts where deputy_user_id = $3)
           select a.account_id from scoped join accounts a using (account_id)
           where ($4 = '' or lower(a.name) like '%' || lower($4) || '%' or lower(a.url) like '%' || lower($4) || '%'
                  or exists (select 1 from forms cf where cf.account_id = a.account_id and upper(cf.case_number) = upper(trim($4)))
                  or exists (select 1 from users ow where ow.user_id = a.owner_user_id
                             and (lower(ow.name) like '%' || lower($4) || '%' or lower(ow.email) like '%' || lower($4) || '%')))
             and ($5::bigint is null or a.organisation_id = $5)
             and ($6::bigint is null or a.unit_id = $6)
             and ($7::bigint is null or a.platform_id = $7)
             and ($8::account_state is null or a.state = $8)
             and (not $9 or a.missing_form)
             and (not $11 or (a.state in ('active', 'closing') and not exists (
                    select 1 from archive_records ar where ar.account_id = a.account_id
                    and ar.kind = 'yearly' and ar.year = $10)))
           order by lower(a.name), a.account_id
           limit $12 offset $13"#,
        &s.orgs,
        &s.units,
        s.user_id,
        crate::web::like_escape(&f.q),
        f.organisation,
        f.unit,
        f.platform,
        f.state as Option<AccountState>,
        f.missing_form,
        f.year,
        f.not_archived,
        f.limit,
        f.offset
    )
    .fetch_all(conn)
    .await
}

/// The ids of one page of the register as it opens (`Filters::is_plain`):
/// one statement per shape of scope, with no filter predicates, so that the
/// plan PostgreSQL caches for it does not depend on the values and is not
/// planned again on every request (the filtered statements are, see
/// `plan_for_actual_values`). The city walks the name index; a narrower scope
/// walks the (organisation, name) and (unit, name) indexes of each of its
/// organisations and units for the first `offset + limit` names, adds the
/// user's own accounts, and takes the page from those.
pub(crate) async fn plain_page_ids(
    conn: &mut PgConnection,
    s: &Scope,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<i64>> {
    if s.city {
        return sqlx::query_scalar!(
            "select account_id from accounts order by lower(name), account_id limit $1 offset $2",
            limit,
            offset
        )
        .fetch_all(conn)
        .await;
    }
    sqlx::query_scalar!(
        r#"select account_id as "account_id!" from (
               select x.account_id, x.k from unnest($1::bigint[]) o(id) cross join lateral (
                   select account_id, lower(name) as k from accounts where organisation_id = o.id
                   order by lower(name), account_id limit $4::bigint + $5::bigint) x
               union
               select x.account_id, x.k from unnest($2::bigint[]) u(id) cross join lateral (
                   select account_id, lower(name) as k from accounts where unit_id = u.id
                   order by lower(name), account_id limit $4::bigint + $5::bigint) x
               union
               select account_id, lower(name) from accounts where owner_user_id = $3 or deputy_user_id = $3
           ) page
           order by k, account_id
           limit $4 offset $5"#,
        &s.orgs,
        &s.units,
        s.user_id,
        limit,
        offset
    )
    .fetch_all(conn)
    .await
}

/// Where a page of the register as it opens starts: after the account
/// `Next(id)` (the last of the page before) or before `Prev(id)` (the first of
/// the page after), in name order. A link with a cursor shows the same page
/// however deep it is, and costs what page 1 costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cursor {
    Next(i64),
    Prev(i64),
}

/// The ids of the page of the register as it opens from `cursor`, in name
/// order: the same scopes and indexes as `plain_page_ids`, from the cursor's
/// (name, id) instead of over an offset. One statement per scope shape and
/// direction, so that each index is walked in its own order.
pub(crate) async fn plain_page_ids_from(
    conn: &mut PgConnection,
    s: &Scope,
    cursor: Cursor,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    match (s.city, cursor) {
        (true, Cursor::Next(id)) => {
            sqlx::query_scalar!(
                r#"select a.account_id from accounts a
                   where (lower(a.name), a.account_id) > (select lower(name), account_id from accounts where account_id = $1)
                   order by lower(a.name), a.account_id limit $2"#,
                id,
                limit
            )
            .fetch_all(conn)
            .await
        }
        (true, Cursor::Prev(id)) => {
            let mut ids = sqlx::query_scalar!(
                r#"select a.account_id from accounts a
                   where (lower(a.name), a.account_id) < (select lower(name), account_id from accounts where account_id = $1)
                   order by lower(a.name) desc, a.account_id desc limit $2"#,
                id,
                limit
            )
            .fetch_all(conn)
            .await?;
            ids.reverse();
            Ok(ids)
        }
        (false, Cursor::Next(id)) => {
            sqlx::query_scalar!(
                r#"with c as (select lower(name) as k, account_id from accounts where account_id = $4)
                   select account_id as "account_id!" from (
                       select x.account_id, x.k from unnest($1::bigint[]) o(id) cross join lateral (
                           select a.account_id, lower(a.name) as k from accounts a
                           where a.organisation_id = o.id and (lower(a.name), a.account_id) > (select k, account_id from c)
                           order by lower(a.name), a.account_id limit $5) x
                       union
                       select x.account_id, x.k from unnest($2::bigint[]) u(id) cross join lateral (
                           select a.account_id, lower(a.name) as k from accounts a
                           where a.unit_id = u.id and (lower(a.name), a.account_id) > (select k, account_id from c)
                           order by lower(a.name), a.account_id limit $5) x
                       union
                       select a.account_id, lower(a.name) from accounts a
                       where (a.owner_user_id = $3 or a.deputy_user_id = $3)
                         and (lower(a.name), a.account_id) > (select k, account_id from c)
                   ) page
                   order by k, account_id limit $5"#,
                &s.orgs,
                &s.units,
                s.user_id,
                id,
                limit
            )
            .fetch_all(conn)
            .await
        }
        (false, Cursor::Prev(id)) => {
            let mut ids = sqlx::query_scalar!(
                r#"with c as (select lower(name) as k, account_id from accounts where account_id = $4)
                   select account_id as "account_id!" from (
                       select x.account_id, x.k from unnest($1::bigint[]) o(id) cross join lateral (
                           select a.account_id, lower(a.name) as k from accounts a
                           where a.organisation_id = o.id and (lower(a.name), a.account_id) < (select k, account_id from c)
                           order by lower(a.name) desc, a.account_id desc limit $5) x
                       union
                       select x.account_id, x.k from unnest($2::bigint[]) u(id) cross join lateral (
                           select a.account_id, lower(a.name) as k from accounts a
                           where a.unit_id = u.id and (lower(a.name), a.account_id) < (select k, account_id from c)
                           order by lower(a.name) desc, a.account_id desc limit $5) x
                       union
                       select a.account_id, lower(a.name) from accounts a
                       where (a.owner_user_id = $3 or a.deputy_user_id = $3)
                         and (lower(a.name), a.account_id) < (select k, account_id from c)
                   ) page
                   order by k desc, account_id desc limit $5"#,
                &s.orgs,
                &s.units,
                s.user_id,
                id,
                limit
            )
            .fetch_all(conn)
            .await?;
            ids.reverse();
            Ok(ids)
        }
    }
}

/// How many accounts the register as it opens has, from the per-(organisation,
/// unit, state) counters, one statement per shape of scope as `plain_page_ids`.
pub(crate) async fn plain_count(conn: &mut PgConnection, s: &Scope) -> sqlx::Result<i64> {
    if s.city {
        return sqlx::query_scalar!(r#"select coalesce(sum(n), 0)::bigint as "n!" from account_counts"#)
            .fetch_one(conn)
            .await;
    }
    sqlx::query_scalar!(
        r#"select (select coalesce(sum(c.n), 0) from account_counts c
                   where c.organisation_id = any($1) or c.unit_id = any($2))::bigint
                + (select count(*) from accounts a
                   where (a.owner_user_id = $3 or a.deputy_user_id = $3)
                     and not (a.organisation_id = any($1) or a.unit_id = any($2))) as "n!""#,
        &s.orgs,
        &s.units,
        s.user_id
    )
    .fetch_one(conn)
    .await
}

/// The register rows of the given accounts, in the given order.
pub(crate) async fn rows_by_ids(
    conn: &mut PgConnection,
    ids: &[i64],
    year: i32,
) -> sqlx::Result<Vec<RegisterRow>> {
    let mut rows = sqlx::query_as!(
        RegisterRow,
        r#"select a.account_id, a.name, a.url, a.state as "state: AccountState", p.name as platform,
                  o.name as organisation, un.name as unit, ow.name as "owner?", a.missing_form,
                  exists (select 1 from archive_records ar where ar.account_id = a.account_id
                          and ar.kind = 'yearly' and ar.year = $2) as "archived_this_year!",
                  a.last_confirmed_on
           from accounts a
           join platforms p on p.platform_id = a.platform_id
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           left join users ow on ow.user_id = a.owner_user_id
           where a.account_id = any($1)"#,
        ids,
        year
    )
    .fetch_all(conn)
    .await?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.account_id));
    Ok(rows)
}

/// How many accounts the same scope and filters match.
pub(crate) async fn register_count(conn: &mut PgConnection, s: &Scope, f: &Filters) -> sqlx::Result<i64> {
    if !s.city {
        // A narrower scope gathers its accounts by their indexes first, as
        // `page_ids_by_name` does: the catch-all "organisation or unit or
        // owner" is a scan of the whole city for a search.
        return sqlx::query_scalar!(
            r#"with scoped as materialized (
                   select account_id from accounts where organisation_id = any($1)
                   union select account_id from accounts where unit_id = any($2)
                   union select account_id from accounts where owner_user_id = $3
                   union select account_id from accounts where deputy_user_id = $3)
               select count(*) as "n!" from scoped join accounts a using (account_id)
               where ($4 = '' or lower(a.name) like '%' || lower($4) || '%' or lower(a.url) like '%' || lower($4) || '%'
                      or exists (select 1 from forms cf where cf.account_id = a.account_id and upper(cf.case_number) = upper(trim($4)))
                      or exists (select 1 from users ow where ow.user_id = a.owner_user_id
                                 and (lower(ow.name) like '%' || lower($4) || '%' or lower(ow.email) like '%' || lower($4) || '%')))
                 and ($5::bigint is null or a.organisation_id = $5)
                 and ($6::bigint is null or a.unit_id = $6)
                 and ($7::bigint is null or a.platform_id = $7)
                 and ($8::account_state is null or a.state = $8)
                 and (not $9 or a.missing_form)
                 and (not $11 or (a.state in ('active', 'closing') and not exists (
                        select 1 from archive_records ar where ar.account_id = a.account_id
                        and ar.kind = 'yearly' and ar.year = $10)))"#,
            &s.orgs,
            &s.units,
            s.user_id,
            crate::web::like_escape(&f.q),
            f.organisation,
            f.unit,
            f.platform,
            f.state as Option<AccountState>,
            f.missing_form,
            f.year,
            f.not_archived
        )
        .fetch_one(conn)
        .await;
    }
    sqlx::query_scalar!(
        r#"select count(*) as "n!"
           from accounts a
           left join users ow on ow.user_id = a.owner_user_id
           where ($1 or a.organisation_id = any($2) or a.unit_id = any($3)
                  or a.owner_user_id = $4 or a.deputy_user_id = $4)
             and ($5 = '' or lower(a.name) like '%' || lower($5) || '%' or lower(a.url) like '%' || lower($5) || '%'
                  or exists (select 1 from forms cf where cf.account_id = a.account_id and upper(cf.case_number) = upper(trim($5)))
                  or lower(ow.name) like '%' || lower($5) || '%' or lower(ow.email) like '%' || lower($5) || '%')
             and ($6::bigint is null or a.organisation_id = $6)
             and ($7::bigint is null or a.unit_id = $7)
             and ($8::bigint is null or a.platform_id = $8)
             and ($9::account_state is null or a.state = $9)
             and (not $10 or a.missing_form)
             and (not $12 or (a.state in ('active', 'closing') and not exists (
                    select 1 from archive_records ar where ar.account_id = a.account_id
                    and ar.kind = 'yearly' and ar.year = $11)))"#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id,
        crate::web::like_escape(&f.q),
        f.organisation,
        f.unit,
        f.platform,
        f.state as Option<AccountState>,
        f.missing_form,
        f.year,
        f.not_archived
    )
    .fetch_one(conn)
    .await
}

/// The same count from the per-(organisation, unit, state) counters, for
/// filters the counters can answer (organisation, unit, state, missing form):
/// the counters of the organisations and units in scope, plus the user's own
/// accounts outside them, counted directly (few, by index).
pub(crate) async fn register_count_from_counters(
    conn: &mut PgConnection,
    s: &Scope,
    f: &Filters,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select (select coalesce(sum(c.n), 0) from account_counts c
                   where ($1 or c.organisation_id = any($2) or c.unit_id = any($3))
                     and ($5::bigint is null or c.organisation_id = $5)
                     and ($6::bigint is null or c.unit_id = $6)
                     and ($7::account_state is null or c.state = $7)
                     and (not $8 or c.missing_form))::bigint
                + (select count(*) from accounts a
                   where (a.owner_user_id = $4 or a.deputy_user_id = $4)
                     and not ($1 or a.organisation_id = any($2) or a.unit_id = any($3))
                     and ($5::bigint is null or a.organisation_id = $5)
                     and ($6::bigint is null or a.unit_id = $6)
                     and ($7::account_state is null or a.state = $7)
                     and (not $8 or a.missing_form)) as "n!""#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id,
        f.organisation,
        f.unit,
        f.state as Option<AccountState>,
        f.missing_form
    )
    .fetch_one(conn)
    .await
}

/// Plan the register's queries for the actual scope and filters (a generic
/// plan cannot use the indexes behind "city or organisation or unit or owner").
pub(crate) async fn plan_for_actual_values(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("set local plan_cache_mode = force_custom_plan").execute(conn).await?;
    Ok(())
}

/// Back to normal plan caching for simple queries after the register's own.
pub(crate) async fn plan_normally(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("set local plan_cache_mode = auto").execute(conn).await?;
    Ok(())
}
