//! Pages and actions of the startup form: start, save and submit, edit, the
//! form page with its history, the workflow buttons, the printable view, lists.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::content::{Context, FREQUENCIES, FormContent, LAWFUL_BASES, parse_date};
use super::db::{self, Choice, Event, FormKind, FormListRow, FormRow, Signature};
use super::workflow::{self, Action, Capacity, FormState};
use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::auth::{AccountOwner, CurrentUser, Role, User};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{
    ClientAddr, FieldErrors, FlashKind, Page, clean, flash, local_to_utc, render, render_status,
};

/// The capacities in which `user` acts on `form`.
pub fn capacities(user: &User, form: &FormRow) -> Vec<Capacity> {
    let mut v = Vec::new();
    if form.owner_user_id == user.user_id {
        v.push(Capacity::Owner);
    }
    let g = &user.grants;
    if g.iter().any(|g| g.role == Role::Manager && g.unit_id.is_some() && g.unit_id == form.unit_id) {
        v.push(Capacity::Manager);
    }
    let in_org =
        |role: Role| g.iter().any(|g| g.role == role && g.organisation_id == Some(form.organisation_id));
    if in_org(Role::Communicator) {
        v.push(Capacity::Communicator);
    }
    if in_org(Role::Strategist) {
        v.push(Capacity::Strategist);
    }
    // No one decides on their own form: not its owner, not its deputy,
    // whatever role the decision right is delegated to.
    let own = form.owner_user_id == user.user_id || form.content.0.deputy() == Some(user.user_id);
    if in_org(form.delegated_role) && !own {
        v.push(Capacity::Decider);
    }
    v
}

fn capacity_label(c: Capacity, form: &FormRow) -> &'static str {
    match c {
        Capacity::Owner => "Kontoansvarig",
        Capacity::Manager => "Chef",
        Capacity::Communicator => "Kommunikatör",
        Capacity::Strategist => "Kommunikationsstrateg",
        Capacity::Decider => form.delegated_role.label(),
    }
}

fn action_label(code: &str) -> &'static str {
    match code {
        "create" => "Skapade blanketten",
        "edit" => "Ändrade blanketten",
        "submit" => "Skickade till chef för underskrift",
        "sign" => "Skrev under",
        "return" => "Skickade tillbaka till kontoansvarig",
        "comment" => "Kommenterade",
        "return_for_completion" => "Begärde komplettering",
        "book_meeting" => "Bokade möte",
        "approve" => "Godkände",
        "reject" => "Avslog",
        "withdraw" => "Återkallade",
        _ => "Händelse",
    }
}

/// The choices the form's selects offer in one organisation.
pub struct Choices {
    pub units: Vec<Choice>,
    pub platforms: Vec<Choice>,
    pub people: Vec<Choice>,
    pub accounts: Vec<Choice>,
}

/// The choices for a form of `owner` in the organisation: the deputy list
/// leaves the owner out, since the deputy must be someone else.
async fn choices(conn: &mut PgConnection, organisation_id: i64, owner: i64) -> AppResult<Choices> {
    let mut people = db::people(conn, organisation_id).await?;
    people.retain(|p| p.id != owner);
    Ok(Choices {
        units: db::units(conn, organisation_id).await?,
        platforms: db::platforms(conn).await?,
        people,
        accounts: db::accounts_missing_form(conn, organisation_id).await?,
    })
}

