//! The administration's overview page, and what its actions share: the
//! change itself (`AdminChange`) and a named unique violation as a field error.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{PgConnection, Postgres, Transaction};
use tower_sessions::Session;

use crate::audit::{self, Entry};
use crate::auth::{Actor, Admin, User};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, FlashKind, Page, flash, render};

/// A unique constraint of the migrations, and the message its violation
/// gives on the form's field.
pub(super) struct Unique {
    pub constraint: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// One change by an administrator, as every action of the administration
/// takes it: the transaction it is made in, who makes it (their session and
/// address), the page to show a refusal on, and how it ends.
pub(super) struct AdminChange {
    pub tx: Transaction<'static, Postgres>,
    pub admin: User,
    pub page: Page,
    session: Session,
    addr: Option<String>,
}

impl FromRequestParts<AppState> for AdminChange {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> AppResult<Self> {
        let Admin(admin) = Admin::from_request_parts(parts, st).await?;
        let Ok(page) = Page::from_request_parts(parts, st).await;
        let Actor { session, addr, .. } = Actor::from_request_parts(parts, st).await?;
        let tx = st.db.begin().await?;
        Ok(AdminChange { tx, admin, page, session, addr })
    }
}

impl AdminChange {
    /// Make the write under a savepoint: a violation of the `unique`
    /// constraint becomes its message on the field (and `None`); any other
    /// error stays an error.
    pub(super) async fn unique<T>(
        &mut self,
        unique: &Unique,
        errors: &mut FieldErrors,
        write: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<T>,
    ) -> AppResult<Option<T>> {
        let mut sp = sqlx::Connection::begin(&mut *self.tx).await?;
        match write(&mut sp).await {
            Ok(v) => {
                sp.commit().await?;
                Ok(Some(v))
            }
            Err(e) if crate::error::violates(&e, unique.constraint) => {
                errors.add(unique.field, unique.message);
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The change's audit row: by this administrator, from their address.
    pub(super) async fn audit(&mut self, entry: Entry<'_>) -> AppResult<()> {
        let entry = Entry { actor: Some(self.admin.user_id), client_addr: self.addr.as_deref(), ..entry };
        Ok(audit::record(&mut self.tx, entry).await?)
    }

    /// The end of a change: its audit row, commit, the flash `message`, and
    /// on to `to`.
    pub(super) async fn done(
        mut self,
        entry: Entry<'_>,
        message: impl Into<String>,
        to: &str,
    ) -> AppResult<Response> {
        self.audit(entry).await?;
        self.tx.commit().await?;
        flash(&self.session, FlashKind::Success, message).await;
        Ok(Redirect::to(to).into_response())
    }
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "org/admin_index.html")]
pub(crate) struct AdminIndex {
    page: Page,
}

pub(crate) async fn admin_index(page: Page, _: Admin) -> AppResult<Response> {
    render(&AdminIndex { page })
}
