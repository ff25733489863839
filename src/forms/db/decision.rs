//! SQL of the decision: a booked meeting, approval or rejection, and the
//! register entry made on approval.

use serde_json::Value;
use sqlx::PgConnection;

use super::form::{FormKind, FormRow};

pub(crate) async fn book_meeting(
    conn: &mut PgConnection,
    form_id: i64,
    at: time::OffsetDateTime,
    place: &str,
    participants: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update forms set meeting_at = $2, meeting_place = $3, meeting_participants = $4 where form_id = $1",
        form_id,
        at,
        place,
        participants
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn decide(
    conn: &mut PgConnection,
    form_id: i64,
    decider: i64,
    text: &str,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update forms set decided_by = $2, decided_at = now(), decision_text = $3, decision_reason = $4
         where form_id = $1",
        form_id,
        decider,
        text,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Put an approved form into the register: a new entry in state `approved`, or,
/// for an existing account, its entry updated and the missing-form flag cleared.
pub(crate) async fn register_account(conn: &mut PgConnection, form: &FormRow) -> sqlx::Result<i64> {
    let c = &form.content.0;
    let editors: Value = serde_json::to_value(c.editor_list()).unwrap_or(Value::Array(vec![]));
    let id = match form.account_id {
        Some(id) if form.kind == FormKind::ExistingAccount => {
            sqlx::query!(
                r#"update accounts set unit_id = $2, platform_id = $3, name = $4, url = $5, purpose = $6,
                          goals = $7, target_groups = $8, owner_user_id = $9, deputy_user_id = $10,
                          editors = $11, controller = $12, publishing_frequency = $13, missing_form = false,
                          updated_at = now()
                   where account_id = $1"#,
                id,
                form.unit_id,
                c.platform(),
                c.account_name,
                c.url,
                c.purpose,
                c.goals,
                c.target_groups,
                form.owner_user_id,
                c.deputy(),
                editors,
                c.controller,
                c.frequency
            )
            .execute(&mut *conn)
            .await?;
            id
        }
        _ => sqlx::query_scalar!(
            r#"insert into accounts (organisation_id, unit_id, platform_id, name, url, state, purpose, goals,
                                         target_groups, owner_user_id, deputy_user_id, editors, controller,
                                         publishing_frequency)
                   values ($1, $2, $3, $4, $5, 'approved', $6, $7, $8, $9, $10, $11, $12, $13)
                   returning account_id"#,
            form.organisation_id,
            form.unit_id,
            c.platform(),
            c.account_name,
            c.url,
            c.purpose,
            c.goals,
            c.target_groups,
            form.owner_user_id,
            c.deputy(),
            editors,
            c.controller,
            c.frequency
        )
        .fetch_one(&mut *conn)
        .await?,
    };
    sqlx::query!("update forms set account_id = $2 where form_id = $1", form.form_id, id)
        .execute(conn)
        .await?;
    Ok(id)
}
