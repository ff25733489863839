//! An organisation's units: created on its page, edited at `/admin/enheter/{id}`.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::admin::{AdminChange, Unique};
use super::db::{self, Unit};
use super::organisations::{OrgInput, OrganisationEdit, delegable_roles, org_or_404};
use crate::audit::Entry;
use crate::auth::AdminView;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, Page, clean, render, render_status};

#[derive(Deserialize)]
pub(crate) struct UnitInput {
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

/// The unit's name is unique within its organisation.
const UNIT_NAME: Unique = Unique {
    constraint: "units_name_key",
    field: "unit_name",
    message: "Organisationen har redan en enhet med det namnet.",
};

pub(crate) async fn create_unit(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(form): Form<UnitInput>,
) -> AppResult<Response> {
    let org = org_or_404(&mut ch.tx, id).await?;
    let mut errors = FieldErrors::default();
    if let Some(name) = parse_unit_name(&form.name, &mut errors)
        && let Some(unit_id) =
            ch.unique(&UNIT_NAME, &mut errors, async |c| db::create_unit(c, id, &name).await).await?
    {
        let after = json!({ "organisation_id": id, "name": name });
        let entry = Entry::new("unit_created", "unit", unit_id).after(after);
        return ch
            .done(entry, format!("Enheten {name} är skapad."), &format!("/admin/organisationer/{id}#enheter"))
            .await;
    }
    let units = db::units_of(&mut ch.tx, id).await?;
    let p = OrganisationEdit {
        page: ch.page,
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
pub(crate) struct UnitEdit {
    page: Page,
    unit: Unit,
    name: String,
    active: bool,
    errors: FieldErrors,
}

pub(crate) async fn unit_edit(
    AdminView { page, mut conn }: AdminView,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let unit = db::unit(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    render(&UnitEdit {
        page,
        name: unit.name.clone(),
        active: unit.active,
        unit,
        errors: FieldErrors::default(),
    })
}

pub(crate) async fn update_unit(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(form): Form<UnitInput>,
) -> AppResult<Response> {
    let unit = db::unit(&mut ch.tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let active = form.active.is_some();
    if let Some(name) = parse_unit_name(&form.name, &mut errors)
        && let Some(()) =
            ch.unique(&UNIT_NAME, &mut errors, async |c| db::update_unit(c, id, &name, active).await).await?
    {
        let entry = Entry::new("unit_updated", "unit", id)
            .before(json!({ "name": unit.name, "active": unit.active }))
            .after(json!({ "name": name, "active": active }));
        let to = format!("/admin/organisationer/{}#enheter", unit.organisation_id);
        return ch.done(entry, "Ändringarna är sparade.", &to).await;
    }
    let p = UnitEdit { page: ch.page, unit, name: form.name, active, errors };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}
