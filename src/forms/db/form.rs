//! SQL of the form itself: in the user's scope, listed, created, saved,
//! moved by guarded steps, numbered, and a draft deleted.

use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;

use crate::auth::Role;
use crate::forms::content::FormContent;
use crate::forms::workflow::FormState;
use crate::web::Dt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "form_kind", rename_all = "snake_case")]
pub(crate) enum FormKind {
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
pub(crate) struct FormRow {
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
}

/// One form, if the user may see it: its owner always; once submitted, the
/// managers of its unit, the communicators, strategists, archivists and
/// decision holders of its organisation, SLK and the administrator (who see
/// its account in the register), and the account's present owner and deputy.
/// Only the capacities of `forms::capacities` may act on it.
pub(crate) async fn form_in_scope(
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
                  f.decision_text, f.decision_reason
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
pub(crate) struct FormListRow {
    pub form_id: i64,
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
pub(crate) async fn forms_in_scope(
    conn: &mut PgConnection,
    user_id: i64,
    state: Option<FormState>,
    returned: Option<bool>,
) -> sqlx::Result<Vec<FormListRow>> {
    sqlx::query_as!(
        FormListRow,
        r#"select f.form_id, f.state as "state: FormState", f.case_number,
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

pub(crate) async fn create(
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
pub(crate) async fn save_content(
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
pub(crate) async fn set_state(
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
pub(crate) async fn assign_case_number(
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

/// Hard-delete a draft that was never submitted (no case number): the only
/// deletion in the product. Returns whether it was deleted.
pub(crate) async fn delete_unsubmitted_draft(
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

pub(crate) async fn delete_events(conn: &mut PgConnection, form_id: i64) -> sqlx::Result<()> {
    sqlx::query!("delete from form_events where form_id = $1", form_id).execute(conn).await?;
    Ok(())
}
