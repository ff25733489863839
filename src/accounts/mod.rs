//! The account register (SPEC §3) and the account's life after approval:
//! start with its checklist, yearly archiving, closure, incidents, and changes
//! of people and data. Every change is in the account's history and the audit log.

mod action;
pub(crate) mod address;
mod archiving;
pub(crate) mod change;
mod closure;
pub mod db;
mod details;
mod incidents;
mod overview;
mod page;
mod people;
mod register;
pub(crate) mod rules;
mod start;
pub(crate) mod tasks;
mod visibility;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
pub(crate) use action::Can;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/konton", get(register::register))
        .route("/konton/{id}", get(page::show))
        .route("/konton/{id}/start", post(start::start))
        .route("/konton/{id}/checklista", post(start::checklist))
        .route("/konton/{id}/inloggning", post(start::confirm_credentials))
        .route("/konton/{id}/arkivering", post(archiving::archive))
        .route("/konton/{id}/avslut", post(closure::request_closure))
        .route("/konton/{id}/avslut/beslut", post(closure::decide_closure))
        .route("/konton/{id}/avslut/annonserat", post(closure::announced))
        .route("/konton/{id}/avslut/stang", post(closure::close))
        .route("/konton/{id}/avvikelser", post(incidents::report_incident))
        .route("/konton/{id}/avvikelser/{iid}", post(incidents::follow_up_incident))
        .route("/konton/{id}/ansvariga", post(people::change_people))
        .route("/konton/{id}/uppgifter", post(details::update_descriptive))
        .route("/konton/{id}/oppna-data", post(visibility::set_open_data))
        .route("/arkivering", get(overview::archiving))
}
