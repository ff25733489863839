//! The confirmation step before an irreversible action (approve or reject a
//! form, close an account, reset a password): a page that repeats what is
//! about to happen and posts the same fields again with `bekraftat=ja`. It is
//! a plain form, so it works without JavaScript.

use askama::Template;
use axum::response::Response;

use super::{Page, render};

/// Whether the posted value of `bekraftat` confirms the action.
pub(crate) fn confirmed(value: &str) -> bool {
    value == "ja"
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub(crate) struct Confirm {
    pub page: Page,
    /// The question, e.g. "Godkänna blanketten SM-2026-0003?".
    pub heading: String,
    /// What will happen, and that it cannot be undone.
    pub lead: String,
    /// What the action carries, shown as facts (label, value).
    pub facts: Vec<(String, String)>,
    /// Where the confirmed post goes, and the fields it repeats.
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub button: String,
    /// Where "Avbryt" leads: the page the action was started from.
    pub cancel: String,
}

impl Confirm {
    pub fn render<E: From<askama::Error>>(&self) -> Result<Response, E> {
        render(self)
    }
}
