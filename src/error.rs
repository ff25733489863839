//! The one error type of the application. It renders the Swedish error page;
//! a 5xx logs its cause and shows the user only a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::web::{ErrorPage, render_status};

pub(crate) type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// Missing, or outside the user's scope (existence is not disclosed).
    #[error("not found")]
    NotFound,
    /// Not logged in: redirect to the login page, then back to `next`.
    #[error("not logged in")]
    Unauthorized { next: String },
    /// In scope, but the user lacks the role for this action.
    /// Logged in with a one-time password: change it first.
    #[error("must change password")]
    MustChangePassword,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A workflow step that no longer applies (stale page, double click, race).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input that cannot be shown back in its form (the form pages handle their own 422).
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("too many requests")]
    TooManyRequests(String),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("template: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl AppError {
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }

    /// Whether the error means the database cannot be reached right now.
    pub fn is_unavailable(&self) -> bool {
        match self {
            AppError::Sqlx(e) => is_unavailable(e),
            AppError::Other(e) => {
                e.chain().any(|c| c.downcast_ref::<sqlx::Error>().is_some_and(is_unavailable))
            }
            _ => false,
        }
    }
}

/// Whether `e` violates the unique constraint (or unique index) `constraint`,
/// by its name in the migrations: only that one becomes a message on a field;
/// any other violation is a bug and stays an error.
pub(crate) fn violates(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation() && d.constraint() == Some(constraint))
}

/// Pool time-outs, I/O and protocol errors on a cut connection, and the
/// server's connection-exception, shutdown and resource classes (08, 57P, 53)
/// mean the database is away, not that we are broken.
pub(crate) fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed
    ) || matches!(e, sqlx::Error::Database(d) if d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08") || c.starts_with("53")))
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            AppError::NotFound => (StatusCode::NOT_FOUND, None),
            AppError::Unauthorized { next } => {
                let target = if next.is_empty() || next == "/" {
                    "/logga-in".to_string()
                } else {
                    format!("/logga-in?next={}", crate::web::url_encode(next))
                };
                return Redirect::to(&target).into_response();
            }
            AppError::MustChangePassword => return Redirect::to("/konto/losenord").into_response(),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, Some(m.clone())),
            AppError::Conflict(m) => (StatusCode::CONFLICT, Some(m.clone())),
            AppError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, Some(m.clone())),
            AppError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, Some(m.clone())),
            AppError::Sqlx(sqlx::Error::RowNotFound) => (StatusCode::NOT_FOUND, None),
            e if e.is_unavailable() => {
                tracing::warn!("database unavailable: {e}");
                (StatusCode::SERVICE_UNAVAILABLE, None)
            }
            e => {
                tracing::error!("internal error: {e:#}");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        let mut res = render_status(status, &ErrorPage::new(status, message.clone()));
        res.extensions_mut().insert(crate::web::ErrorShown { status, message });
        res
    }
}
