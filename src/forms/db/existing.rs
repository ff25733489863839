//! SQL of a form for an account already in use: what it starts with, and the
//! accounts that still lack one.

use sqlx::PgConnection;

use crate::org::db::Choice;

/// What a form for an existing account starts with: the account's own data.
pub(crate) struct Prefill {
    pub organisation_id: i64,
    pub unit_id: i64,
    pub platform_id: i64,
    pub name: String,
    pub url: String,
    pub purpose: String,
    pub goals: String,
    pub target_groups: String,
}

/// The account, when it lacks a startup form and is not closed.
pub(crate) async fn prefill(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Option<Prefill>> {
    sqlx::query_as!(
        Prefill,
        r#"select organisation_id, unit_id, platform_id, name, url, purpose, goals, target_groups
           from accounts where account_id = $1 and missing_form and state <> 'closed'"#,
        account_id
    )
    .fetch_optional(conn)
    .await
}

/// Register entries of the organisation that still lack a startup form.
pub(crate) async fn accounts_missing_form(
    conn: &mut PgConnection,
    organisation_id: i64,
) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select a.account_id as id, p.name || ': ' || a.name || case when a.url <> '' then ' (' || a.url || ')' else '' end as "label!"
           from accounts a join platforms p using (platform_id)
           where a.organisation_id = $1 and a.missing_form and a.state <> 'closed'
           order by p.name, a.name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}

/// Organisation name and the default controller text for a new form.
pub(crate) async fn organisation_name(
    conn: &mut PgConnection,
    organisation_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "select name from organisations where organisation_id = $1 and active",
        organisation_id
    )
    .fetch_optional(conn)
    .await
}
