//! The account page `/konton/{id}`, also re-rendered with 422 and what was typed.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::action::{Can, OnAccount, load};
use super::db::{self, Account, ArchiveRow, Closure, HistoryRow, Incident, IncidentKind, LinkedForm};
use super::details::DetailsInput;
use super::people::PeopleInput;
use super::rules::{self, AccountState, ArchiveStatus};
use crate::auth::{User, Viewer};
use crate::error::AppResult;
use crate::org::db::Choice;
use crate::state::AppState;
use crate::web::{FieldErrors, Page, render, render_status};

#[derive(Template)]
#[template(path = "accounts/show.html")]
pub(crate) struct AccountPage {
    page: Page,
    a: Account,
    can: Can,
    forms: Vec<LinkedForm>,
    history: Vec<HistoryRow>,
    archives: Vec<ArchiveRow>,
    closures: Vec<Closure>,
    incidents: Vec<Incident>,
    archive_status: ArchiveStatus,
    /// The year the archiving form offers: the oldest missing one, else this year.
    archive_year: i32,
    /// Why a closing account cannot be closed yet (shown instead of the button).
    close_blocker: Option<String>,
    owner_acknowledged: bool,
    now: OffsetDateTime,
    errors: FieldErrors,
    typed: Typed,
    people: Vec<Choice>,
    platforms: Vec<Choice>,
    units: Vec<Choice>,
    incident_kinds: [IncidentKind; 6],
    /// The values of the descriptive data's and the people's forms: what was
    /// typed when that form was refused, else the account as it is.
    details: DetailsInput,
    people_form: PeopleInput,
}

/// What the user typed into one of the page's forms, kept when it is refused.
#[derive(Debug, Default, Clone)]
pub(crate) struct Typed {
    pub url: String,
    pub start_date: String,
    pub profile_picture: Option<String>,
    pub basic_info: Option<String>,
    pub kind: String,
    pub archived_on: String,
    pub year: String,
    pub method: String,
    pub storage_ref: String,
    pub note: String,
    pub reason: String,
    pub decision: String,
    pub days: String,
    pub occurred_at: String,
    pub discovered_at: String,
    pub description: String,
    pub personal_data: Option<String>,
    /// The descriptive data's form, when it was the one posted.
    pub details: Option<DetailsInput>,
    /// The people's form, when it was the one posted.
    pub people: Option<PeopleInput>,
}

impl AccountPage {
    fn checklist_missing(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if !self.a.profile_picture_done {
            v.push("Blå S:t Erik-profilbild");
        }
        if !self.a.basic_info_done {
            v.push("Grundinformation enligt handledningen");
        }
        if self.a.credentials_confirmed_at.is_none() {
            v.push("Inloggningsuppgifter lämnade till kommunikatören (bekräftas av kommunikatören)");
        }
        if !self.owner_acknowledged {
            v.push("Kontoansvarig har bekräftat policyn, handledningen och den lokala rutinen");
        }
        v
    }
    fn editor_lines(&self) -> Vec<String> {
        self.a
            .editors
            .as_array()
            .map(|arr| {
                arr.iter()
                    .map(|e| {
                        format!(
                            "{} ({})",
                            e["name"].as_str().unwrap_or(""),
                            e["email"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    fn has_open_closure(&self) -> bool {
        self.closures.iter().any(|c| c.state == "requested")
    }
    fn is_state(&self, code: &str) -> bool {
        self.a.state.code() == code
    }
    fn archive_overdue(&self) -> bool {
        matches!(self.archive_status, ArchiveStatus::Overdue { .. })
    }
    /// The archiving form: active and closing accounts, and a closed account
    /// that still lacks a yearly record for a December it lived through.
    fn may_archive(&self) -> bool {
        self.can.archive() && (self.is_state("active") || self.is_state("closing") || self.archive_overdue())
    }
    fn archive_year_typed(&self) -> String {
        if self.typed.year.is_empty() && self.typed.kind.is_empty() {
            self.archive_year.to_string()
        } else {
            self.typed.year.clone()
        }
    }
    /// The yearly review's confirmation, offered on active accounts to those who give it.
    fn may_confirm(&self) -> bool {
        self.a.state == AccountState::Active && (self.can.owner || self.can.communicator)
    }
    fn frequency(&self) -> &'static str {
        crate::forms::content::frequency_label(&self.a.publishing_frequency)
    }
    fn followers(&self) -> Option<String> {
        self.a.followers.map(|n| crate::web::number(n.into()))
    }
}

pub(super) async fn account_page(
    st: &AppState,
    conn: &mut PgConnection,
    page: Page,
    a: Account,
    can: Can,
    errors: FieldErrors,
    typed: Typed,
) -> AppResult<AccountPage> {
    let today = st.today();
    let years = db::archive_years(conn, a.account_id).await?;
    let archive_status = rules::archive_status(today, a.state, a.start_date, a.closed_date, &years);
    let archive_year = rules::archive_year_due(today, a.state, a.start_date, a.closed_date, &years);
    let close_blocker = if a.state == AccountState::Closing {
        super::action::close_blocker(conn, &a, today).await?
    } else {
        None
    };
    let owner_acknowledged = match a.owner_user_id {
        Some(o) => crate::people::db::missing_acknowledgements(conn, o).await?.is_empty(),
        None => false,
    };
    let (people, platforms, units) = if can.change_people() || can.communicator {
        (
            crate::org::db::people(conn, a.organisation_id).await?,
            crate::org::db::platforms(conn).await?,
            crate::org::db::units(conn, a.organisation_id).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    Ok(AccountPage {
        page,
        forms: db::forms_of(conn, a.account_id).await?,
        history: db::history(conn, a.account_id).await?,
        archives: db::archives(conn, a.account_id).await?,
        closures: db::closures(conn, a.account_id).await?,
        incidents: db::incidents(conn, a.account_id).await?,
        details: typed.details.clone().unwrap_or_else(|| DetailsInput::of(&a)),
        people_form: typed.people.clone().unwrap_or_else(|| PeopleInput::of(&a)),
        archive_status,
        archive_year,
        close_blocker,
        owner_acknowledged,
        now: st.now(),
        a,
        can,
        errors,
        typed,
        people,
        platforms,
        units,
        incident_kinds: IncidentKind::ALL,
    })
}

pub(crate) async fn show(Viewer { st, page, user }: Viewer, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let (a, can) = load(&mut conn, &user, id).await?;
    let p = account_page(&st, &mut conn, page, a, can, FieldErrors::default(), Typed::default()).await?;
    render(&p)
}

/// Re-render the account page with 422 and what was typed.
pub(super) async fn refused(
    st: &AppState,
    page: Page,
    user: &User,
    id: i64,
    errors: FieldErrors,
    typed: Typed,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let (a, can) = load(&mut conn, user, id).await?;
    let p = account_page(st, &mut conn, page, a, can, errors, typed).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

impl OnAccount {
    /// The account page again, with 422, the errors and what was typed.
    pub(super) async fn refused(&self, errors: FieldErrors, typed: impl Into<Typed>) -> AppResult<Response> {
        refused(&self.st, self.page.clone(), &self.user, self.id, errors, typed.into()).await
    }
}

impl From<DetailsInput> for Typed {
    fn from(i: DetailsInput) -> Self {
        Typed { details: Some(i), ..Typed::default() }
    }
}

impl From<PeopleInput> for Typed {
    fn from(i: PeopleInput) -> Self {
        Typed { people: Some(i), ..Typed::default() }
    }
}
