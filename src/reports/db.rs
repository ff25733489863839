//! SQL of the SLK report: the live rows of an organisation's year, and the
//! submitted versions (stored rows, never changed).

use sqlx::PgConnection;
use time::Date;

use super::rows::ReportRow;
use crate::accounts::rules::AccountState;
use crate::web::Dt;

fn day(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Every account of the organisation active at any time in `year`: started on
/// or before 31 December and not closed before 1 January.
pub(crate) async fn live_rows(
    conn: &mut PgConnection,
    organisation_id: i64,
    year: i32,
) -> sqlx::Result<Vec<ReportRow>> {
    let rows = sqlx::query!(
        r#"select a.account_id, o.name as organisation, un.name as unit, p.name as platform, a.name, a.url,
                  a.state as "state: AccountState", a.start_date, a.closed_date,
                  coalesce(ow.name, '') as "owner_name!", coalesce(ow.email, '') as "owner_email!",
                  coalesce(dp.name, '') as "deputy!", a.purpose, a.target_groups,
                  coalesce((select f.case_number from forms f where f.account_id = a.account_id
                            and f.state = 'approved' and f.case_number is not null
                            order by f.decided_at desc nulls last, f.form_id desc limit 1), '') as "case_number!",
                  (select ar.archived_on from archive_records ar where ar.account_id = a.account_id
                     and ar.kind = 'yearly' and ar.year = $2) as archived_on,
                  a.last_confirmed_on, a.followers, a.missing_form,
                  exists (select 1 from incidents i where i.account_id = a.account_id
                          and i.personal_data and i.closed_at is null) as "open_incident!",
                  (a.state = 'active' and exists (select 1 from yearly_reviews y
                     where y.organisation_id = a.organisation_id and y.year = $2
                       and not exists (select 1 from account_confirmations c
                                       where c.review_id = y.review_id and c.account_id = a.account_id)))
                    as "unconfirmed!"
           from accounts a
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           join platforms p on p.platform_id = a.platform_id
           left join users ow on ow.user_id = a.owner_user_id
           left join users dp on dp.user_id = a.deputy_user_id
           where a.organisation_id = $1 and a.state <> 'approved'
             and a.start_date <= make_date($2, 12, 31)
             and (a.closed_date is null or a.closed_date >= make_date($2, 1, 1))
           order by un.name, p.name, lower(a.name), a.account_id"#,
        organisation_id,
        year
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReportRow {
            account_id: r.account_id,
            organisation: r.organisation,
            unit: r.unit,
            platform: r.platform,
            name: r.name,
            url: r.url,
            state: r.state.label().to_string(),
            start_date: day(r.start_date),
            closed_date: day(r.closed_date),
            owner_name: r.owner_name,
            owner_email: r.owner_email,
            deputy: r.deputy,
            purpose: r.purpose,
            target_groups: r.target_groups,
            case_number: r.case_number,
            archived_on: day(r.archived_on),
            last_confirmed_on: day(r.last_confirmed_on),
            followers: r.followers,
            missing_form: r.missing_form,
            open_personal_data_incident: r.open_incident,
            unconfirmed: r.unconfirmed,
        })
        .collect())
}

pub(crate) async fn organisation_name(
    conn: &mut PgConnection,
    organisation_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("select name from organisations where organisation_id = $1", organisation_id)
        .fetch_optional(conn)
        .await
}

/// A submitted version without its rows.
#[derive(Debug, Clone)]
pub(crate) struct VersionInfo {
    pub organisation_id: i64,
    pub organisation_name: String,
    pub version: i32,
    pub submitted_by_name: String,
    pub submitted_at: Dt,
    pub comment: String,
    pub account_count: i32,
}

/// The versions of an organisation's report for a year, newest first.
pub(crate) async fn versions(
    conn: &mut PgConnection,
    organisation_id: i64,
    year: i32,
) -> sqlx::Result<Vec<VersionInfo>> {
    sqlx::query_as!(
        VersionInfo,
        r#"select organisation_id, organisation_name, version, submitted_by_name,
                  submitted_at as "submitted_at: Dt", comment, account_count
           from slk_report_versions where organisation_id = $1 and year = $2
           order by version desc"#,
        organisation_id,
        year
    )
    .fetch_all(conn)
    .await
}

/// A submitted version with its rows.
pub(crate) struct Version {
    pub info: VersionInfo,
    pub rows: Vec<ReportRow>,
}

