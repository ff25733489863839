//! SQL of the startup form: forms in the user's scope, guarded transitions,
//! case numbers, signatures, history, and the register entry made on approval.

use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;

use super::content::FormContent;
use super::workflow::FormState;
use crate::auth::Role;
use crate::web::Dt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "form_kind", rename_all = "snake_case")]
pub enum FormKind {
    NewAccount,
    ExistingAccount,
}

impl FormKind {
    pub fn label(&self) -> &'static str {
        match self {
            FormKind::NewAccount => "Nytt konto",
            FormKind::ExistingAccount => "Befintligt konto utan blankett",
        }
    }
}

/// A form as shown on its page.
#[derive(Debug, Clone)]
pub struct FormRow {
    pub form_id: i64,
    pub kind: FormKind,
    pub state: FormState,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub decision_holder: String,
    pub delegated_role: Role,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub owner_user_id: i64,
    pub owner_name: String,
    pub owner_email: String,
    pub account_id: Option<i64>,
    pub case_number: Option<String>,
    pub content: Json<FormContent>,
    pub platform_name: Option<String>,
    pub deputy_name: Option<String>,
    pub linked_account_name: Option<String>,
    pub submitted_at: Option<Dt>,
    pub meeting_at: Option<Dt>,
    pub meeting_place: Option<String>,
    pub meeting_participants: Option<String>,
    pub decided_at: Option<Dt>,
    pub decision_text: Option<String>,
    pub decision_reason: Option<String>,
    pub created_at: Dt,
    pub updated_at: Dt,
}

/// One form, if the user may see it: its owner always; once submitted, the
/// managers of its unit, the communicators, strategists, archivists and
/// decision holders of its organisation, SLK and the administrator (who see
/// its account in the register), and the account's present owner and deputy.
/// Only the capacities of `handlers::capacities` may act on it.
pub async fn form_in_scope(
    conn: &mut PgConnection,
    user_id: i64,
    form_id: i64,
) -> sqlx::Result<Option<FormRow>> {
    sqlx::query_as!(
        FormRow,
        r#"select f.form_id, f.kind as "kind: FormKind", f.state as "state: FormState",
                  f.organisation_id, o.name as organisation_name, o.decision_holder,
                  o.delegated_role as "delegated_role: Role",
                  f.unit_id, un.name as "unit_name?", f.owner_user_id, ow.name as owner_name, ow.email as owner_email,
                  f.account_id, f.case_number, f.content as "content: Json<FormContent>",
                  p.name as "platform_name?", dep.name as "deputy_name?", acc.name as "linked_account_name?",
                  f.submitted_at as "submitted_at: Dt", f.meeting_at as "meeting_at: Dt",
                  f.meeting_place, f.meeting_participants, f.decided_at as "decided_at: Dt",
                  f.decision_text, f.decision_reason, f.created_at as "created_at: Dt", f.updated_at as "updated_at: Dt"
           from forms f
           join organisations o on o.organisation_id = f.organisation_id
           join users ow on ow.user_id = f.owner_user_id
           left join units un on un.unit_id = f.unit_id
           left join platforms p on p.platform_id = case when f.content->>'platform_id' ~ '^[0-9]{1,18}$'
                                                         then (f.content->>'platform_id')::bigint end
           left join users dep on dep.user_id = case when f.content->>'deputy_user_id' ~ '^[0-9]{1,18}$'
                                                     then (f.content->>'deputy_user_id')::bigint end
           left join accounts acc on acc.account_id = f.account_id
           where f.form_id = $2
             and (f.owner_user_id = $1
                  or (f.case_number is not null and (exists (
                        select 1 from role_assignments ra
                        where ra.user_id = $1 and ra.active
                          and ((ra.role = 'manager' and ra.unit_id = f.unit_id)
                               or ((ra.role in ('communicator', 'strategist', 'archivist') or ra.role = o.delegated_role)
                                   and ra.organisation_id = f.organisation_id)
                               or ra.role in ('city_office', 'admin')))
                      or exists (select 1 from accounts a where a.account_id = f.account_id
                                 and (a.owner_user_id = $1 or a.deputy_user_id = $1)))))"#,
        user_id,
        form_id
    )
    .fetch_optional(conn)
    .await
}

/// A line in a list of forms.
#[derive(Debug, Clone)]
pub struct FormListRow {
    pub form_id: i64,
    pub kind: FormKind,
    pub state: FormState,
    pub case_number: Option<String>,
    pub account_name: String,
    pub organisation_name: String,
    pub unit_name: Option<String>,
    pub owner_name: String,
    pub updated_at: Dt,
}

