//! `/admin/plattformar`: the platforms the startup form offers.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::admin::{audit_entry, on_constraint};
use super::db::{self};
use crate::audit::{self};
use crate::auth::Admin;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, clean, flash, render, render_status};

#[derive(Template)]
#[template(path = "org/platforms.html")]
pub struct PlatformsPage {
    page: Page,
    platforms: Vec<db::Platform>,
    name: String,
    errors: FieldErrors,
}

pub async fn platforms(State(state): State<AppState>, page: Page, _: Admin) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let platforms = db::all_platforms(&mut conn).await?;
    render(&PlatformsPage { page, platforms, name: String::new(), errors: FieldErrors::default() })
}

#[derive(Deserialize)]
pub struct PlatformInput {
    #[serde(default)]
    name: String,
}

pub async fn create_platform(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<PlatformInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.db.begin().await?;
    match clean(&form.name).filter(|n| n.chars().count() <= 100) {
        None => errors.add("name", "Skriv plattformens namn (högst 100 tecken)."),
        Some(name) => {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match db::create_platform(&mut sp, &name).await {
                Ok(id) => {
                    sp.commit().await?;
                    let mut e = audit_entry(admin.user_id, "platform_created", "platform", id, &addr);
                    e.after = Some(json!({ "name": name }));
                    audit::record(&mut tx, e).await?;
                    tx.commit().await?;
                    flash(&session, FlashKind::Success, format!("Plattformen {name} är tillagd.")).await;
                    return Ok(Redirect::to("/admin/plattformar").into_response());
                }
                Err(e) => on_constraint(
                    e,
                    "platforms_name_key",
                    &mut errors,
                    "name",
                    "Den plattformen finns redan.",
                )?,
            }
        }
    }
    let platforms = db::all_platforms(&mut tx).await?;
    let p = PlatformsPage { page, platforms, name: form.name, errors };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Deserialize)]
pub struct ActiveInput {
    #[serde(default)]
    active: String,
}

pub async fn set_platform_active(
    State(state): State<AppState>,
    Admin(admin): Admin,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<ActiveInput>,
) -> AppResult<Response> {
    let active = form.active == "1";
    let mut tx = state.db.begin().await?;
    if !db::set_platform_active(&mut tx, id, active).await? {
        return Err(AppError::NotFound);
    }
    let mut e = audit_entry(admin.user_id, "platform_updated", "platform", id, &addr);
    e.after = Some(json!({ "active": active }));
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    let msg = if active {
        "Plattformen kan väljas igen."
    } else {
        "Plattformen kan inte längre väljas i nya blanketter."
    };
    flash(&session, FlashKind::Success, msg).await;
    Ok(Redirect::to("/admin/plattformar").into_response())
}
