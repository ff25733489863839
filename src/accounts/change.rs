//! One change of an account, written as its history row and its audit row in
//! the caller's transaction, so the two never disagree with the change itself.

use serde_json::Value;
use sqlx::PgConnection;

use crate::audit::{self, Entry};

pub(crate) struct Change<'a> {
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

#[cfg(test)]
mod tests {
    /// Every history code the code writes has Swedish words: a new `Change`
    /// without a label fails here.
    #[test]
    fn every_history_code_has_a_label() {
        let mut codes = Vec::new();
        let actions = [
            include_str!("start.rs"),
            include_str!("archiving.rs"),
            include_str!("closure.rs"),
            include_str!("incidents.rs"),
            include_str!("people.rs"),
            include_str!("details.rs"),
            include_str!("visibility.rs"),
            include_str!("../review/confirm.rs"),
        ]
        .concat();
        // Change { account_id, action: "code", … }
        for part in actions.split("action: ").skip(1) {
            for piece in part.split('\n').next().unwrap_or("").split('"').skip(1).step_by(2) {
                codes.push(piece.to_string());
            }
        }
        for part in include_str!("../demo.rs").split("values ($1, $2, '").skip(1) {
            codes.push(part.split('\'').next().unwrap_or("").to_string());
        }
        assert!(codes.iter().any(|c| c == "closed") && codes.iter().any(|c| c == "confirmed"), "{codes:?}");
        for c in
            codes.iter().filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        {
            assert!(
                super::super::rules::event_label(c).is_some(),
                "no Swedish label for the history code {c:?}"
            );
        }
        assert_eq!(super::super::rules::event_label("nonsense"), None);
    }
}
