//! The yearly SLK report (SPEC §4): the list of every account of an organisation
//! active at any time in a year, previewed with counts and warnings, downloaded
//! as XLSX or CSV, and submitted to the City Executive Office (SLK) as a frozen
//! version that downloads byte for byte the same for ever. SLK reads every
//! organisation's versions and a city-wide compilation.
//!
//! Who: the communicator and strategist of the organisation read and submit;
//! SLK reads everything; everyone else gets 404 (403 with a role in the
//! organisation but not the right one).

pub(crate) mod db;
pub(crate) mod export;
mod index;
mod report;
pub mod rows;
mod submit;
mod versions;

pub(crate) use report::OrgQuery;

use axum::Router;
use axum::routing::get;

use crate::auth::{Role, User};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/rapporter", get(index::index))
        .route("/rapporter/slk/{file}", get(report::show))
        .route("/rapporter/slk/{year}/lamna-in", get(submit::confirm).post(submit::submit))
        .route("/rapporter/slk/{year}/{file}", get(versions::download_file))
}

/// Whose report a request is about, and whether the user may submit it.
pub(crate) struct Access {
    pub organisation_id: i64,
    pub may_submit: bool,
}

/// The organisation whose report the user may submit: `access`, and the right to submit.
pub(crate) fn submit_access(user: &User, asked: Option<i64>) -> AppResult<Access> {
    let acc = access(user, asked)?;
    if !acc.may_submit {
        return Err(AppError::forbidden("SLK läser rapporterna men lämnar inte in dem."));
    }
    Ok(acc)
}

/// The organisation of a report request: the one asked for (`?organisation=`),
/// else the user's own. Communicators and strategists of the organisation may
/// read and submit, SLK may read; other roles in the organisation get 403, and
/// everyone else 404.
pub(crate) fn access(user: &User, asked: Option<i64>) -> AppResult<Access> {
    let submitters: Vec<i64> = Role::ORG_EDITORS.iter().flat_map(|r| user.organisations_with(*r)).collect();
    let org = match asked.or_else(|| submitters.first().copied()) {
        Some(o) => o,
        None if user.has(Role::CityOffice) => return Err(AppError::NotFound),
        None => return Err(denied(user, None)),
    };
    if submitters.contains(&org) {
        return Ok(Access { organisation_id: org, may_submit: true });
    }
    if user.has(Role::CityOffice) {
        return Ok(Access { organisation_id: org, may_submit: false });
    }
    Err(denied(user, Some(org)))
}

fn denied(user: &User, org: Option<i64>) -> AppError {
    let in_org = user.has(Role::Admin)
        || user
            .grants
            .iter()
            .any(|g| g.role == Role::Archivist && (org.is_none() || g.organisation_id == org));
    if in_org {
        AppError::forbidden(
            "SLK-rapporten sammanställs av förvaltningens kommunikatör eller kommunikationsstrateg.",
        )
    } else {
        AppError::NotFound
    }
}

/// The year a report link points to by default: the year that ends now
/// (in January, the one just ended).
pub(crate) fn report_year(today: time::Date) -> i32 {
    if today.month() == time::Month::January { today.year() - 1 } else { today.year() }
}

/// A year from a URL: plain digits in a sane range, else 404.
pub(crate) fn parse_year(s: &str) -> AppResult<i32> {
    s.parse::<i32>().ok().filter(|y| (2000..=2200).contains(y)).ok_or(AppError::NotFound)
}

/// The communicator's task on "Att göra" from 1 December to 31 January: submit
/// the year's report, until a version is in.
pub(crate) async fn tasks(
    conn: &mut sqlx::PgConnection,
    user: &User,
    today: time::Date,
) -> sqlx::Result<Vec<crate::web::Task>> {
    let season = today.month() == time::Month::December || today.month() == time::Month::January;
    let orgs = user.organisations_with(Role::Communicator);
    if !season || orgs.is_empty() {
        return Ok(Vec::new());
    }
    let year = report_year(today);
    let several = orgs.len() > 1;
    let mut tasks = Vec::new();
    for org in orgs {
        if db::versions(conn, org, year).await?.is_empty() {
            let name = db::organisation_name(conn, org).await?.unwrap_or_default();
            tasks.push(crate::web::Task {
                href: if several {
                    format!("/rapporter/slk/{year}?organisation={org}")
                } else {
                    format!("/rapporter/slk/{year}")
                },
                text: format!("Lämna in SLK-rapporten för {year}"),
                detail: if today.month() == time::Month::January {
                    format!("{name}: ska lämnas in nu")
                } else {
                    format!("{name}: görs i december")
                },
            });
        }
    }
    Ok(tasks)
}
