//! The startup form (uppstartsblankett, SPEC §2) and its approval workflow:
//! the owner drafts and submits it, the unit's manager signs, the communicator
//! and the strategist review, and whoever holds the organisation's delegated
//! decision right approves, rejects, asks for completion or books a meeting.
//! Approval puts the account in the register as "Godkänt, ej startat".

mod act;
pub(crate) mod content;
pub(crate) mod db;
mod edit;
mod form;
mod list;
mod new;
mod show;
mod submit;
mod tasks;
pub(crate) mod workflow;

pub(crate) use tasks::tasks;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/blanketter", get(list::list).post(new::create_form))
        .route("/blanketter/ny", get(new::new_form))
        .route("/blanketter/{id}", get(show::show))
        .route("/blanketter/{id}/redigera", get(edit::edit_form).post(edit::update_form))
        .route("/blanketter/{id}/atgard", post(act::act))
        .route("/blanketter/{id}/ta-bort", post(submit::delete_draft))
        .route("/blanketter/{id}/utskrift", get(show::print))
}
