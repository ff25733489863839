//! SQL of the register and the account's life. Scope is part of every query:
//! the whole city (SLK, administrators), organisations (communicator, strategist,
//! archivist), units (managers), and accounts one owns or is deputy for.

mod addresses;
pub use addresses::*;

use serde_json::Value;
use sqlx::PgConnection;
use time::Date;

use super::rules::AccountState;
use crate::auth::{Role, User};
use crate::web::Dt;

/// What part of the register a user may see.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub user_id: i64,
    pub city: bool,
    pub orgs: Vec<i64>,
    pub units: Vec<i64>,
}

impl Scope {
    pub fn of(user: &User) -> Self {
        let mut s = Scope { user_id: user.user_id, ..Default::default() };
        for g in &user.grants {
            match g.role {
                Role::CityOffice | Role::Admin => s.city = true,
                Role::Communicator | Role::Strategist | Role::Archivist => s.orgs.extend(g.organisation_id),
                Role::Manager => s.units.extend(g.unit_id),
                Role::AccountOwner => {}
            }
        }
        s
    }
}

/// Register filters, as parsed from the query string.
#[derive(Debug, Clone, Default)]
pub struct Filters {
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

#[derive(Debug, Clone)]
pub struct RegisterRow {
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
    pub start_date: Option<Date>,
    pub last_confirmed_on: Option<Date>,
}

/// One page of the register: scope, filters, order, limit and offset in one query.
pub async fn register_page(
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
                  a.start_date, a.last_confirmed_on
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
pub async fn page_ids_by_name(conn: &mut PgConnection, s: &Scope, f: &Filters) -> sqlx::Result<Vec<i64>> {
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

/// The register rows of the given accounts, in the given order.
pub async fn rows_by_ids(conn: &mut PgConnection, ids: &[i64], year: i32) -> sqlx::Result<Vec<RegisterRow>> {
    let mut rows = sqlx::query_as!(
        RegisterRow,
        r#"select a.account_id, a.name, a.url, a.state as "state: AccountState", p.name as platform,
                  o.name as organisation, un.name as unit, ow.name as "owner?", a.missing_form,
                  exists (select 1 from archive_records ar where ar.account_id = a.account_id
                          and ar.kind = 'yearly' and ar.year = $2) as "archived_this_year!",
                  a.start_date, a.last_confirmed_on
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
pub async fn register_count(conn: &mut PgConnection, s: &Scope, f: &Filters) -> sqlx::Result<i64> {
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
pub async fn register_count_from_counters(
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
pub async fn plan_for_actual_values(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("set local plan_cache_mode = force_custom_plan").execute(conn).await?;
    Ok(())
}

/// Back to normal plan caching for simple queries after the register's own.
pub async fn plan_normally(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("set local plan_cache_mode = auto").execute(conn).await?;
    Ok(())
}

/// An account on its page.
#[derive(Debug, Clone)]
pub struct Account {
    pub account_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub decision_holder: String,
    pub delegated_role: Role,
    pub closure_days: i32,
    pub unit_id: i64,
    pub unit: String,
    pub platform_id: i64,
    pub platform: String,
    pub name: String,
    pub url: String,
    pub state: AccountState,
    pub purpose: String,
    pub goals: String,
    pub target_groups: String,
    pub owner_user_id: Option<i64>,
    pub owner: Option<String>,
    pub owner_email: Option<String>,
    pub deputy_user_id: Option<i64>,
    pub deputy: Option<String>,
    /// An owner or deputy an import found no user for, as the list wrote them.
    pub owner_text: String,
    pub deputy_text: String,
    pub editors: Value,
    pub controller: String,
    pub missing_form: bool,
    pub start_date: Option<Date>,
    pub closed_date: Option<Date>,
    pub profile_picture_done: bool,
    pub basic_info_done: bool,
    pub credentials_holder: Option<String>,
    pub credentials_confirmed_at: Option<Dt>,
    pub announcement_start: Option<Date>,
    pub announcement_end: Option<Date>,
    pub announced_at: Option<Dt>,
    pub last_confirmed_on: Option<Date>,
    pub followers: Option<i32>,
    pub publishing_frequency: String,
    pub open_data: bool,
}

pub async fn account_in_scope(conn: &mut PgConnection, s: &Scope, id: i64) -> sqlx::Result<Option<Account>> {
    sqlx::query_as!(
        Account,
        r#"select a.account_id, a.organisation_id, o.name as organisation, o.decision_holder,
                  o.delegated_role as "delegated_role: Role", o.closure_announcement_days as closure_days,
                  a.unit_id, un.name as unit, a.platform_id, p.name as platform, a.name, a.url,
                  a.state as "state: AccountState", a.purpose, a.goals, a.target_groups,
                  a.owner_user_id, ow.name as "owner?", ow.email as "owner_email?",
                  a.deputy_user_id, dep.name as "deputy?", a.owner_text, a.deputy_text, a.editors, a.controller, a.missing_form,
                  a.start_date, a.closed_date, a.profile_picture_done, a.basic_info_done,
                  ch.name as "credentials_holder?", a.credentials_confirmed_at as "credentials_confirmed_at: Dt",
                  a.announcement_start, a.announcement_end, a.announced_at as "announced_at: Dt",
                  a.last_confirmed_on, a.followers, a.publishing_frequency, a.open_data
           from accounts a
           join platforms p on p.platform_id = a.platform_id
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           left join users ow on ow.user_id = a.owner_user_id
           left join users dep on dep.user_id = a.deputy_user_id
           left join users ch on ch.user_id = a.credentials_holder_user_id
           where a.account_id = $5
             and ($1 or a.organisation_id = any($2) or a.unit_id = any($3)
                  or a.owner_user_id = $4 or a.deputy_user_id = $4)"#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Lock the account's row until the transaction ends.
pub async fn lock(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    sqlx::query!("select account_id from accounts where account_id = $1 for update", account_id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// Add a line to the account's history.
pub async fn event(
    conn: &mut PgConnection,
    account_id: i64,
    actor: i64,
    action: &str,
    comment: &str,
    details: Option<Value>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into account_events (account_id, actor_user_id, action, comment, details) values ($1, $2, $3, $4, $5)",
        account_id,
        actor,
        action,
        comment,
        details
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub at: Dt,
    pub actor: Option<String>,
    pub action: String,
    pub comment: String,
}

impl HistoryRow {
    /// The Swedish words for what happened; an unknown code is shown as is.
    pub fn label(&self) -> &str {
        super::rules::event_label(&self.action).unwrap_or(&self.action)
    }
}

pub async fn history(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as!(
        HistoryRow,
        r#"select e.at as "at: Dt", u.name as "actor?", e.action, e.comment
           from account_events e left join users u on u.user_id = e.actor_user_id
           where e.account_id = $1 order by e.event_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct LinkedForm {
    pub form_id: i64,
    pub case_number: Option<String>,
    pub state: crate::forms::workflow::FormState,
}

pub async fn forms_of(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<LinkedForm>> {
    sqlx::query_as!(
        LinkedForm,
        r#"select form_id, case_number, state as "state: crate::forms::workflow::FormState"
           from forms where account_id = $1 order by form_id"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

/// Register the start: address, date, and the checklist items the owner ticks.
pub async fn start(
    conn: &mut PgConnection,
    id: i64,
    url: &str,
    start_date: Date,
    profile_picture: bool,
    basic_info: bool,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set state = 'active', url = $2, start_date = $3, profile_picture_done = $4,
                             basic_info_done = $5, updated_at = now()
         where account_id = $1 and state = 'approved'",
        id,
        url,
        start_date,
        profile_picture,
        basic_info
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn set_checklist(
    conn: &mut PgConnection,
    id: i64,
    profile_picture: bool,
    basic_info: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set profile_picture_done = $2, basic_info_done = $3, updated_at = now() where account_id = $1",
        id,
        profile_picture,
        basic_info
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The communicator confirms holding the credentials (never the passwords themselves).
pub async fn confirm_credentials(conn: &mut PgConnection, id: i64, holder: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set credentials_holder_user_id = $2, credentials_confirmed_at = now(), updated_at = now()
         where account_id = $1",
        id,
        holder
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "archive_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ArchiveKind {
    Yearly,
    BeforeClosing,
    VisualChange,
}

impl ArchiveKind {
    pub fn label(&self) -> &'static str {
        match self {
            ArchiveKind::Yearly => "Årlig arkivering (december)",
            ArchiveKind::BeforeClosing => "Före avslut",
            ArchiveKind::VisualChange => "Efter stor visuell förändring",
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            ArchiveKind::Yearly => "yearly",
            ArchiveKind::BeforeClosing => "before_closing",
            ArchiveKind::VisualChange => "visual_change",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [ArchiveKind::Yearly, ArchiveKind::BeforeClosing, ArchiveKind::VisualChange]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone)]
pub struct ArchiveRow {
    pub kind: ArchiveKind,
    pub year: i32,
    pub archived_on: Date,
    pub recorded_by: String,
    pub method: String,
    pub storage_ref: String,
    pub note: String,
    pub created_at: Dt,
}

pub async fn archives(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<ArchiveRow>> {
    sqlx::query_as!(
        ArchiveRow,
        r#"select ar.kind as "kind: ArchiveKind", ar.year, ar.archived_on, u.name as recorded_by, ar.method,
                  ar.storage_ref, ar.note, ar.created_at as "created_at: Dt"
           from archive_records ar join users u on u.user_id = ar.recorded_by
           where ar.account_id = $1 order by ar.archived_on desc, ar.archive_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

pub struct NewArchive<'a> {
    pub account_id: i64,
    pub kind: ArchiveKind,
    /// The year the record is for: the December archived, or the date's year.
    pub year: i32,
    pub archived_on: Date,
    pub recorded_by: i64,
    pub method: &'a str,
    pub storage_ref: &'a str,
    pub note: &'a str,
}

pub async fn add_archive(conn: &mut PgConnection, a: NewArchive<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"insert into archive_records (account_id, kind, year, archived_on, recorded_by, method, storage_ref, note)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning archive_id"#,
        a.account_id,
        a.kind as ArchiveKind,
        a.year,
        a.archived_on,
        a.recorded_by,
        a.method,
        a.storage_ref,
        a.note
    )
    .fetch_one(conn)
    .await
}

/// Whether a "before closing" record exists since `since`.
pub async fn has_final_archive(conn: &mut PgConnection, account_id: i64, since: Date) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from archive_records where account_id = $1 and kind = 'before_closing'
                          and archived_on >= $2) as "e!""#,
        account_id,
        since
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct Closure {
    pub closure_id: i64,
    pub state: String,
    pub requested_by: String,
    pub requested_at: Dt,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<Dt>,
    pub decision_reason: Option<String>,
    pub announcement_days: Option<i32>,
}

pub async fn closures(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<Closure>> {
    sqlx::query_as!(
        Closure,
        r#"select c.closure_id, c.state::text as "state!", r.name as requested_by, c.requested_at as "requested_at: Dt",
                  c.reason, d.name as "decided_by?", c.decided_at as "decided_at: Dt", c.decision_reason,
                  c.announcement_days
           from closure_requests c join users r on r.user_id = c.requested_by
           left join users d on d.user_id = c.decided_by
           where c.account_id = $1 order by c.closure_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

pub async fn request_closure(
    conn: &mut PgConnection,
    account_id: i64,
    by: i64,
    reason: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into closure_requests (account_id, requested_by, reason) values ($1, $2, $3) returning closure_id",
        account_id,
        by,
        reason
    )
    .fetch_one(conn)
    .await
}

/// Decide the open closure request (guarded: only a `requested` one).
pub async fn decide_closure(
    conn: &mut PgConnection,
    account_id: i64,
    by: i64,
    approve: bool,
    reason: Option<&str>,
    days: Option<i32>,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        r#"update closure_requests set state = case when $3 then 'approved'::closure_state else 'denied'::closure_state end,
                  decided_by = $2, decided_at = now(), decision_reason = $4, announcement_days = $5
           where account_id = $1 and state = 'requested'"#,
        account_id,
        by,
        approve,
        reason,
        days
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn begin_closing(conn: &mut PgConnection, id: i64, start: Date, end: Date) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set state = 'closing', announcement_start = $2, announcement_end = $3, updated_at = now()
         where account_id = $1 and state in ('approved', 'active')",
        id,
        start,
        end
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn mark_announced(conn: &mut PgConnection, id: i64, by: i64) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set announced_at = now(), announced_by = $2, updated_at = now()
         where account_id = $1 and state = 'closing' and announced_at is null",
        id,
        by
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn close(conn: &mut PgConnection, id: i64, on: Date) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set state = 'closed', closed_date = $2, updated_at = now()
         where account_id = $1 and state = 'closing'",
        id,
        on
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn change_people(
    conn: &mut PgConnection,
    id: i64,
    owner: i64,
    deputy: Option<i64>,
    editors: &Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set owner_user_id = $2, deputy_user_id = $3, editors = $4, updated_at = now(),
         owner_text = case when $2::bigint is null then owner_text else '' end,
         deputy_text = case when $3::bigint is null then deputy_text else '' end
         where account_id = $1",
        id,
        owner,
        deputy,
        editors
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct Descriptive<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub platform_id: i64,
    pub unit_id: i64,
    pub purpose: &'a str,
    pub goals: &'a str,
    pub target_groups: &'a str,
}

pub async fn update_descriptive(conn: &mut PgConnection, id: i64, d: &Descriptive<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set name = $2, url = $3, platform_id = $4,
                unit_id = (select unit_id from units u where u.unit_id = $5
                           and u.organisation_id = accounts.organisation_id),
                purpose = $6, goals = $7, target_groups = $8, updated_at = now()
         where account_id = $1",
        id,
        d.name,
        d.url,
        d.platform_id,
        d.unit_id,
        d.purpose,
        d.goals,
        d.target_groups
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Years with a yearly archive record, per account, for the status rules.
pub async fn archive_years(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar!(
        "select year from archive_records where account_id = $1 and kind = 'yearly'",
        account_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "incident_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    SensitivePersonalData,
    ConfidentialInformation,
    OffensiveContent,
    AccountCompromised,
    Impersonation,
    Other,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 6] = [
        IncidentKind::SensitivePersonalData,
        IncidentKind::ConfidentialInformation,
        IncidentKind::OffensiveContent,
        IncidentKind::AccountCompromised,
        IncidentKind::Impersonation,
        IncidentKind::Other,
    ];
    pub fn label(&self) -> &'static str {
        match self {
            IncidentKind::SensitivePersonalData => {
                "Borttaget inlägg eller kommentar med känsliga personuppgifter"
            }
            IncidentKind::ConfidentialInformation => "Sekretessbelagd information",
            IncidentKind::OffensiveContent => "Kränkande eller olagligt innehåll",
            IncidentKind::AccountCompromised => "Kontot kapat eller obehörig inloggning",
            IncidentKind::Impersonation => "Någon utger sig för att vara staden",
            IncidentKind::Other => "Annat",
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            IncidentKind::SensitivePersonalData => "sensitive_personal_data",
            IncidentKind::ConfidentialInformation => "confidential_information",
            IncidentKind::OffensiveContent => "offensive_content",
            IncidentKind::AccountCompromised => "account_compromised",
            IncidentKind::Impersonation => "impersonation",
            IncidentKind::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub incident_id: i64,
    pub account_id: i64,
    pub kind: IncidentKind,
    pub occurred_at: Dt,
    pub discovered_at: Dt,
    pub description: String,
    pub personal_data: bool,
    pub reported_by: String,
    pub reported_at: Dt,
    pub dpo_informed_at: Option<Dt>,
    pub imy_notified_on: Option<Date>,
    pub imy_reference: Option<String>,
    pub no_notification_reason: Option<String>,
    pub closed_at: Option<Dt>,
    pub closing_note: Option<String>,
}

impl Incident {
    pub fn imy_deadline(&self) -> Dt {
        Dt(super::rules::imy_deadline(self.discovered_at.0))
    }
    /// The IMY question is settled: notified, or a reasoned decision not to.
    pub fn imy_settled(&self) -> bool {
        !self.personal_data || self.imy_notified_on.is_some() || self.no_notification_reason.is_some()
    }
    pub fn imy_overdue(&self, now: &time::OffsetDateTime) -> bool {
        !self.imy_settled() && *now > self.imy_deadline().0
    }
}

pub async fn incidents(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<Incident>> {
    sqlx::query_as!(
        Incident,
        r#"select i.incident_id, i.account_id, i.kind as "kind: IncidentKind", i.occurred_at as "occurred_at: Dt",
                  i.discovered_at as "discovered_at: Dt", i.description, i.personal_data, u.name as reported_by,
                  i.reported_at as "reported_at: Dt", i.dpo_informed_at as "dpo_informed_at: Dt", i.imy_notified_on,
                  i.imy_reference, i.no_notification_reason, i.closed_at as "closed_at: Dt", i.closing_note
           from incidents i join users u on u.user_id = i.reported_by
           where i.account_id = $1 order by i.incident_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

pub struct NewIncident<'a> {
    pub account_id: i64,
    pub kind: IncidentKind,
    pub occurred_at: time::OffsetDateTime,
    pub discovered_at: time::OffsetDateTime,
    pub description: &'a str,
    pub personal_data: bool,
    pub reported_by: i64,
}

pub async fn add_incident(conn: &mut PgConnection, i: NewIncident<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"insert into incidents (account_id, kind, occurred_at, discovered_at, description, personal_data, reported_by)
           values ($1, $2, $3, $4, $5, $6, $7) returning incident_id"#,
        i.account_id,
        i.kind as IncidentKind,
        i.occurred_at,
        i.discovered_at,
        i.description,
        i.personal_data,
        i.reported_by
    )
    .fetch_one(conn)
    .await
}

pub struct IncidentFollowUp<'a> {
    pub dpo_informed: bool,
    pub imy_notified_on: Option<Date>,
    pub imy_reference: Option<&'a str>,
    pub no_notification_reason: Option<&'a str>,
    pub close: bool,
    pub closing_note: Option<&'a str>,
    pub by: i64,
}

/// Record the follow-up of an open incident (guarded: closed ones stay closed).
pub async fn follow_up_incident(
    conn: &mut PgConnection,
    account_id: i64,
    incident_id: i64,
    f: IncidentFollowUp<'_>,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        r#"update incidents set
               dpo_informed_at = case when $3 then coalesce(dpo_informed_at, now()) else dpo_informed_at end,
               imy_notified_on = coalesce($4, imy_notified_on),
               imy_reference = coalesce($5, imy_reference),
               no_notification_reason = coalesce($6, no_notification_reason),
               closed_at = case when $7 then now() end,
               closed_by = case when $7 then $9::bigint end,
               closing_note = $8
           where incident_id = $2 and account_id = $1 and closed_at is null"#,
        account_id,
        incident_id,
        f.dpo_informed,
        f.imy_notified_on,
        f.imy_reference,
        f.no_notification_reason,
        f.close,
        f.closing_note,
        f.by
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Active people of an organisation, for the change-of-owner form.
pub async fn people(
    conn: &mut PgConnection,
    organisation_id: i64,
) -> sqlx::Result<Vec<crate::org::db::Choice>> {
    crate::org::db::people(conn, organisation_id).await
}

/// An account in scope whose yearly archive is missing for past Decembers.
#[derive(Debug, Clone)]
pub struct MissingArchive {
    pub account_id: i64,
    pub name: String,
    pub organisation: String,
    pub unit: String,
    pub years: Vec<i32>,
}

/// The accounts in `s` (of organisations `orgs` when given) that lived
/// through a December before `this_year` without a yearly archive record for
/// it, the longest overdue first, at most `limit`; and how many there are.
/// The same rule as `rules::missing_years`, in SQL.
pub async fn missing_archives(
    conn: &mut PgConnection,
    s: &Scope,
    this_year: i32,
    limit: i64,
) -> sqlx::Result<(Vec<MissingArchive>, i64)> {
    let rows = sqlx::query!(
        r#"with missing as (
             select a.account_id, a.name, o.name as organisation, un.name as unit,
                    array_agg(y order by y) as years
             from accounts a
             join organisations o on o.organisation_id = a.organisation_id
             join units un on un.unit_id = a.unit_id
             cross join lateral generate_series(extract(year from a.start_date)::int, $4 - 1) y
             where ($1 or a.organisation_id = any($2) or a.unit_id = any($3))
               and a.state <> 'approved' and a.start_date is not null
               and a.start_date <= make_date(y, 12, 1)
               and (a.closed_date is null or a.closed_date >= make_date(y, 12, 1))
               and not exists (select 1 from archive_records ar where ar.account_id = a.account_id
                               and ar.kind = 'yearly' and ar.year = y)
             group by a.account_id, o.name, un.name)
           select account_id as "account_id!", name as "name!", organisation as "organisation!",
                  unit as "unit!", years as "years!: Vec<i32>", count(*) over () as "total!"
           from missing order by years[1], organisation, unit, lower(name) limit $5"#,
        s.city,
        &s.orgs,
        &s.units,
        this_year,
        limit
    )
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let list = rows
        .into_iter()
        .map(|r| MissingArchive {
            account_id: r.account_id,
            name: r.name,
            organisation: r.organisation,
            unit: r.unit,
            years: r.years,
        })
        .collect();
    Ok((list, total))
}

/// How many accounts in `s` have no yearly archive record for `year` yet,
/// counted as the archiving overview counts them.
pub async fn not_archived_count(conn: &mut PgConnection, s: &Scope, year: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from accounts a
           where ($1 or a.organisation_id = any($2) or a.unit_id = any($3))
             and a.state <> 'approved' and a.start_date <= make_date($4, 12, 31)
             and (a.closed_date is null or a.closed_date >= make_date($4, 12, 1))
             and not exists (select 1 from archive_records ar where ar.account_id = a.account_id
                             and ar.kind = 'yearly' and ar.year = $4)"#,
        s.city,
        &s.orgs,
        &s.units,
        year
    )
    .fetch_one(conn)
    .await
}

/// Whether the account is listed in the open-data files.
pub async fn set_open_data(conn: &mut PgConnection, id: i64, shown: bool) -> sqlx::Result<()> {
    sqlx::query!("update accounts set open_data = $2, updated_at = now() where account_id = $1", id, shown)
        .execute(conn)
        .await?;
    Ok(())
}
