//! The archivist's overview: per organisation and unit, how many accounts are
//! archived for a year, not yet, or overdue.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::db::{self, MissingArchive, Scope};
use crate::auth::OrgViewer;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{Page, render, render_status};

#[derive(Deserialize)]
pub(crate) struct YearQuery {
    #[serde(default)]
    ar: String,
}

pub(crate) struct Row {
    pub organisation_id: i64,
    pub unit_id: i64,
    pub organisation: String,
    pub unit: String,
    pub archived: i64,
    pub not_archived: i64,
}

#[derive(Template)]
#[template(path = "accounts/archiving.html")]
pub(crate) struct ArchivingPage {
    page: Page,
    year: i32,
    rows: Vec<Row>,
    /// December of `year` has passed: what is missing is overdue.
    overdue: bool,
    /// It is December of `year`: archiving is under way.
    due: bool,
    /// The register's "not archived" filter means this year: link it only then.
    current: bool,
    /// What was typed as the year, when it is not one.
    typed: String,
    year_error: Option<String>,
    /// Accounts that lack a yearly archive for a past December, by name.
    missing: Vec<MissingArchive>,
    missing_total: i64,
}

impl ArchivingPage {
    fn missing_count(&self) -> String {
        crate::web::plural(self.missing_total, "konto", "konton")
    }
    fn missing_cut(&self) -> bool {
        self.missing_total > self.missing.len() as i64
    }
    fn years_text(&self, years: &[i32]) -> String {
        super::rules::years_text(years)
    }
}

pub(crate) async fn archiving(
    State(st): State<AppState>,
    page: Page,
    OrgViewer(user): OrgViewer,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let today = st.today();
    let asked = q.ar.trim();
    let parsed = asked.parse::<i32>().ok().filter(|y| (2000..=today.year()).contains(y));
    let year_error = (!asked.is_empty() && parsed.is_none())
        .then(|| format!("Skriv ett år med fyra siffror, från 2000 till {}.", today.year()));
    let year = parsed.unwrap_or(today.year());
    let s = Scope::of(&user);
    let mut conn = st.db.acquire().await?;
    let rows = sqlx::query_as!(
        Row,
        r#"select o.organisation_id, un.unit_id, o.name as organisation, un.name as unit,
                  count(*) filter (where ar.archive_id is not null) as "archived!",
                  count(*) filter (where ar.archive_id is null) as "not_archived!"
           from accounts a
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           left join archive_records ar on ar.account_id = a.account_id and ar.kind = 'yearly' and ar.year = $4
           where ($1 or a.organisation_id = any($2) or a.unit_id = any($3))
             and a.state <> 'approved' and a.start_date <= make_date($4, 12, 31)
             and (a.closed_date is null or a.closed_date >= make_date($4, 12, 1))
           group by o.organisation_id, un.unit_id order by o.name, un.name"#,
        s.city,
        &s.orgs,
        &s.units,
        year
    )
    .fetch_all(&mut *conn)
    .await?;
    let (missing, missing_total) = db::missing_archives(&mut conn, &s, today.year(), 500).await?;
    let december = time::Date::from_calendar_date(year, time::Month::December, 1).expect("valid date");
    let p = ArchivingPage {
        page,
        year,
        rows,
        overdue: today.year() > year,
        due: today >= december && today.year() == year,
        current: year == today.year(),
        typed: if year_error.is_some() { asked.to_string() } else { year.to_string() },
        year_error,
        missing,
        missing_total,
    };
    if p.year_error.is_some() {
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    render(&p)
}
