//! The administration's overview page, and what its pages share: a named
//! unique violation as a field error, and the audit entry of an admin action.

use askama::Template;
use axum::response::Response;

use crate::audit::Entry;
use crate::auth::Admin;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, Page, render};

/// A violation of the unique `constraint` becomes the error `msg` on `field`;
/// any other error passes through.
pub(super) fn on_constraint(
    e: sqlx::Error,
    constraint: &str,
    errors: &mut FieldErrors,
    field: &str,
    msg: &str,
) -> Result<(), AppError> {
    if crate::error::violates(&e, constraint) {
        errors.add(field, msg);
        Ok(())
    } else {
        Err(e.into())
    }
}

pub(super) fn audit_entry<'a>(
    actor: i64,
    action: &'a str,
    entity_type: &'a str,
    entity_id: i64,
    addr: &'a Option<String>,
) -> Entry<'a> {
    Entry {
        actor: Some(actor),
        action,
        entity_type,
        entity_id: Some(entity_id),
        client_addr: addr.as_deref(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "org/admin_index.html")]
pub struct AdminIndex {
    page: Page,
}

pub async fn admin_index(page: Page, _: Admin) -> AppResult<Response> {
    render(&AdminIndex { page })
}