/// Forms in the user's scope (as `form_in_scope`), optionally in one state.
/// `returned`: only drafts sent back (`Some(true)`) or never sent (`Some(false)`).
pub async fn forms_in_scope(
    conn: &mut PgConnection,
    user_id: i64,
    state: Option<FormState>,
    returned: Option<bool>,
) -> sqlx::Result<Vec<FormListRow>> {
    sqlx::query_as!(
        FormListRow,
        r#"select f.form_id, f.kind as "kind: FormKind", f.state as "state: FormState", f.case_number,
                  coalesce(f.content->>'account_name', '') as "account_name!", o.name as organisation_name,
                  un.name as "unit_name?", ow.name as owner_name, f.updated_at as "updated_at: Dt"
           from forms f
           join organisations o on o.organisation_id = f.organisation_id
           join users ow on ow.user_id = f.owner_user_id
           left join units un on un.unit_id = f.unit_id
           where ($2::form_state is null or f.state = $2)
             and ($3::boolean is null or (f.case_number is not null) = $3)
             and (f.owner_user_id = $1
                  or (f.case_number is not null and exists (
                        select 1 from role_assignments ra
                        where ra.user_id = $1 and ra.active
                          and ((ra.role = 'manager' and ra.unit_id = f.unit_id)
                               or ((ra.role in ('communicator', 'strategist') or ra.role = o.delegated_role)
                                   and ra.organisation_id = f.organisation_id)))))
           order by f.updated_at desc
           limit 500"#,
        user_id,
        state as Option<FormState>,
        returned
    )
    .fetch_all(conn)
    .await
}

pub async fn create(
    conn: &mut PgConnection,
    kind: FormKind,
    organisation_id: i64,
    owner: i64,
    content: &FormContent,
) -> sqlx::Result<i64> {
    let unit = content.unit();
    let account = if kind == FormKind::ExistingAccount { content.account() } else { None };
    sqlx::query_scalar!(
        r#"insert into forms (kind, organisation_id, owner_user_id, unit_id, account_id, content)
           values ($1, $2, $3, (select unit_id from units where unit_id = $4 and organisation_id = $2),
                   (select account_id from accounts where account_id = $5 and organisation_id = $2), $6)
           returning form_id"#,
        kind as FormKind,
        organisation_id,
        owner,
        unit,
        account,
        Json(content) as _
    )
    .fetch_one(conn)
    .await
}