fn with_rows(info: VersionInfo, rows: serde_json::Value) -> sqlx::Result<Version> {
    let rows = serde_json::from_value(rows).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Version { info, rows })
}

/// Version `version` (or the newest, when `None`) of an organisation's report.
pub(crate) async fn version(
    conn: &mut PgConnection,
    organisation_id: i64,
    year: i32,
    version: Option<i32>,
) -> sqlx::Result<Option<Version>> {
    let r = sqlx::query!(
        r#"select organisation_id, organisation_name, version, submitted_by_name,
                  submitted_at as "submitted_at: Dt", comment, account_count, rows
           from slk_report_versions
           where organisation_id = $1 and year = $2 and ($3::integer is null or version = $3)
           order by version desc limit 1"#,
        organisation_id,
        year,
        version
    )
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        let info = VersionInfo {
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            version: r.version,
            submitted_by_name: r.submitted_by_name,
            submitted_at: r.submitted_at,
            comment: r.comment,
            account_count: r.account_count,
        };
        with_rows(info, r.rows)
    })
    .transpose()
}

/// Freeze `rows` as the next version of the organisation's report for `year`.
/// The organisation row is locked so two submissions get consecutive numbers.
pub(crate) async fn submit(
    conn: &mut PgConnection,
    organisation_id: i64,
    year: i32,
    user_id: i64,
    comment: &str,
    rows: &[ReportRow],
) -> sqlx::Result<VersionInfo> {
    sqlx::query_scalar!(
        "select organisation_id from organisations where organisation_id = $1 for update",
        organisation_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let json = serde_json::to_value(rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_as!(
        VersionInfo,
        r#"insert into slk_report_versions (organisation_id, organisation_name, year, version, submitted_by,
                                            submitted_by_name, comment, account_count, rows)
           select o.organisation_id, o.name, $2,
                  coalesce((select max(version) from slk_report_versions v
                            where v.organisation_id = o.organisation_id and v.year = $2), 0) + 1,
                  u.user_id, u.name, $4, $5, $6
           from organisations o, users u where o.organisation_id = $1 and u.user_id = $3
           returning organisation_id, organisation_name, version, submitted_by_name,
                     submitted_at as "submitted_at: Dt", comment, account_count"#,
        organisation_id,
        year,
        user_id,
        comment,
        rows.len() as i32,
        json
    )
    .fetch_one(conn)
    .await
}

/// Per active organisation, its newest version for `year` (if any), for SLK.
pub(crate) struct OrgStatus {
    pub organisation_id: i64,
    pub organisation: String,
    pub latest: Option<i32>,
    pub submitted_at: Option<Dt>,
    pub submitted_by_name: Option<String>,
    pub account_count: Option<i32>,
}

pub(crate) async fn city_status(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<OrgStatus>> {
    sqlx::query_as!(
        OrgStatus,
        r#"select o.organisation_id, o.name as organisation, v.version as "latest?",
                  v.submitted_at as "submitted_at?: Dt", v.submitted_by_name as "submitted_by_name?",
                  v.account_count as "account_count?"
           from organisations o
           left join lateral (select version, submitted_at, submitted_by_name, account_count
                              from slk_report_versions v where v.organisation_id = o.organisation_id
                              and v.year = $1 order by version desc limit 1) v on true
           where o.active or v.version is not null
           order by o.name"#,
        year
    )
    .fetch_all(conn)
    .await
}

/// Every version of every organisation for `year`, for SLK's list of downloads.
pub(crate) async fn all_versions(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<VersionInfo>> {
    sqlx::query_as!(
        VersionInfo,
        r#"select organisation_id, organisation_name, version, submitted_by_name,
                  submitted_at as "submitted_at: Dt", comment, account_count
           from slk_report_versions where year = $1
           order by organisation_name, version desc"#,
        year
    )
    .fetch_all(conn)
    .await
}

/// The newest version of each organisation for `year`, with rows: the city-wide
/// compilation. Read one organisation at a time to bound memory.
pub(crate) async fn latest_version_ids(conn: &mut PgConnection, year: i32) -> sqlx::Result<Vec<(i64, i32)>> {
    let rows = sqlx::query!(
        r#"select distinct on (organisation_id) organisation_id, version
           from slk_report_versions where year = $1
           order by organisation_id, version desc"#,
        year
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.organisation_id, r.version)).collect())
}
