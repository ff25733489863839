//! The startup form itself, shared by its pages and actions: what it posts,
//! the choices of its selects, its checks, the edit page, and the refusal of
//! a stale page.

use askama::Template;
use sqlx::PgConnection;

use super::content::{Context, FREQUENCIES, FormContent, LAWFUL_BASES};
use super::db::{self, Choice, FormKind, FormRow};
use super::workflow::FormState;
use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, Page};
use serde::Deserialize;

/// The posted form: the content plus what the page needs to route it.
#[derive(Deserialize)]
pub(crate) struct Posted {
    #[serde(flatten)]
    pub(super) content: FormContent,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) organisation_id: String,
    /// "save" or "submit".
    #[serde(default)]
    pub(super) action: String,
    /// The state the page showed (stale-page protection).
    #[serde(default)]
    pub(super) state: String,
}

/// The choices the form's selects offer in one organisation.
pub(crate) struct Choices {
    pub units: Vec<Choice>,
    pub platforms: Vec<Choice>,
    pub people: Vec<Choice>,
    pub accounts: Vec<Choice>,
}

/// The choices for a form of `owner` in the organisation: the deputy list
/// leaves the owner out, since the deputy must be someone else.
pub(super) async fn choices(conn: &mut PgConnection, organisation_id: i64, owner: i64) -> AppResult<Choices> {
    let mut people = db::people(conn, organisation_id).await?;
    people.retain(|p| p.id != owner);
    Ok(Choices {
        units: db::units(conn, organisation_id).await?,
        platforms: db::platforms(conn).await?,
        people,
        accounts: db::accounts_missing_form(conn, organisation_id).await?,
    })
}

pub(super) fn validate(content: &FormContent, existing: bool, ch: &Choices, owner: i64) -> FieldErrors {
    let ids = |v: &[Choice]| v.iter().map(|c| c.id).collect::<Vec<_>>();
    let (units, platforms, people, accounts) =
        (ids(&ch.units), ids(&ch.platforms), ids(&ch.people), ids(&ch.accounts));
    content.validate(&Context {
        existing,
        unit_ids: &units,
        platform_ids: &platforms,
        deputy_ids: &people,
        account_ids: &accounts,
        owner_id: owner,
    })
}

/// The content with every id that is not among `ch` emptied, before anything
/// is stored: the selects offer only the organisation's units, people and
/// accounts, so a foreign id was not typed by anyone. A draft never holds
/// another organisation's user, unit or account, and its page never shows one.
pub(super) fn in_scope(mut c: FormContent, ch: &Choices) -> FormContent {
    let keep = |v: &mut String, list: &[Choice]| {
        if !v.trim().is_empty() && !v.trim().parse::<i64>().is_ok_and(|id| list.iter().any(|c| c.id == id)) {
            v.clear();
        }
    };
    keep(&mut c.unit_id, &ch.units);
    keep(&mut c.platform_id, &ch.platforms);
    keep(&mut c.deputy_user_id, &ch.people);
    keep(&mut c.account_id, &ch.accounts);
    c
}

#[derive(Template)]
#[template(path = "forms/edit.html")]
pub(crate) struct EditPage {
    pub(super) page: Page,
    /// `None` for a new form.
    pub(super) form_id: Option<i64>,
    pub(super) state: FormState,
    pub(super) kind_existing: bool,
    pub(super) organisation_id: i64,
    pub(super) organisation_name: String,
    pub(super) owner_name: String,
    pub(super) case_number: Option<String>,
    pub(super) signed: bool,
    pub(super) c: FormContent,
    pub(super) errors: FieldErrors,
    pub(super) ch: Choices,
    pub(super) frequencies: &'static [(&'static str, &'static str)],
    pub(super) lawful_bases: &'static [(&'static str, &'static str)],
}

impl EditPage {
    fn action_url(&self) -> String {
        match self.form_id {
            Some(id) => format!("/blanketter/{id}/redigera"),
            None => "/blanketter".to_string(),
        }
    }
}

pub(super) async fn owned_form(conn: &mut PgConnection, user: &User, id: i64) -> AppResult<FormRow> {
    let form = db::form_in_scope(conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    if form.owner_user_id != user.user_id {
        return Err(AppError::forbidden("Bara kontoansvarig som fyllt i blanketten kan ändra den."));
    }
    Ok(form)
}

pub(super) async fn edit_page(
    conn: &mut PgConnection,
    page: Page,
    form: &FormRow,
    c: FormContent,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let ch = choices(conn, form.organisation_id, form.owner_user_id).await?;
    let signed = db::signatures(conn, form.form_id).await?.iter().any(|s| s.valid);
    Ok(EditPage {
        page,
        form_id: Some(form.form_id),
        state: form.state,
        kind_existing: form.kind == FormKind::ExistingAccount,
        organisation_id: form.organisation_id,
        organisation_name: form.organisation_name.clone(),
        owner_name: form.owner_name.clone(),
        case_number: form.case_number.clone(),
        signed,
        c,
        errors,
        ch,
        frequencies: &FREQUENCIES,
        lawful_bases: &LAWFUL_BASES,
    })
}

pub(super) fn stale() -> AppError {
    AppError::conflict(
        "Blanketten har ändrats av någon annan sedan du öppnade sidan, så din åtgärd genomfördes inte. \
         Öppna blanketten igen för att se hur den ser ut nu.",
    )
}

/// Refuse an action taken on a page that showed another state than the form has now.
pub(super) fn check_expected(form: &FormRow, posted: &str) -> AppResult<()> {
    match FormState::from_code(posted) {
        Some(s) if s != form.state => Err(stale()),
        _ => Ok(()),
    }
}
