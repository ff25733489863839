//! One change of an account, written as its history row and its audit row in
//! the caller's transaction, so the two never disagree with the change itself.

use serde_json::Value;
use sqlx::PgConnection;

use crate::audit::{self, Entry};

pub struct Change<'a> {
    pub account_id: i64,
    /// The history code; the audit action is `account_{action}`.
    pub action: &'a str,
    pub comment: &'a str,
    pub before: Value,
    pub after: Value,
}

impl Change<'_> {
    pub async fn record(
        self,
        conn: &mut PgConnection,
        actor: i64,
        client_addr: Option<&str>,
    ) -> sqlx::Result<()> {
        super::db::event(conn, self.account_id, actor, self.action, self.comment, Some(self.after.clone()))
            .await?;
        audit::record(
            conn,
            Entry {
                actor: Some(actor),
                action: &format!("account_{}", self.action),
                entity_type: "account",
                entity_id: Some(self.account_id),
                before: Some(self.before),
                after: Some(self.after),
                client_addr,
            },
        )
        .await
    }
}
