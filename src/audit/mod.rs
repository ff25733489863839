//! The append-only audit log: one row per state change, written in the same
//! transaction as the change (a trigger refuses UPDATE and DELETE), and the
//! administrator's page that lists it with filters.

mod handlers;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use sqlx::PgConnection;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/admin/logg", get(handlers::list))
}

/// One audit entry. `before`/`after` hold the changed fields as JSON.
#[derive(Debug, Default)]
pub(crate) struct Entry<'a> {
    pub actor: Option<i64>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub client_addr: Option<&'a str>,
}

impl<'a> Entry<'a> {
    /// What happened (`action`) to one thing (`entity_type`, `entity_id`).
    pub fn new(action: &'a str, entity_type: &'a str, entity_id: i64) -> Self {
        Entry { action, entity_type, entity_id: Some(entity_id), ..Entry::default() }
    }
    /// Done by `actor`, from `client_addr`.
    pub fn by(self, actor: i64, client_addr: Option<&'a str>) -> Self {
        Entry { actor: Some(actor), client_addr, ..self }
    }
    /// The changed fields before the change.
    pub fn before(self, before: Value) -> Self {
        Entry { before: Some(before), ..self }
    }
    /// The changed fields after the change.
    pub fn after(self, after: Value) -> Self {
        Entry { after: Some(after), ..self }
    }
}

/// Write an audit row on the caller's connection (normally its transaction).
pub(crate) async fn record(conn: &mut PgConnection, e: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into audit_log (actor_user_id, action, entity_type, entity_id, before, after, client_addr)
         values ($1, $2, $3, $4, $5, $6, $7)",
        e.actor,
        e.action,
        e.entity_type,
        e.entity_id,
        e.before,
        e.after,
        e.client_addr
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Swedish label of an action code, for the log page.
pub(crate) fn action_label(action: &str) -> &str {
    match action {
        "login" => "Inloggning",
        "login_failed" => "Misslyckad inloggning",
        "account_locked" => "Inloggning spärrad från en adress",
        "logout" => "Utloggning",
        "password_changed" => "Lösenord bytt",
        "password_reset" => "Lösenord återställt",
        "password_change_failed" => "Fel nuvarande lösenord vid lösenordsbyte",
        "organisation_created" => "Organisation skapad",
        "organisation_updated" => "Organisation ändrad",
        "unit_created" => "Enhet skapad",
        "unit_updated" => "Enhet ändrad",
        "user_created" => "Användare skapad",
        "user_updated" => "Användare ändrad",
        "role_granted" => "Roll tilldelad",
        "role_revoked" => "Roll borttagen",
        "platform_created" => "Plattform tillagd",
        "platform_updated" => "Plattform ändrad",
        "document_published" => "Styrdokument publicerat",
        "document_acknowledged" => "Styrdokument läst",
        "training_recorded" => "Utbildning registrerad",
        "demo_seeded" => "Demodata skapade",
        "form_created" => "Blankett skapad",
        "form_edited" => "Blankett ändrad",
        "form_draft_deleted" => "Utkast borttaget",
        "form_submit" => "Blankett skickad till chef",
        "form_sign" => "Blankett underskriven",
        "form_return" => "Blankett skickad tillbaka",
        "form_comment" => "Kommentar på blankett",
        "form_return_for_completion" => "Komplettering begärd",
        "form_book_meeting" => "Möte bokat",
        "form_approve" => "Blankett godkänd",
        "form_reject" => "Blankett avslagen",
        "form_withdraw" => "Blankett återkallad",
        "account_created" => "Konto registrerat",
        "account_form_approved" => "Blankett för befintligt konto godkänd",
        "slk_report_submitted" => "SLK-rapport inlämnad",
        "review_started" => "Årlig genomgång startad",
        "review_closed" => "Årlig genomgång avslutad",
        "import_uploaded" => "Kontolista uppladdad för förhandsgranskning",
        "import_columns_set" => "Kolumner kopplade för import",
        "import_committed" => "Kontolista importerad",
        "mail_retried" => "Utskick försökt igen",
        "mail_preference_changed" => "Val för e-post ändrat",
        other => match other.strip_prefix("account_").and_then(crate::accounts::rules::event_label) {
            Some(label) => label,
            None => other,
        },
    }
}
