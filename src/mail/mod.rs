//! E-mail notifications (issue 15): a mail is a row in the outbox, written
//! in the same transaction as the event it tells about, so a rolled-back
//! event sends nothing; `worker` sends the rows through SMTP and retries with
//! backoff, and with several servers each row is sent once (`FOR UPDATE SKIP
//! LOCKED`). `events` has the Swedish texts and who gets them; `outbox` is
//! the administrator's page.

pub mod db;
pub(crate) mod events;
mod outbox;
pub mod reminders;
pub mod worker;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/utskick", get(outbox::list))
        .route("/admin/utskick/{id}/forsok-igen", post(outbox::retry))
}

/// One mail to write to the outbox.
#[derive(Debug, Clone)]
pub struct Mail {
    pub kind: &'static str,
    pub subject: String,
    /// Paragraphs of plain text.
    pub paragraphs: Vec<String>,
    pub link_label: String,
    /// A path on this site, e.g. `/blanketter/12`.
    pub link_path: String,
}

/// Someone a mail goes to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}
