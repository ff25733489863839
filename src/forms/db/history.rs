//! SQL of a form's history and its signatures.

use sqlx::PgConnection;
use sqlx::types::Json;

use crate::forms::content::FormContent;
use crate::forms::workflow::FormState;
use crate::web::Dt;

/// One entry of a form's history.
pub(crate) struct NewEvent<'a> {
    pub form_id: i64,
    pub actor: i64,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub from: Option<FormState>,
    pub to: Option<FormState>,
    pub comment: &'a str,
}

impl<'a> NewEvent<'a> {
    /// A step the owner takes ("Kontoansvarig"): create, edit, submit.
    pub(crate) fn by_owner(
        form_id: i64,
        actor: i64,
        action: &'a str,
        from: Option<FormState>,
        to: Option<FormState>,
        comment: &'a str,
    ) -> Self {
        NewEvent { form_id, actor, actor_role: "Kontoansvarig", action, from, to, comment }
    }
}

pub(crate) async fn record_event(conn: &mut PgConnection, e: NewEvent<'_>) -> sqlx::Result<()> {
    let NewEvent { form_id, actor, actor_role, action, from, to, comment } = e;
    sqlx::query!(
        r#"insert into form_events (form_id, actor_user_id, actor_role, action, from_state, to_state, comment)
           values ($1, $2, $3, $4, $5, $6, $7)"#,
        form_id,
        actor,
        actor_role,
        action,
        from as Option<FormState>,
        to as Option<FormState>,
        comment
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub at: Dt,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub to_state: Option<FormState>,
    pub comment: String,
}

pub(crate) async fn events(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as!(
        Event,
        r#"select e.at as "at: Dt", u.name as actor_name, e.actor_role, e.action,
                  e.to_state as "to_state: FormState", e.comment
           from form_events e join users u on u.user_id = e.actor_user_id
           where e.form_id = $1 order by e.event_id"#,
        form_id
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn sign(
    conn: &mut PgConnection,
    form_id: i64,
    signer: i64,
    content: &FormContent,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into form_signatures (form_id, signer_user_id, content) values ($1, $2, $3)",
        form_id,
        signer,
        Json(content) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An edit after signing: the signature no longer covers the content (it is kept).
pub(crate) async fn invalidate_signatures(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query!("update form_signatures set valid = false where form_id = $1 and valid", form_id)
        .execute(conn)
        .await?
        .rows_affected())
}

#[derive(Debug, Clone)]
pub(crate) struct Signature {
    pub signer_name: String,
    pub signer_title: String,
    pub signed_at: Dt,
    pub valid: bool,
}

/// Signatures, newest first.
pub(crate) async fn signatures(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<Vec<Signature>> {
    sqlx::query_as!(
        Signature,
        r#"select u.name as signer_name, u.title as signer_title, s.signed_at as "signed_at: Dt", s.valid
           from form_signatures s join users u on u.user_id = s.signer_user_id
           where s.form_id = $1 order by s.signature_id desc"#,
        form_id
    )
    .fetch_all(conn)
    .await
}
