//! The account register (SPEC §3) and the account's life after approval:
//! start with its checklist, yearly archiving, closure, incidents, and changes
//! of people and data. Every change is in the account's history and the audit log.

pub mod change;
pub mod db;
mod handlers;
mod overview;
pub mod rules;
pub mod tasks;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
pub use handlers::{Can, PAGE_SIZE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/konton", get(handlers::register))
        .route("/konton/{id}", get(handlers::show))
        .route("/konton/{id}/start", post(handlers::start))
        .route("/konton/{id}/checklista", post(handlers::checklist))
        .route("/konton/{id}/inloggning", post(handlers::confirm_credentials))
        .route("/konton/{id}/arkivering", post(handlers::archive))
        .route("/konton/{id}/avslut", post(handlers::request_closure))
        .route("/konton/{id}/avslut/beslut", post(handlers::decide_closure))
        .route("/konton/{id}/avslut/annonserat", post(handlers::announced))
        .route("/konton/{id}/avslut/stang", post(handlers::close))
        .route("/konton/{id}/avvikelser", post(handlers::report_incident))
        .route("/konton/{id}/avvikelser/{iid}", post(handlers::follow_up_incident))
        .route("/konton/{id}/ansvariga", post(handlers::change_people))
        .route("/konton/{id}/uppgifter", post(handlers::update_descriptive))
        .route("/arkivering", get(overview::archiving))
}