/// Save the content if the form is still in `expected` (guarded like every step).
/// Returns whether it was saved.
pub async fn save_content(
    conn: &mut PgConnection,
    form_id: i64,
    expected: FormState,
    new_state: FormState,
    content: &FormContent,
) -> sqlx::Result<bool> {
    let unit = content.unit();
    let account = content.account();
    let n = sqlx::query!(
        r#"update forms f set content = $4, state = $3, updated_at = now(),
                  unit_id = (select unit_id from units where unit_id = $5 and organisation_id = f.organisation_id),
                  account_id = case when f.kind = 'existing_account'
                                    then (select account_id from accounts where account_id = $6
                                          and organisation_id = f.organisation_id)
                                    else f.account_id end
           where form_id = $1 and state = $2"#,
        form_id,
        expected as FormState,
        new_state as FormState,
        Json(content) as _,
        unit,
        account
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The guarded workflow step: applies only if the form is still in `expected`.
pub async fn set_state(
    conn: &mut PgConnection,
    form_id: i64,
    expected: FormState,
    new: FormState,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update forms set state = $3, updated_at = now() where form_id = $1 and state = $2",
        form_id,
        expected as FormState,
        new as FormState
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Give the form its case number `SM-YYYY-NNNN` at first submission. The
/// counter row is locked by the upsert, so concurrent submissions get distinct numbers.
pub async fn assign_case_number(
    conn: &mut PgConnection,
    form_id: i64,
    organisation_id: i64,
) -> sqlx::Result<String> {
    let existing = sqlx::query_scalar!("select case_number from forms where form_id = $1", form_id)
        .fetch_one(&mut *conn)
        .await?;
    if let Some(n) = existing {
        return Ok(n);
    }
    let row = sqlx::query!(
        r#"insert into case_counters (organisation_id, year, last)
           values ($1, extract(year from now() at time zone 'Europe/Stockholm')::int, 1)
           on conflict (organisation_id, year) do update set last = case_counters.last + 1
           returning year, last"#,
        organisation_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let number = format!("SM-{}-{:04}", row.year, row.last);
    sqlx::query!(
        "update forms set case_number = $2, submitted_at = coalesce(submitted_at, now()) where form_id = $1",
        form_id,
        number
    )
    .execute(conn)
    .await?;
    Ok(number)
}

/// One entry of a form's history.
pub struct NewEvent<'a> {
    pub form_id: i64,
    pub actor: i64,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub from: Option<FormState>,
    pub to: Option<FormState>,
    pub comment: &'a str,
}

pub async fn record_event(conn: &mut PgConnection, e: NewEvent<'_>) -> sqlx::Result<()> {
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
pub struct Event {
    pub at: Dt,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub to_state: Option<FormState>,
    pub comment: String,
}

pub async fn events(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<Vec<Event>> {
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

pub async fn sign(
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
pub async fn invalidate_signatures(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query!("update form_signatures set valid = false where form_id = $1 and valid", form_id)
        .execute(conn)
        .await?
        .rows_affected())
}

#[derive(Debug, Clone)]
pub struct Signature {
    pub signer_name: String,
    pub signer_title: String,
    pub signed_at: Dt,
    pub valid: bool,
}

/// Signatures, newest first.
pub async fn signatures(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<Vec<Signature>> {
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

pub async fn book_meeting(
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

pub async fn decide(
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
pub async fn register_account(conn: &mut PgConnection, form: &FormRow) -> sqlx::Result<i64> {
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

/// Hard-delete a draft that was never submitted (no case number): the only
/// deletion in the product. Returns whether it was deleted.
pub async fn delete_unsubmitted_draft(
    conn: &mut PgConnection,
    form_id: i64,
    owner: i64,
) -> sqlx::Result<Option<Value>> {
    let content = sqlx::query_scalar!(
        r#"delete from forms where form_id = $1 and owner_user_id = $2 and state = 'draft'
             and case_number is null
           returning content"#,
        form_id,
        owner
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(content)
}

pub async fn delete_events(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<()> {
    sqlx::query!("delete from form_events where form_id = $1", form_id).execute(conn).await?;
    Ok(())
}

// The selects' choices (platforms, units, people) are the organisation's: `org::db`.
pub use crate::org::db::{Choice, people, platforms, units};

/// What a form for an existing account starts with: the account's own data.
pub struct Prefill {
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
pub async fn prefill(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Option<Prefill>> {
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
pub async fn accounts_missing_form(
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
pub async fn organisation_name(
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

/// Tasks for the start page: (form id, case number, account name, state).
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub form_id: i64,
    pub case_number: Option<String>,
    pub account_name: String,
    pub state: FormState,
    pub meeting_at: Option<Dt>,
}

/// Own forms to finish: drafts and those returned for completion.
pub async fn owner_tasks(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as!(
        TaskRow,
        r#"select form_id, case_number, coalesce(content->>'account_name', '') as "account_name!",
                  state as "state: FormState", meeting_at as "meeting_at: Dt"
           from forms where owner_user_id = $1 and state = 'draft' order by updated_at desc"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Forms of the user's units awaiting their signature.
pub async fn manager_tasks(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as!(
        TaskRow,
        r#"select f.form_id, f.case_number, coalesce(f.content->>'account_name', '') as "account_name!",
                  f.state as "state: FormState", f.meeting_at as "meeting_at: Dt"
           from forms f
           where f.state = 'awaiting_manager'
             and exists (select 1 from role_assignments ra where ra.user_id = $1 and ra.active
                         and ra.role = 'manager' and ra.unit_id = f.unit_id)
           order by f.updated_at"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Forms of the user's organisations in review or with a meeting booked.
pub async fn review_tasks(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as!(
        TaskRow,
        r#"select f.form_id, f.case_number, coalesce(f.content->>'account_name', '') as "account_name!",
                  f.state as "state: FormState", f.meeting_at as "meeting_at: Dt"
           from forms f join organisations o on o.organisation_id = f.organisation_id
           where f.state in ('in_review', 'meeting_booked')
             and exists (select 1 from role_assignments ra where ra.user_id = $1 and ra.active
                         and (ra.role in ('communicator', 'strategist') or ra.role = o.delegated_role)
                         and ra.organisation_id = f.organisation_id)
           order by f.meeting_at nulls last, f.updated_at"#,
        user_id
    )
    .fetch_all(conn)
    .await
}
