//! SQL of archiving: the records of an account, its years, and the accounts
//! whose yearly archive is missing.

use sqlx::PgConnection;
use time::Date;

use super::Scope;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "archive_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum ArchiveKind {
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
pub(crate) struct ArchiveRow {
    pub kind: ArchiveKind,
    pub year: i32,
    pub archived_on: Date,
    pub recorded_by: String,
    pub method: String,
    pub storage_ref: String,
    pub note: String,
}

pub(crate) async fn archives(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<ArchiveRow>> {
    sqlx::query_as!(
        ArchiveRow,
        r#"select ar.kind as "kind: ArchiveKind", ar.year, ar.archived_on, u.name as recorded_by, ar.method,
                  ar.storage_ref, ar.note
           from archive_records ar join users u on u.user_id = ar.recorded_by
           where ar.account_id = $1 order by ar.archived_on desc, ar.archive_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

pub(crate) struct NewArchive<'a> {
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

pub(crate) async fn add_archive(conn: &mut PgConnection, a: NewArchive<'_>) -> sqlx::Result<i64> {
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
pub(crate) async fn has_final_archive(
    conn: &mut PgConnection,
    account_id: i64,
    since: Date,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from archive_records where account_id = $1 and kind = 'before_closing'
                          and archived_on >= $2) as "e!""#,
        account_id,
        since
    )
    .fetch_one(conn)
    .await
}

/// Years with a yearly archive record, per account, for the status rules.
pub(crate) async fn archive_years(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar!(
        "select year from archive_records where account_id = $1 and kind = 'yearly'",
        account_id
    )
    .fetch_all(conn)
    .await
}

/// An account in scope whose yearly archive is missing for past Decembers.
#[derive(Debug, Clone)]
pub(crate) struct MissingArchive {
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
pub(crate) async fn missing_archives(
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
pub(crate) async fn not_archived_count(conn: &mut PgConnection, s: &Scope, year: i32) -> sqlx::Result<i64> {
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
