//! The startup form (uppstartsblankett, SPEC §2) and its approval workflow:
//! the owner drafts and submits it, the unit's manager signs, the communicator
//! and the strategist review, and whoever holds the organisation's delegated
//! decision right approves, rejects, asks for completion or books a meeting.
//! Approval puts the account in the register as "Godkänt, ej startat".

pub mod content;
pub mod db;
mod handlers;
mod tasks;
pub mod workflow;

pub use tasks::tasks;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
pub use handlers::capacities;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/blanketter", get(handlers::list).post(handlers::create_form))
        .route("/blanketter/ny", get(handlers::new_form))
        .route("/blanketter/{id}", get(handlers::show))
        .route("/blanketter/{id}/redigera", get(handlers::edit_form).post(handlers::update_form))
        .route("/blanketter/{id}/atgard", post(handlers::act))
        .route("/blanketter/{id}/ta-bort", post(handlers::delete_draft))
        .route("/blanketter/{id}/utskrift", get(handlers::print))
}
