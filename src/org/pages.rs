//! The organisation pages that communicators, strategists, archivists and SLK see.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::db::{self, Organisation, Person, Unit};
use crate::auth::{OrgViewer, Role, Viewer, require};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{Page, render};

#[derive(Template)]
#[template(path = "org/my_organisations.html")]
pub(crate) struct MyOrganisations {
    page: Page,
    organisations: Vec<Organisation>,
}

pub(crate) async fn my_organisations(
    State(state): State<AppState>,
    page: Page,
    OrgViewer(user): OrgViewer,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let organisations = db::organisations_in_scope(&mut conn, user.user_id).await?;
    render(&MyOrganisations { page, organisations })
}

#[derive(Template)]
#[template(path = "org/organisation.html")]
pub(crate) struct OrganisationPage {
    page: Page,
    org: Organisation,
    units: Vec<Unit>,
    people: Vec<Person>,
}

/// An organisation's units and people. Outside the user's scope: 404; in
/// scope without a viewing role (owner, manager): 403.
pub(crate) async fn organisation(
    Viewer { st: state, page, user }: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let org = db::organisation_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    require(&user, Role::ORG_VIEWERS)?;
    let units = db::units_of(&mut conn, id).await?;
    let people = db::people_of(&mut conn, id).await?;
    render(&OrganisationPage { page, org, units, people })
}
