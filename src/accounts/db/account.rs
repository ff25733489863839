//! SQL of one account: loaded in scope, locked for an action, its history
//! and its forms.

use serde_json::Value;
use sqlx::PgConnection;
use time::Date;

use super::Scope;
use crate::accounts::rules::AccountState;
use crate::auth::Role;
use crate::web::Dt;

/// An account on its page.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub account_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub decision_holder: String,
    pub delegated_role: Role,
    pub closure_days: i32,
    pub unit_id: i64,
    pub unit: String,
    pub platform_id: i64,
    pub platform: String,
    pub name: String,
    pub url: String,
    pub state: AccountState,
    pub purpose: String,
    pub goals: String,
    pub target_groups: String,
    pub owner_user_id: Option<i64>,
    pub owner: Option<String>,
    pub owner_email: Option<String>,
    pub deputy_user_id: Option<i64>,
    pub deputy: Option<String>,
    /// An owner or deputy an import found no user for, as the list wrote them.
    pub owner_text: String,
    pub deputy_text: String,
    pub editors: Value,
    pub controller: String,
    pub missing_form: bool,
    pub start_date: Option<Date>,
    pub closed_date: Option<Date>,
    pub profile_picture_done: bool,
    pub basic_info_done: bool,
    pub credentials_holder: Option<String>,
    pub credentials_confirmed_at: Option<Dt>,
    pub announcement_start: Option<Date>,
    pub announcement_end: Option<Date>,
    pub announced_at: Option<Dt>,
    pub last_confirmed_on: Option<Date>,
    pub followers: Option<i32>,
    pub publishing_frequency: String,
    pub open_data: bool,
}

pub(crate) async fn account_in_scope(
    conn: &mut PgConnection,
    s: &Scope,
    id: i64,
) -> sqlx::Result<Option<Account>> {
    sqlx::query_as!(
        Account,
        r#"select a.account_id, a.organisation_id, o.name as organisation, o.decision_holder,
                  o.delegated_role as "delegated_role: Role", o.closure_announcement_days as closure_days,
                  a.unit_id, un.name as unit, a.platform_id, p.name as platform, a.name, a.url,
                  a.state as "state: AccountState", a.purpose, a.goals, a.target_groups,
                  a.owner_user_id, ow.name as "owner?", ow.email as "owner_email?",
                  a.deputy_user_id, dep.name as "deputy?", a.owner_text, a.deputy_text, a.editors, a.controller, a.missing_form,
                  a.start_date, a.closed_date, a.profile_picture_done, a.basic_info_done,
                  ch.name as "credentials_holder?", a.credentials_confirmed_at as "credentials_confirmed_at: Dt",
                  a.announcement_start, a.announcement_end, a.announced_at as "announced_at: Dt",
                  a.last_confirmed_on, a.followers, a.publishing_frequency, a.open_data
           from accounts a
           join platforms p on p.platform_id = a.platform_id
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           left join users ow on ow.user_id = a.owner_user_id
           left join users dep on dep.user_id = a.deputy_user_id
           left join users ch on ch.user_id = a.credentials_holder_user_id
           where a.account_id = $5
             and ($1 or a.organisation_id = any($2) or a.unit_id = any($3)
                  or a.owner_user_id = $4 or a.deputy_user_id = $4)"#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Lock the account's row until the transaction ends.
pub(crate) async fn lock(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    sqlx::query!("select account_id from accounts where account_id = $1 for update", account_id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// Add a line to the account's history.
pub(crate) async fn event(
    conn: &mut PgConnection,
    account_id: i64,
    actor: i64,
    action: &str,
    comment: &str,
    details: Option<Value>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into account_events (account_id, actor_user_id, action, comment, details) values ($1, $2, $3, $4, $5)",
        account_id,
        actor,
        action,
        comment,
        details
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub(crate) struct HistoryRow {
    pub at: Dt,
    pub actor: Option<String>,
    pub action: String,
    pub comment: String,
}

impl HistoryRow {
    /// The Swedish words for what happened; an unknown code is shown as is.
    pub fn label(&self) -> &str {
        crate::accounts::rules::event_label(&self.action).unwrap_or(&self.action)
    }
}

pub(crate) async fn history(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as!(
        HistoryRow,
        r#"select e.at as "at: Dt", u.name as "actor?", e.action, e.comment
           from account_events e left join users u on u.user_id = e.actor_user_id
           where e.account_id = $1 order by e.event_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub(crate) struct LinkedForm {
    pub form_id: i64,
    pub case_number: Option<String>,
    pub state: crate::forms::workflow::FormState,
}

pub(crate) async fn forms_of(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<LinkedForm>> {
    sqlx::query_as!(
        LinkedForm,
        r#"select form_id, case_number, state as "state: crate::forms::workflow::FormState"
           from forms where account_id = $1 order by form_id"#,
        account_id
    )
    .fetch_all(conn)
    .await
}
