//! `/admin/plattformar`: the platforms the startup form offers.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::admin::{AdminChange, Unique};
use super::db::{self};
use crate::audit::Entry;
use crate::auth::AdminView;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, Page, clean, render, render_status};

#[derive(Template)]
#[template(path = "org/platforms.html")]
pub(crate) struct PlatformsPage {
    page: Page,
    platforms: Vec<db::Platform>,
    name: String,
    errors: FieldErrors,
}

pub(crate) async fn platforms(AdminView { page, mut conn }: AdminView) -> AppResult<Response> {
    let platforms = db::all_platforms(&mut conn).await?;
    render(&PlatformsPage { page, platforms, name: String::new(), errors: FieldErrors::default() })
}

#[derive(Deserialize)]
pub(crate) struct PlatformInput {
    #[serde(default)]
    name: String,
}

/// A platform's name is unique.
const PLATFORM_NAME: Unique =
    Unique { constraint: "platforms_name_key", field: "name", message: "Den plattformen finns redan." };

pub(crate) async fn create_platform(
    mut ch: AdminChange,
    Form(form): Form<PlatformInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    match clean(&form.name).filter(|n| n.chars().count() <= 100) {
        None => errors.add("name", "Skriv plattformens namn (högst 100 tecken)."),
        Some(name) => {
            if let Some(id) =
                ch.unique(&PLATFORM_NAME, &mut errors, async |c| db::create_platform(c, &name).await).await?
            {
                let entry = Entry::new("platform_created", "platform", id).after(json!({ "name": name }));
                return ch.done(entry, format!("Plattformen {name} är tillagd."), "/admin/plattformar").await;
            }
        }
    }
    let platforms = db::all_platforms(&mut ch.tx).await?;
    let p = PlatformsPage { page: ch.page, platforms, name: form.name, errors };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Deserialize)]
pub(crate) struct ActiveInput {
    #[serde(default)]
    active: String,
}

pub(crate) async fn set_platform_active(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(form): Form<ActiveInput>,
) -> AppResult<Response> {
    let active = form.active == "1";
    if !db::set_platform_active(&mut ch.tx, id, active).await? {
        return Err(AppError::NotFound);
    }
    let entry = Entry::new("platform_updated", "platform", id).after(json!({ "active": active }));
    let msg = if active {
        "Plattformen kan väljas igen."
    } else {
        "Plattformen kan inte längre väljas i nya blanketter."
    };
    ch.done(entry, msg, "/admin/plattformar").await
}
