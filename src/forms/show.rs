//! The form page with its history and the buttons the user may press, and its printout.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use sqlx::PgConnection;

use super::content::FormContent;
use super::db::{self, Event, FormRow, Signature};
use super::workflow::{self, Action, Capacity, FormState};
use crate::auth::{Role, User, Viewer};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, Page, render};

/// The capacities in which `user` acts on `form`.
pub(crate) fn capacities(user: &User, form: &FormRow) -> Vec<Capacity> {
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

pub(super) fn capacity_label(c: Capacity, form: &FormRow) -> &'static str {
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

/// A booked meeting as typed: kept when the booking is refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct MeetingInput {
    #[serde(default)]
    pub meeting_date: String,
    #[serde(default)]
    pub meeting_time: String,
    #[serde(default)]
    pub meeting_place: String,
    #[serde(default)]
    pub meeting_participants: String,
}

/// A workflow button the user may press now.
pub(crate) struct Button {
    pub code: &'static str,
    pub label: &'static str,
    pub needs_comment: bool,
}

#[derive(Template)]
#[template(path = "forms/show.html")]
pub(crate) struct ShowPage {
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

pub(super) const BUTTON_ACTIONS: [Action; 8] = [
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
pub(crate) struct Typed {
    pub(super) errors: FieldErrors,
    pub(super) comment: String,
    pub(super) meeting: MeetingInput,
}

pub(super) async fn show_page(
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

pub(crate) async fn show(Viewer { st, page, user }: Viewer, Path(id): Path<i64>) -> AppResult<Response> {
    form_page(&st, page, &user, id, false).await
}

/// The same page laid out for printing: content, signature and decision, no buttons.
pub(crate) async fn print(Viewer { st, page, user }: Viewer, Path(id): Path<i64>) -> AppResult<Response> {
    form_page(&st, page, &user, id, true).await
}

async fn form_page(st: &AppState, page: Page, user: &User, id: i64, print: bool) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let f = db::form_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    render(&show_page(&mut conn, page, user, f, Typed::default(), print).await?)
}