fn validate(content: &FormContent, existing: bool, ch: &Choices, owner: i64) -> FieldErrors {
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
fn in_scope(mut c: FormContent, ch: &Choices) -> FormContent {
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

// ---------------------------------------------------------------- the form itself

#[derive(Template)]
#[template(path = "forms/edit.html")]
pub struct EditPage {
    page: Page,
    /// `None` for a new form.
    form_id: Option<i64>,
    state: FormState,
    kind_existing: bool,
    organisation_id: i64,
    organisation_name: String,
    owner_name: String,
    case_number: Option<String>,
    signed: bool,
    c: FormContent,
    errors: FieldErrors,
    ch: Choices,
    frequencies: &'static [(&'static str, &'static str)],
    lawful_bases: &'static [(&'static str, &'static str)],
}

impl EditPage {
    fn action_url(&self) -> String {
        match self.form_id {
            Some(id) => format!("/blanketter/{id}/redigera"),
            None => "/blanketter".to_string(),
        }
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
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

pub async fn new_form(
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

/// The posted form: the content plus what the page needs to route it.
#[derive(Deserialize)]
pub struct Posted {
    #[serde(flatten)]
    content: FormContent,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    organisation_id: String,
    /// "save" or "submit".
    #[serde(default)]
    action: String,
    /// The state the page showed (stale-page protection).
    #[serde(default)]
    state: String,
}

pub async fn create_form(
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
        db::NewEvent {
            form_id: id,
            actor: user.user_id,
            actor_role: "Kontoansvarig",
            action: "create",
            from: None,
            to: Some(FormState::Draft),
            comment: "",
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry {
            actor: Some(user.user_id),
            action: "form_created",
            entity_type: "form",
            entity_id: Some(id),
            after: Some(json!({ "kind": posted.kind, "organisation_id": org })),
            client_addr: addr.as_deref(),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    if posted.action == "submit" {
        return submit(&st, page, &user, &session, &addr, id, content).await;
    }
    flash(&session, FlashKind::Success, "Utkastet är sparat. Du kan fortsätta när du vill.").await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}

async fn owned_form(conn: &mut PgConnection, user: &User, id: i64) -> AppResult<FormRow> {
    let form = db::form_in_scope(conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    if form.owner_user_id != user.user_id {
        return Err(AppError::forbidden("Bara kontoansvarig som fyllt i blanketten kan ändra den."));
    }
    Ok(form)
}

async fn edit_page(
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

pub async fn edit_form(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = owned_form(&mut conn, &user, id).await?;
    if workflow::transition(form.state, Action::Edit, Capacity::Owner).is_none() {
        return Err(AppError::conflict(format!(
            "Blanketten kan inte ändras när den är {}.",
            form.state.label().to_lowercase()
        )));
    }
    let c = form.content.0.clone();
    render(&edit_page(&mut conn, page, &form, c, FieldErrors::default()).await?)
}

pub async fn update_form(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = owned_form(&mut conn, &user, id).await?;
    check_expected(&form, &posted.state)?;
    let ch = choices(&mut conn, form.organisation_id, form.owner_user_id).await?;
    let content = in_scope(posted.content.normalised(), &ch);
    if posted.action == "submit" && form.state == FormState::Draft {
        drop(conn);
        return submit(&st, page, &user, &session, &addr, id, content).await;
    }
    let Some(new_state) = workflow::transition(form.state, Action::Edit, Capacity::Owner) else {
        return Err(AppError::conflict(format!(
            "Blanketten kan inte ändras när den är {}.",
            form.state.label().to_lowercase()
        )));
    };
    // A submitted form must stay complete.
    if form.state != FormState::Draft {
        let errors = validate(&content, form.kind == FormKind::ExistingAccount, &ch, user.user_id);
        if !errors.is_empty() {
            let p = edit_page(&mut conn, page, &form, content, errors).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    }
    drop(conn);
    let changed = content != form.content.0;
    let mut tx = st.db.begin().await?;
    if !db::save_content(&mut tx, id, form.state, new_state, &content).await? {
        return Err(stale());
    }
    let dropped = if changed { db::invalidate_signatures(&mut tx, id).await? } else { 0 };
    let comment =
        if dropped > 0 { "Ändrad efter underskrift: chefen behöver skriva under igen." } else { "" };
    db::record_event(
        &mut tx,
        db::NewEvent {
            form_id: id,
            actor: user.user_id,
            actor_role: "Kontoansvarig",
            action: "edit",
            from: Some(form.state),
            to: Some(new_state),
            comment,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry {
            actor: Some(user.user_id),
            action: "form_edited",
            entity_type: "form",
            entity_id: Some(id),
            before: Some(json!({ "state": form.state, "content": form.content.0 })),
            after: Some(json!({ "state": new_state, "content": content, "signature_dropped": dropped > 0 })),
            client_addr: addr.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = if dropped > 0 || new_state != form.state {
        "Ändringarna är sparade. Eftersom blanketten ändrades efter underskriften går den tillbaka till chefen för ny underskrift."
    } else {
        "Ändringarna är sparade."
    };
    flash(&session, FlashKind::Success, msg).await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}

fn stale() -> AppError {
    AppError::conflict(
        "Blanketten har ändrats av någon annan sedan du öppnade sidan, så din åtgärd genomfördes inte. \
         Öppna blanketten igen för att se hur den ser ut nu.",
    )
}

/// Refuse an action taken on a page that showed another state than the form has now.
fn check_expected(form: &FormRow, posted: &str) -> AppResult<()> {
    match FormState::from_code(posted) {
        Some(s) if s != form.state => Err(stale()),
        _ => Ok(()),
    }
}

/// Why a form for a unit without a manager cannot be sent, and whom to ask.
async fn no_manager_message(
    conn: &mut PgConnection,
    ch: &Choices,
    unit: i64,
    organisation_id: i64,
) -> AppResult<String> {
    let name = ch.units.iter().find(|u| u.id == unit).map(|u| u.label.clone()).unwrap_or_default();
    let who = crate::org::db::communicators(conn, organisation_id).await?;
    let contact = if who.is_empty() {
        "organisationens kommunikatör".to_string()
    } else {
        crate::web::list_text(&who)
    };
    Ok(format!(
        "Enheten {name} har ingen chef i Kontoregistret, så ingen kan skriva under blanketten. \
         Kontakta {contact} så att enhetens chef läggs in. Blanketten är sparad som utkast."
    ))
}

/// Validate and submit a draft; on errors the draft keeps what was typed and
/// the form comes back with 422.
async fn submit(
    st: &AppState,
    page: Page,
    user: &User,
    session: &Session,
    addr: &Option<String>,
    id: i64,
    content: FormContent,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = owned_form(&mut conn, user, id).await?;
    let ch = choices(&mut conn, form.organisation_id, form.owner_user_id).await?;
    let content = in_scope(content, &ch);
    let mut errors = validate(&content, form.kind == FormKind::ExistingAccount, &ch, user.user_id);
    if let Some(unit) = content.unit().filter(|_| errors.is_empty())
        && !crate::org::db::unit_has_manager(&mut conn, unit).await?
    {
        errors.add("unit_id", no_manager_message(&mut conn, &ch, unit, form.organisation_id).await?);
    }
    if !errors.is_empty() {
        // Keep the work: save what was typed as the draft, recorded as a draft save.
        if content != form.content.0 {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            if !db::save_content(&mut tx, id, FormState::Draft, FormState::Draft, &content).await? {
                return Err(stale());
            }
            db::record_event(
                &mut tx,
                db::NewEvent {
                    form_id: id,
                    actor: user.user_id,
                    actor_role: "Kontoansvarig",
                    action: "edit",
                    from: Some(FormState::Draft),
                    to: Some(FormState::Draft),
                    comment: "Sparad som utkast: blanketten kunde inte skickas förrän felen är rättade.",
                },
            )
            .await?;
            audit::record(
                &mut tx,
                Entry {
                    actor: Some(user.user_id),
                    action: "form_edited",
                    entity_type: "form",
                    entity_id: Some(id),
                    before: Some(json!({ "state": form.state, "content": form.content.0 })),
                    after: Some(
                        json!({ "state": FormState::Draft, "content": content, "submit_refused": true }),
                    ),
                    client_addr: addr.as_deref(),
                },
            )
            .await?;
            tx.commit().await?;
        }
        let form = db::form_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
        let p = edit_page(&mut conn, page, &form, content, errors).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    drop(conn);
    let Some((_, to)) = workflow::allowed(form.state, Action::Submit, &[Capacity::Owner]) else {
        return Err(stale());
    };
    let mut tx = st.db.begin().await?;
    if !db::save_content(&mut tx, id, FormState::Draft, to, &content).await? {
        return Err(stale());
    }
    db::invalidate_signatures(&mut tx, id).await?;
    let number = db::assign_case_number(&mut tx, id, form.organisation_id).await?;
    db::record_event(
        &mut tx,
        db::NewEvent {
            form_id: id,
            actor: user.user_id,
            actor_role: "Kontoansvarig",
            action: "submit",
            from: Some(FormState::Draft),
            to: Some(to),
            comment: "",
        },
    )
    .await?;
    crate::mail::events::form_step(
        &mut tx,
        Action::Submit,
        &crate::mail::events::FormEvent {
            form_id: id,
            case_number: &number,
            account_name: &content.account_name,
            organisation_id: form.organisation_id,
            unit_id: content.unit(),
            owner_user_id: form.owner_user_id,
            actor_name: &user.name,
            comment: "",
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry {
            actor: Some(user.user_id),
            action: "form_submit",
            entity_type: "form",
            entity_id: Some(id),
            before: Some(json!({ "state": FormState::Draft })),
            after: Some(json!({ "state": to, "case_number": number })),
            client_addr: addr.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    flash(
        session,
        FlashKind::Success,
        format!("Blanketten {number} är skickad till chefen för underskrift."),
    )
    .await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}

pub async fn delete_draft(
    State(st): State<AppState>,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let form = owned_form(&mut tx, &user, id).await?;
    if form.case_number.is_some() || form.state != FormState::Draft {
        return Err(AppError::conflict(
            "Bara utkast som aldrig har skickats in kan tas bort. Du kan återkalla blanketten i stället.",
        ));
    }
    db::delete_events(&mut tx, id).await?;
    let Some(content) = db::delete_unsubmitted_draft(&mut tx, id, user.user_id).await? else {
        return Err(stale());
    };
    audit::record(
        &mut tx,
        Entry {
            actor: Some(user.user_id),
            action: "form_draft_deleted",
            entity_type: "form",
            entity_id: Some(id),
            before: Some(content),
            client_addr: addr.as_deref(),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    flash(&session, FlashKind::Success, "Utkastet är borttaget.").await;
    Ok(Redirect::to("/blanketter").into_response())
}

// ---------------------------------------------------------------- the form page

/// A workflow button the user may press now.
pub struct Button {
    pub code: &'static str,
    pub label: &'static str,
    pub needs_comment: bool,
}

#[derive(Template)]
#[template(path = "forms/show.html")]
pub struct ShowPage {
    page: Page,
    f: FormRow,
    c: FormContent,
    events: Vec<Event>,
    signatures: Vec<Signature>,
    buttons: Vec<Button>,
    can_edit: bool,
    can_delete: bool,
    next_actor: &'static str,
    errors: FieldErrors,
    comment: String,
    meeting: MeetingInput,
    print: bool,
}

impl ShowPage {
    fn has_button(&self, code: &str) -> bool {
        self.buttons.iter().any(|b| b.code == code)
    }
    fn event_label(&self, e: &Event) -> &'static str {
        action_label(&e.action)
    }
    fn yes_no(&self, v: &str) -> &'static str {
        match v {
            "ja" => "Ja",
            "nej" => "Nej",
            _ => "Inte angivet",
        }
    }
    fn checked(&self, v: &Option<String>) -> &'static str {
        if v.is_some() { "Ja" } else { "Nej" }
    }
    fn current_signature(&self) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.valid)
    }
}

const BUTTON_ACTIONS: [Action; 8] = [
    Action::Sign,
    Action::Return,
    Action::Comment,
    Action::RequestCompletion,
    Action::BookMeeting,
    Action::Approve,
    Action::Reject,
    Action::Withdraw,
];

/// What the action forms show again after a refused action.
#[derive(Default)]
pub struct Typed {
    errors: FieldErrors,
    comment: String,
    meeting: MeetingInput,
}

async fn show_page(
    conn: &mut PgConnection,
    page: Page,
    user: &User,
    f: FormRow,
    typed: Typed,
    print: bool,
) -> AppResult<ShowPage> {
    let Typed { errors, comment, meeting } = typed;
    let caps = capacities(user, &f);
    let buttons = BUTTON_ACTIONS
        .into_iter()
        .filter(|a| workflow::allowed(f.state, *a, &caps).is_some())
        .map(|a| Button { code: a.code(), label: a.button(), needs_comment: a.needs_comment() })
        .collect();
    let can_edit = workflow::allowed(f.state, Action::Edit, &caps).is_some();
    let can_delete = can_edit && f.state == FormState::Draft && f.case_number.is_none();
    Ok(ShowPage {
        events: db::events(conn, f.form_id).await?,
        signatures: db::signatures(conn, f.form_id).await?,
        c: f.content.0.clone(),
        next_actor: workflow::next_actor(f.state),
        page,
        f,
        buttons,
        can_edit,
        can_delete,
        errors,
        comment,
        meeting,
        print,
    })
}

pub async fn show(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    form_page(&st, page, &user, id, false).await
}

/// The same page laid out for printing: content, signature and decision, no buttons.
pub async fn print(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    form_page(&st, page, &user, id, true).await
}

async fn form_page(st: &AppState, page: Page, user: &User, id: i64, print: bool) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let f = db::form_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    render(&show_page(&mut conn, page, user, f, Typed::default(), print).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeetingInput {
    #[serde(default)]
    pub meeting_date: String,
    #[serde(default)]
    pub meeting_time: String,
    #[serde(default)]
    pub meeting_place: String,
    #[serde(default)]
    pub meeting_participants: String,
}

#[derive(Deserialize)]
pub struct ActionInput {
    #[serde(default)]
    action: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    comment: String,
    /// "ja" once the confirmation step of a decision has been answered.
    #[serde(default)]
    bekraftat: String,
    #[serde(flatten)]
    meeting: MeetingInput,
}

fn action_from_code(code: &str) -> Option<Action> {
    BUTTON_ACTIONS.into_iter().find(|a| a.code() == code)
}

/// The confirmation step of a decision, which cannot be undone.
fn confirm_decision(
    page: Page,
    form: &FormRow,
    action: Action,
    state: &str,
    comment: &str,
) -> AppResult<Response> {
    let case = form.case_number.clone().unwrap_or_default();
    let (heading, lead, button) = if action == Action::Approve {
        (
            format!("Godkänna blanketten {case}?"),
            "Kontot förs in i registret som \"Godkänt, ej startat\" och kontoansvarig kan starta det. \
             Beslutet kan inte ångras."
                .to_string(),
            "Ja, godkänn blanketten",
        )
    } else {
        (
            format!("Avslå blanketten {case}?"),
            "Kontot får inte startas. Kontoansvarig ser skälet. Beslutet kan inte ångras.".to_string(),
            "Ja, avslå blanketten",
        )
    };
    let mut facts = vec![("Blankett".to_string(), case)];
    let name = form.content.0.account_name.trim();
    if !name.is_empty() {
        facts.push(("Konto".into(), name.to_string()));
    }
    facts.push((
        if action == Action::Reject { "Skäl".into() } else { "Kommentar till beslutet".into() },
        if comment.is_empty() { "Ingen".into() } else { comment.to_string() },
    ));
    crate::web::Confirm {
        page,
        heading,
        lead,
        facts,
        action: format!("/blanketter/{}/atgard", form.form_id),
        fields: vec![
            ("action".into(), action.code().into()),
            ("state".into(), state.into()),
            ("comment".into(), comment.into()),
        ],
        button: button.into(),
        cancel: format!("/blanketter/{}#atgarder", form.form_id),
    }
    .render()
}

/// Every workflow button posts here: the action is checked against the
/// workflow table for the user's capacities and applied as one guarded update.
pub async fn act(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(input): Form<ActionInput>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = db::form_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    let caps = capacities(&user, &form);
    if caps.is_empty() {
        return Err(AppError::forbidden("Du kan läsa blanketten, men dina roller ger ingen åtgärd på den."));
    }
    let action = action_from_code(&input.action).ok_or_else(|| AppError::Invalid("Okänd åtgärd.".into()))?;
    let allowed_somewhere =
        workflow::FormState::ALL.iter().any(|s| workflow::allowed(*s, action, &caps).is_some());
    if !allowed_somewhere {
        return Err(AppError::forbidden(format!(
            "Du kan inte \"{}\" på den här blanketten med de roller du har.",
            action.button()
        )));
    }
    check_expected(&form, &input.state)?;
    let Some((capacity, to)) = workflow::allowed(form.state, action, &caps) else {
        return Err(AppError::conflict(format!(
            "Det går inte att \"{}\" nu: blanketten är {}.",
            action.button(),
            form.state.label().to_lowercase()
        )));
    };

    let comment = input.comment.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>();
    let mut errors = FieldErrors::default();
    if action.needs_comment() && comment.is_empty() {
        let msg = match action {
            Action::Reject => "Skriv skälet till avslaget.",
            Action::Comment => "Skriv en kommentar.",
            _ => "Skriv vad som behöver ändras eller kompletteras.",
        };
        errors.add("comment", msg);
    } else if comment.chars().count() > 4000 {
        errors.add("comment", "Kommentaren får ha högst 4000 tecken.");
    }
    let mut meeting_at = None;
    if action == Action::BookMeeting {
        let m = &input.meeting;
        let date = parse_date(&m.meeting_date);
        let time =
            time::Time::parse(m.meeting_time.trim(), time::macros::format_description!("[hour]:[minute]"))
                .ok();
        if date.is_none() {
            errors.add("meeting_date", "Skriv mötets datum som ÅÅÅÅ-MM-DD.");
        }
        if time.is_none() {
            errors.add("meeting_time", "Skriv mötets tid som TT:MM, till exempel 13:30.");
        }
        if clean(&m.meeting_place).is_none() {
            errors.add("meeting_place", "Skriv var mötet hålls (rum eller länk).");
        }
        if clean(&m.meeting_participants).is_none() {
            errors.add("meeting_participants", "Skriv vilka som deltar.");
        }
        if let (Some(d), Some(t)) = (date, time) {
            meeting_at = Some(local_to_utc(time::PrimitiveDateTime::new(d, t)));
        }
    }
    if !errors.is_empty() {
        let p = show_page(
            &mut conn,
            page,
            &user,
            form,
            Typed { errors, comment: input.comment, meeting: input.meeting },
            false,
        )
        .await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    drop(conn);
    if matches!(action, Action::Approve | Action::Reject) && !crate::web::confirm::confirmed(&input.bekraftat)
    {
        return confirm_decision(page, &form, action, &input.state, &comment);
    }

    let role_label = capacity_label(capacity, &form);
    let mut tx = st.db.begin().await?;
    if !db::set_state(&mut tx, id, form.state, to).await? {
        return Err(stale());
    }
    let mut after = json!({ "state": to });
    let mut event_comment = comment.clone();
    match action {
        Action::Sign => db::sign(&mut tx, id, user.user_id, &form.content.0).await?,
        Action::Return | Action::RequestCompletion => {
            db::invalidate_signatures(&mut tx, id).await?;
        }
        Action::BookMeeting => {
            let m = &input.meeting;
            let at = meeting_at.ok_or_else(|| AppError::Invalid("Mötestid saknas.".into()))?;
            db::book_meeting(&mut tx, id, at, m.meeting_place.trim(), m.meeting_participants.trim()).await?;
            event_comment = format!(
                "Möte {} {} i {}. Deltagare: {}.{}",
                m.meeting_date.trim(),
                m.meeting_time.trim(),
                m.meeting_place.trim(),
                m.meeting_participants.trim(),
                if comment.is_empty() { String::new() } else { format!(" {comment}") }
            );
            after["meeting_at"] = json!(at.to_string());
        }
        Action::Approve | Action::Reject => {
            let verb = if action == Action::Approve { "Godkänd" } else { "Avslagen" };
            let text = format!(
                "{verb}. Beslutat av {}, {}, på delegation av {}.",
                user.name,
                role_label.to_lowercase(),
                form.decision_holder
            );
            let reason = (action == Action::Reject).then_some(comment.as_str());
            // An approval's comment (its conditions) is part of the decision.
            let text = if action == Action::Approve && !comment.is_empty() {
                format!("{text} Kommentar: {comment}")
            } else {
                text
            };
            db::decide(&mut tx, id, user.user_id, &text, reason).await?;
            after["decision"] = json!(text);
            if action == Action::Approve {
                let account_id = db::register_account(&mut tx, &form).await?;
                after["account_id"] = json!(account_id);
                audit::record(
                    &mut tx,
                    Entry {
                        actor: Some(user.user_id),
                        action: if form.kind == FormKind::ExistingAccount {
                            "account_form_approved"
                        } else {
                            "account_created"
                        },
                        entity_type: "account",
                        entity_id: Some(account_id),
                        after: Some(json!({ "form_id": id, "state": "approved" })),
                        client_addr: addr.as_deref(),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        _ => {}
    }
    db::record_event(
        &mut tx,
        db::NewEvent {
            form_id: id,
            actor: user.user_id,
            actor_role: role_label,
            action: action.code(),
            from: Some(form.state),
            to: Some(to),
            comment: &event_comment,
        },
    )
    .await?;
    crate::mail::events::form_step(
        &mut tx,
        action,
        &crate::mail::events::FormEvent {
            form_id: id,
            case_number: form.case_number.as_deref().unwrap_or(""),
            account_name: &form.content.0.account_name,
            organisation_id: form.organisation_id,
            unit_id: form.unit_id,
            owner_user_id: form.owner_user_id,
            actor_name: &user.name,
            comment: &event_comment,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry {
            actor: Some(user.user_id),
            action: &format!("form_{}", action.code()),
            entity_type: "form",
            entity_id: Some(id),
            before: Some(json!({ "state": form.state })),
            after: Some(after),
            client_addr: addr.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = match action {
        Action::Sign => "Du har skrivit under blanketten. Den går nu till granskning.".to_string(),
        Action::Return => "Blanketten är skickad tillbaka till kontoansvarig.".to_string(),
        Action::Comment => "Kommentaren är sparad.".to_string(),
        Action::RequestCompletion => "Blanketten är skickad tillbaka för komplettering.".to_string(),
        Action::BookMeeting => "Mötet är bokat.".to_string(),
        Action::Approve => {
            "Blanketten är godkänd och kontot finns nu i registret som \"Godkänt, ej startat\".".into()
        }
        Action::Reject => "Blanketten är avslagen.".to_string(),
        Action::Withdraw => "Blanketten är återkallad.".to_string(),
        Action::Edit | Action::Submit => String::new(),
    };
    flash(&session, FlashKind::Success, msg).await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}

// ---------------------------------------------------------------- lists

/// The status filter's code for drafts sent back to their owner.
const RETURNED: &str = "tillbaka";

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "forms/list.html")]
pub struct ListPage {
    page: Page,
    forms: Vec<FormListRow>,
    status: String,
    /// The status filter's options: every state, and the returned drafts.
    options: Vec<(&'static str, &'static str)>,
    can_create: bool,
}

pub async fn list(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let (state, returned) = match q.status.as_str() {
        RETURNED => (Some(FormState::Draft), Some(true)),
        "draft" => (Some(FormState::Draft), Some(false)),
        s => (FormState::from_code(s), None),
    };
    let forms = db::forms_in_scope(&mut conn, user.user_id, state, returned).await?;
    let mut options = Vec::new();
    for s in FormState::ALL {
        options.push((s.code(), s.label()));
        if s == FormState::Draft {
            options.push((RETURNED, workflow::RETURNED_LABEL));
        }
    }
    let status = if returned == Some(true) {
        RETURNED.to_string()
    } else {
        state.map(|s| s.code().to_string()).unwrap_or_default()
    };
    render(&ListPage { page, forms, status, options, can_create: user.has(Role::AccountOwner) })
}
