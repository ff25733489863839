//! Kontoregistret: a municipality's register of its social-media accounts.
//! `app(state)` builds the whole router; `main.rs` only wires configuration,
//! the database and the server around it.

pub mod accounts;
mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
mod error;
mod forms;
mod health;
mod home;
pub mod import;
pub mod mail;
pub mod org;
mod people;
pub mod reports;
mod review;
pub mod state;
mod verify;
pub mod web;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// Largest form post accepted (an import's upload has `import::UPLOAD_LIMIT`).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The application: every route, with sessions, CSRF protection, security
/// headers, a body limit, a request time-out and Swedish error pages.
pub fn app(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_seconds);
    Router::new()
        .merge(home::router())
        .merge(auth::router())
        .merge(org::router())
        .merge(forms::router())
        .merge(import::router())
        .merge(accounts::router())
        .merge(people::router())
        .merge(reports::router())
        .merge(review::router())
        .merge(verify::router())
        .merge(audit::router())
        .merge(mail::router())
        .fallback(|| async { error::AppError::NotFound })
        .layer(from_fn_with_state(state.clone(), auth::touch_session))
        .layer(axum::middleware::from_fn(web::error_pages_with_menu))
        .layer(auth::layer(&state))
        .layer(axum::middleware::from_fn(auth::with_version))
        .layer(axum::middleware::from_fn(web::reject_nul_bytes))
        .layer(CsrfLayer::new())
        .route("/healthz", get(health::healthz))
        .route("/static/{*path}", get(web::static_files))
        // Form posts are held to BODY_LIMIT by `reject_nul_bytes`; only an upload may be larger.
        .layer(RequestBodyLimitLayer::new(import::UPLOAD_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        // A bug that panics still gets the Swedish 500 page, never a dropped connection.
        .layer(CatchPanicLayer::custom(web::panic_page))
        .layer(from_fn_with_state(state.clone(), web::fill_error_pages))
        .layer(from_fn_with_state(state.clone(), web::security_headers))
        .layer(from_fn_with_state(state.clone(), web::client_addr))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
