//! `/admin/utskick`: the administrator's outbox: queued, sent and failed
//! mails with their error, filterable by state, and "Försök igen".

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::db::{self, MailState, Row};
use crate::audit::{self, Entry};
use crate::auth::{Actor, Admin};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FlashKind, Page, flash, render};

#[derive(Template)]
#[template(path = "mail/outbox.html")]
pub(crate) struct OutboxPage {
    page: Page,
    rows: Vec<Row>,
    visa: String,
    queued: i64,
    sent: i64,
    failed: i64,
    configured: bool,
}

impl OutboxPage {
    fn state_text(&self, r: &Row) -> String {
        match r.state {
            MailState::Sent => "Skickat".into(),
            MailState::Failed => "Misslyckades".into(),
            MailState::Queued if !self.configured => "Ej skickat (ingen e-postserver konfigurerad)".into(),
            MailState::Queued if r.attempts > 0 => format!("Nytt försök {}", r.next_attempt_at),
            MailState::Queued => "I kö".into(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    visa: String,
}

pub(crate) async fn list(
    State(st): State<AppState>,
    page: Page,
    _: Admin,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let state = match q.visa.as_str() {
        "ko" => Some(MailState::Queued),
        "skickade" => Some(MailState::Sent),
        "misslyckade" => Some(MailState::Failed),
        _ => None,
    };
    let mut conn = st.db.acquire().await?;
    let (queued, sent, failed) = db::counts(&mut conn).await?;
    render(&OutboxPage {
        page,
        rows: db::list(&mut conn, state, 200).await?,
        visa: if state.is_some() { q.visa } else { String::new() },
        queued,
        sent,
        failed,
        configured: st.config.smtp_url.is_some(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RetryInput {}

pub(crate) async fn retry(
    State(st): State<AppState>,
    _: Admin,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(_): Form<RetryInput>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    if !db::retry(&mut tx, id).await? {
        return Err(AppError::conflict("Brevet är redan skickat, eller finns inte."));
    }
    audit::record(
        &mut tx,
        Entry::new("mail_retried", "mail", id)
            .by(user.user_id, addr.as_deref())
            .after(json!({ "state": "queued" })),
    )
    .await?;
    tx.commit().await?;
    flash(&session, FlashKind::Success, "Brevet skickas igen inom en minut.").await;
    Ok(Redirect::to("/admin/utskick?visa=ko").into_response())
}
