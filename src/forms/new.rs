//! Start a new startup form, for a new account or one already in use.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::content::{FREQUENCIES, FormContent, LAWFUL_BASES};
use super::db::{self, FormKind};
use super::form::{EditPage, Posted, choices, in_scope};
use super::submit::submit;
use super::workflow::FormState;
use crate::audit::{self, Entry};
use crate::auth::{AccountOwner, Role, User};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, flash, render};

#[derive(Deserialize)]
pub(crate) struct NewQuery {
    #[serde(default)]
    typ: String,
    #[serde(default)]
    organisation: String,
    /// The register entry a form for an existing account is for.
    #[serde(default)]
    konto: String,
}

/// The organisation a new form belongs to: one where the user is an account owner.
fn owner_organisation(user: &User, requested: &str) -> AppResult<i64> {
    let orgs = user.organisations_with(Role::AccountOwner);
    match requested.parse::<i64>() {
        Ok(o) if orgs.contains(&o) => Ok(o),
        Ok(_) => Err(AppError::NotFound),
        Err(_) => orgs.first().copied().ok_or(AppError::NotFound),
    }
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    page: Page,
    AccountOwner(user): AccountOwner,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    // A form for a register entry starts from the entry, when it is in one of
    // the owner's organisations and still lacks a form.
    let prefill = match q.konto.parse::<i64>() {
        Ok(id) if q.typ == "befintligt" => db::prefill(&mut conn, id)
            .await?
            .filter(|p| user.organisations_with(Role::AccountOwner).contains(&p.organisation_id))
            .map(|p| (id, p)),
        _ => None,
    };
    let org = match &prefill {
        Some((_, p)) => p.organisation_id,
        None => owner_organisation(&user, &q.organisation)?,
    };
    let organisation_name = db::organisation_name(&mut conn, org).await?.ok_or(AppError::NotFound)?;
    let mut c = FormContent {
        controller: format!("Nämnden för {organisation_name}"),
        shared: "eget".into(),
        ..Default::default()
    };
    if let Some((id, p)) = prefill {
        c.account_id = id.to_string();
        c.unit_id = p.unit_id.to_string();
        c.platform_id = p.platform_id.to_string();
        c.account_name = p.name;
        c.url = p.url;
        c.purpose = p.purpose;
        c.goals = p.goals;
        c.target_groups = p.target_groups;
    }
    let ch = choices(&mut conn, org, user.user_id).await?;
    render(&EditPage {
        page,
        form_id: None,
        state: FormState::Draft,
        kind_existing: q.typ == "befintligt",
        organisation_id: org,
        organisation_name,
        owner_name: user.name.clone(),
        case_number: None,
        signed: false,
        c,
        errors: FieldErrors::default(),
        ch,
        frequencies: &FREQUENCIES,
        lawful_bases: &LAWFUL_BASES,
    })
}

pub(crate) async fn create_form(
    State(st): State<AppState>,
    page: Page,
    AccountOwner(user): AccountOwner,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Form(posted): Form<Posted>,
) -> AppResult<Response> {
    let org = owner_organisation(&user, &posted.organisation_id)?;
    let kind =
        if posted.kind == "existing_account" { FormKind::ExistingAccount } else { FormKind::NewAccount };
    let mut tx = st.db.begin().await?;
    let content = in_scope(posted.content.normalised(), &choices(&mut tx, org, user.user_id).await?);
    let id = db::create(&mut tx, kind, org, user.user_id, &content).await?;
    db::record_event(
        &mut tx,
        db::NewEvent::by_owner(id, user.user_id, "create", None, Some(FormState::Draft), ""),
    )
    .await?;
    audit::record(
        &mut tx,
        Entry::new("form_created", "form", id)
            .by(user.user_id, addr.as_deref())
            .after(json!({ "kind": posted.kind, "organisation_id": org })),
    )
    .await?;
    tx.commit().await?;
    if posted.action == "submit" {
        return submit(&st, page, &user, &session, &addr, id, content).await;
    }
    flash(&session, FlashKind::Success, "Utkastet är sparat. Du kan fortsätta när du vill.").await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}
