//! The review page `/rapporter/genomgang/{år}`: whether the year's review is
//! started, and when it is, its progress per unit with the owners who have not
//! confirmed yet and a `mailto:` link to them.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::db::{self, Progress, Review};
use super::may_start;
use crate::auth::{Actor, User};
use crate::error::{AppError, AppResult};
use crate::reports::rows::accounts_noun;
use crate::reports::{Access, OrgQuery, access, parse_year};
use crate::state::AppState;
use crate::web::{Page, render, url_encode};

/// The organisation whose review the user may start and close: the report's
/// submitters; SLK reads only.
pub(crate) fn change_access(user: &User, q: &OrgQuery) -> AppResult<Access> {
    let acc = access(user, q.id()?)?;
    if !acc.may_submit {
        return Err(AppError::forbidden("SLK läser den årliga genomgången men ändrar den inte."));
    }
    Ok(acc)
}

/// A change to one organisation's review of a year (start, close), as its
/// handlers take it: who makes it, the year in the path and the organisation
/// in the query, checked against what the user may change.
pub(crate) struct ReviewChange {
    pub st: AppState,
    pub user: User,
    pub session: Session,
    pub addr: Option<String>,
    pub year: i32,
    pub acc: Access,
    pub q: OrgQuery,
}

impl FromRequestParts<AppState> for ReviewChange {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Actor { user, session, addr } =
            Actor::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        let Path(year) =
            Path::<String>::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        let Query(q) =
            Query::<OrgQuery>::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        let year = parse_year(&year).map_err(IntoResponse::into_response)?;
        let acc = change_access(&user, &q).map_err(IntoResponse::into_response)?;
        Ok(ReviewChange { st: st.clone(), user, session, addr, year, acc, q })
    }
}

pub(crate) struct UnitProgress {
    pub name: String,
    pub rows: Vec<Progress>,
    pub confirmed: usize,
}

#[derive(Template)]
#[template(path = "review/progress.html")]
pub(crate) struct ProgressPage {
    page: Page,
    year: i32,
    organisation: String,
    org_param: String,
    may_change: bool,
    review: Option<Review>,
    /// Another review still open, when this year's has not started.
    other_open: Option<Review>,
    may_start: bool,
    units: Vec<UnitProgress>,
    total: usize,
    confirmed: usize,
    /// Owners (and deputies of accounts without one) not yet confirmed.
    mailto: Option<String>,
    reminded: usize,
}

impl ProgressPage {
    fn total_text(&self) -> String {
        format!(
            "{} av {} {}",
            self.confirmed,
            accounts_noun(self.total),
            if self.total == 1 { "är bekräftat" } else { "är bekräftade" }
        )
    }
    fn reminded_text(&self) -> String {
        if self.reminded == 1 {
            "Skicka e-post till den kontoansvariga som inte har bekräftat".into()
        } else {
            format!("Skicka e-post till de {} kontoansvariga som inte har bekräftat", self.reminded)
        }
    }
}

/// A `mailto:` link to the people who have not answered, with a subject and text.
fn mailto(rows: &[Progress], year: i32, organisation: &str) -> (Option<String>, usize) {
    let mut to: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.confirmed_at.is_none()) {
        if let Some(e) = r.owner_email.as_deref().or(r.deputy_email.as_deref())
            && !to.contains(&e)
        {
            to.push(e);
        }
    }
    if to.is_empty() {
        return (None, 0);
    }
    let addr = |e: &str| url_encode(e).replace("%40", "@");
    let subject = format!("Årlig genomgång {year} av {organisation}s konton i sociala medier");
    let body = format!(
        "Hej!\n\nDen årliga genomgången {year} av våra konton i sociala medier pågår. Du är kontoansvarig \
         för ett eller flera konton som inte är bekräftade ännu. Logga in i Kontoregistret och välj \
         \"Bekräfta kontouppgifter\" under Att göra.\n\nTack!"
    );
    let link = format!(
        "mailto:{}?subject={}&body={}",
        to.iter().map(|e| addr(e)).collect::<Vec<_>>().join(","),
        url_encode(&subject),
        url_encode(&body)
    );
    (Some(link), to.len())
}

fn by_unit(rows: Vec<Progress>) -> Vec<UnitProgress> {
    let mut units: Vec<UnitProgress> = Vec::new();
    for r in rows {
        let confirmed = usize::from(r.confirmed_at.is_some());
        match units.last_mut() {
            Some(u) if u.name == r.unit => {
                u.confirmed += confirmed;
                u.rows.push(r);
            }
            _ => units.push(UnitProgress { name: r.unit.clone(), rows: vec![r], confirmed }),
        }
    }
    units
}

pub(crate) async fn show(
    State(st): State<AppState>,
    page: Page,
    crate::auth::CurrentUser(user): crate::auth::CurrentUser,
    Path(year): Path<String>,
    Query(q): Query<OrgQuery>,
) -> AppResult<Response> {
    let year = parse_year(&year)?;
    let acc = access(&user, q.id()?)?;
    let mut conn = st.db.acquire().await?;
    let organisation = crate::reports::db::organisation_name(&mut conn, acc.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let review = db::review(&mut conn, acc.organisation_id, year).await?;
    let other_open = match review {
        Some(_) => None,
        None => db::open_review(&mut conn, acc.organisation_id).await?,
    };
    let rows = match &review {
        Some(r) => db::progress(&mut conn, r).await?,
        None => Vec::new(),
    };
    let total = rows.len();
    let confirmed = rows.iter().filter(|r| r.confirmed_at.is_some()).count();
    let (mailto, reminded) = match &review {
        Some(r) if r.is_open() => mailto(&rows, year, &organisation),
        _ => (None, 0),
    };
    render(&ProgressPage {
        page,
        year,
        organisation,
        org_param: q.param(),
        may_change: acc.may_submit,
        may_start: review.is_none() && other_open.is_none() && may_start(year, st.today()),
        review,
        other_open,
        units: by_unit(rows),
        total,
        confirmed,
        mailto,
        reminded,
    })
}
