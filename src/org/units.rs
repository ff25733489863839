//! An organisation's units: created on its page, edited at `/admin/enheter/{id}`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::admin::{audit_entry, on_constraint};
use super::db::{self, Unit};
use super::organisations::{OrgInput, OrganisationEdit, delegable_roles, org_or_404};
use crate::audit::{self};
use crate::auth::Admin;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, clean, flash, render, render_status};

#[derive(Deserialize)]
pub struct UnitInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: Option<String>,
}

pub(super) fn parse_unit_name(name: &str, errors: &mut FieldErrors) -> Option<String> {
    let n = clean(name);
    if n.is_none() {
        errors.add("unit_name", "Fyll i enhetens namn.");
    } else if name.chars().count() > 200 {
        errors.add("unit_name", "Namnet får ha högst 200 tecken.");
        return None;
    }
    n
}

pub async fn create_unit(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<UnitInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let org = org_or_404(&mut tx, id).await?;
    let mut errors = FieldErrors::default();
    if let Some(name) = parse_unit_name(&form.name, &mut errors) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::create_unit(&mut sp, id, &name).await {
            Ok(unit_id) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "unit_created", "unit", unit_id, &addr);
                e.after = Some(json!({ "organisation_id": id, "name": name }));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, format!("Enheten {name} är skapad.")).await;
                return Ok(Redirect::to(&format!("/admin/organisationer/{id}#enheter")).into_response());
            }
            Err(e) => on_constraint(
                e,
                "units_name_key",
                &mut errors,
                "unit_name",
                "Organisationen har redan en enhet med det namnet.",
            )?,
        }
    }
    let units = db::units_of(&mut tx, id).await?;
    let p = OrganisationEdit {
        page,
        form: OrgInput::from_org(&org),
        org,
        errors: FieldErrors::default(),
        roles: delegable_roles(),
        units,
        unit_name: form.name,
        unit_errors: errors,
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Template)]
#[template(path = "org/unit_edit.html")]
pub struct UnitEdit {
    page: Page,
    unit: Unit,
    name: String,
    active: bool,
    errors: FieldErrors,
}

pub async fn unit_edit(
    State(state): State<AppState>,
    page: Page,
    _: Admin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let unit = db::unit(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    render(&UnitEdit {
        page,
        name: unit.name.clone(),
        active: unit.active,
        unit,
        errors: FieldErrors::default(),
    })
}

pub async fn update_unit(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<UnitInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let unit = db::unit(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let active = form.active.is_some();
    if let Some(name) = parse_unit_name(&form.name, &mut errors) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::update_unit(&mut sp, id, &name, active).await {
            Ok(()) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "unit_updated", "unit", id, &addr);
                e.before = Some(json!({ "name": unit.name, "active": unit.active }));
                e.after = Some(json!({ "name": name, "active": active }));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, "Ändringarna är sparade.").await;
                return Ok(Redirect::to(&format!("/admin/organisationer/{}#enheter", unit.organisation_id))
                    .into_response());
            }
            Err(e) => on_constraint(
                e,
                "units_name_key",
                &mut errors,
                "unit_name",
                "Organisationen har redan en enhet med det namnet.",
            )?,
        }
    }
    let p = UnitEdit { page, unit, name: form.name, active, errors };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}
