//! `/rapporter`: for the communicator and strategist, their organisation's
//! reports by year; for SLK, every organisation for a year: who has submitted,
//! the newest version, every version's downloads, and the city-wide compilation.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use super::db::{self, OrgStatus, VersionInfo};
use super::report_year;
use crate::auth::{Role, Viewer, require};
use crate::error::AppResult;
use crate::web::{Page, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct YearQuery {
    #[serde(default)]
    ar: String,
}

/// One of the user's own organisations and its years.
pub(crate) struct OwnOrg {
    pub organisation_id: i64,
    pub name: String,
    pub years: Vec<(i32, Vec<VersionInfo>)>,
}

#[derive(Template)]
#[template(path = "reports/index.html")]
pub(crate) struct IndexPage {
    page: Page,
    year: i32,
    own: Vec<OwnOrg>,
    /// SLK's view, when the user has the role.
    city: Option<(Vec<OrgStatus>, Vec<VersionInfo>)>,
    several_own: bool,
}

impl IndexPage {
    fn missing(&self) -> usize {
        self.city.as_ref().map_or(0, |(s, _)| s.iter().filter(|o| o.latest.is_none()).count())
    }
}

pub(crate) async fn index(
    Viewer { st, page, user }: Viewer,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    require(&user, Role::REPORT_READERS)?;
    let today = st.today();
    let year =
        q.ar.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=today.year()).contains(y))
            .unwrap_or(report_year(today));
    let mut conn = st.db.acquire().await?;
    let mut org_ids: Vec<i64> = Role::ORG_EDITORS.iter().flat_map(|r| user.organisations_with(*r)).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let mut own = Vec::new();
    for id in &org_ids {
        let Some(name) = db::organisation_name(&mut conn, *id).await? else { continue };
        let mut years = Vec::new();
        for y in (today.year() - 2..=today.year()).rev() {
            years.push((y, db::versions(&mut conn, *id, y).await?));
        }
        own.push(OwnOrg { organisation_id: *id, name, years });
    }
    let city = if user.has(Role::CityOffice) {
        Some((db::city_status(&mut conn, year).await?, db::all_versions(&mut conn, year).await?))
    } else {
        None
    };
    render(&IndexPage { page, year, several_own: own.len() > 1, own, city })
}
