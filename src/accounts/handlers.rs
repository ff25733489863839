//! The register, the account page, and everything that happens to an account
//! after approval: start, checklist, credentials, archiving, closure,
//! incidents, change of people and descriptive data.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::db::{
    self, Account, ArchiveKind, ArchiveRow, Closure, Filters, HistoryRow, Incident, IncidentKind, LinkedForm,
    RegisterRow, Scope,
};
use super::rules::{self, AccountState, ArchiveStatus};
use crate::auth::{CurrentUser, Role, User};
use crate::error::{AppError, AppResult};
use crate::forms::content::{parse_date, valid_url_or_handle};
use crate::forms::db::Choice;
use crate::state::AppState;
use crate::web::{
    ClientAddr, FieldErrors, FlashKind, Page, clean, flash, parse_datetime, render, render_status, url_encode,
};

pub const PAGE_SIZE: i64 = 50;

// ---------------------------------------------------------------- register

#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub enhet: String,
    #[serde(default)]
    pub plattform: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub saknar_blankett: String,
    #[serde(default)]
    pub ej_arkiverat: String,
    #[serde(default)]
    pub sortering: String,
    #[serde(default)]
    pub sida: String,
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
pub struct RegisterPage {
    page: Page,
    q: RegisterQuery,
    rows: Vec<RegisterRow>,
    total: i64,
    page_no: i64,
    pages: i64,
    year: i32,
    organisations: Vec<Choice>,
    units: Vec<Choice>,
    platforms: Vec<Choice>,
    states: [AccountState; 4],
    query_base: String,
}

impl RegisterPage {
    fn first_row(&self) -> i64 {
        if self.total == 0 { 0 } else { (self.page_no - 1) * PAGE_SIZE + 1 }
    }
    fn last_row(&self) -> i64 {
        ((self.page_no - 1) * PAGE_SIZE + self.rows.len() as i64).max(0)
    }
}

pub async fn register(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Query(q): Query<RegisterQuery>,
) -> AppResult<Response> {
    let scope = Scope::of(&user);
    let year = st.today().year();
    let page_no = q.sida.parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let f = Filters {
        q: q.q.trim().chars().take(200).collect(),
        organisation: q.organisation.parse().ok(),
        unit: q.enhet.parse().ok(),
        platform: q.plattform.parse().ok(),
        state: AccountState::from_code(&q.status),
        missing_form: q.saknar_blankett == "1",
        not_archived: q.ej_arkiverat == "1",
        year,
        sort: q.sortering.clone(),
        limit: PAGE_SIZE,
        offset: (page_no - 1) * PAGE_SIZE,
    };
    let mut conn = st.db.begin().await?;
    // The page and the count, planned for the actual scope and filters.
    db::plan_for_actual_values(&mut conn).await?;
    let counters_answer = f.q.is_empty() && f.platform.is_none() && !f.not_archived;
    let total = if counters_answer {
        db::register_count_from_counters(&mut conn, &scope, &f).await?
    } else {
        db::register_count(&mut conn, &scope, &f).await?
    };
    let rows = if f.sort.is_empty() || f.sort == "namn" {
        // The default order: the page's ids from `accounts` alone, then their rows.
        let ids = db::page_ids_by_name(&mut conn, &scope, &f).await?;
        db::plan_normally(&mut conn).await?;
        db::rows_by_ids(&mut conn, &ids, year).await?
    } else {
        let rows = db::register_page(&mut conn, &scope, &f).await?;
        db::plan_normally(&mut conn).await?;
        rows
    };
    let organisations = scope_organisations(&mut conn, &scope).await?;
    let units = match f.organisation.or_else(|| (organisations.len() == 1).then(|| organisations[0].id)) {
        Some(o) if organisations.iter().any(|c| c.id == o) => crate::forms::db::units(&mut conn, o).await?,
        _ => Vec::new(),
    };
    let platforms = crate::forms::db::platforms(&mut conn).await?;
    let query_base = format!(
        "q={}&organisation={}&enhet={}&plattform={}&status={}&saknar_blankett={}&ej_arkiverat={}&sortering={}",
        url_encode(q.q.trim()),
        url_encode(&q.organisation),
        url_encode(&q.enhet),
        url_encode(&q.plattform),
        url_encode(&q.status),
        url_encode(&q.saknar_blankett),
        url_encode(&q.ej_arkiverat),
        url_encode(&q.sortering)
    );
    render(&RegisterPage {
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        q,
        rows,
        total,
        page_no,
        year,
        organisations,
        units,
        platforms,
        states: AccountState::ALL,
        query_base,
    })
}

async fn scope_organisations(conn: &mut PgConnection, s: &Scope) -> AppResult<Vec<Choice>> {
    Ok(sqlx::query_as!(
        Choice,
        r#"select organisation_id as id, name as label from organisations o
           where $1 or organisation_id = any($2)
              or exists (select 1 from units u where u.organisation_id = o.organisation_id and u.unit_id = any($3))
              or exists (select 1 from accounts a where a.organisation_id = o.organisation_id
                         and (a.owner_user_id = $4 or a.deputy_user_id = $4))
           order by name"#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id
    )
    .fetch_all(conn)
    .await?)
}

// ---------------------------------------------------------------- capacities

/// In what capacities the user acts on this account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Can {
    pub owner: bool,
    pub manager: bool,
    pub communicator: bool,
    pub strategist: bool,
    pub archivist: bool,
    pub decider: bool,
}

impl Can {
    pub fn of(user: &User, a: &Account) -> Self {
        let me = Some(user.user_id);
        let in_org =
            |r: Role| user.grants.iter().any(|g| g.role == r && g.organisation_id == Some(a.organisation_id));
        Can {
            owner: a.owner_user_id == me || a.deputy_user_id == me,
            manager: user.grants.iter().any(|g| g.role == Role::Manager && g.unit_id == Some(a.unit_id)),
            communicator: in_org(Role::Communicator),
            strategist: in_org(Role::Strategist),
            archivist: in_org(Role::Archivist),
            decider: in_org(a.delegated_role),
        }
    }
    pub fn start(&self) -> bool {
        self.owner || self.communicator
    }
    pub fn archive(&self) -> bool {
        self.owner || self.communicator || self.archivist
    }
    pub fn request_closure(&self) -> bool {
        self.owner || self.communicator || self.strategist
    }
    pub fn incident(&self) -> bool {
        self.owner || self.communicator || self.strategist
    }
    pub fn change_people(&self) -> bool {
        self.manager || self.communicator
    }
}

fn deny(what: &str) -> AppError {
    AppError::forbidden(format!("Du har inte behörighet att {what} för det här kontot."))
}

/// The account in the user's scope, locked for the rest of the transaction:
/// every action checks and writes under this lock, so a concurrent closure
/// cannot slip between the check and the write.
async fn load_locked(conn: &mut PgConnection, user: &User, id: i64) -> AppResult<(Account, Can)> {
    db::lock(conn, id).await?;
    load(conn, user, id).await
}

async fn load(conn: &mut PgConnection, user: &User, id: i64) -> AppResult<(Account, Can)> {
    let a = db::account_in_scope(conn, &Scope::of(user), id).await?.ok_or(AppError::NotFound)?;
    let can = Can::of(user, &a);
    Ok((a, can))
}

/// A closed account stays in the register as it was when it closed.
fn refuse_closed(a: &Account) -> AppResult<()> {
    if a.state == AccountState::Closed {
        return Err(AppError::conflict(
            "Kontot är avslutat. Ett avslutat kontos uppgifter ändras inte, så att registret visar det som det var.",
        ));
    }
    Ok(())
}

fn stale() -> AppError {
    AppError::conflict(
        "Kontot har ändrats sedan du öppnade sidan. Öppna kontot igen för att se hur det ser ut nu.",
    )
}

// ---------------------------------------------------------------- account page

#[derive(Template)]
#[template(path = "accounts/show.html")]
pub struct AccountPage {
    page: Page,
    a: Account,
    can: Can,
    forms: Vec<LinkedForm>,
    history: Vec<HistoryRow>,
    archives: Vec<ArchiveRow>,
    closures: Vec<Closure>,
    incidents: Vec<Incident>,
    archive_status: ArchiveStatus,
    owner_acknowledged: bool,
    now: OffsetDateTime,
    errors: FieldErrors,
    typed: Typed,
    people: Vec<Choice>,
    platforms: Vec<Choice>,
    units: Vec<Choice>,
    incident_kinds: [IncidentKind; 6],
    editors_text: String,
}

/// What the user typed into one of the page's forms, kept when it is refused.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct Typed {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub profile_picture: Option<String>,
    #[serde(default)]
    pub basic_info: Option<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub archived_on: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub storage_ref: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub discovered_at: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_user_id: String,
    #[serde(default)]
    pub deputy_user_id: String,
    #[serde(default)]
    pub editors: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub platform_id: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub target_groups: String,
    #[serde(default)]
    pub personal_data: Option<String>,
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

fn editors_text(v: &serde_json::Value) -> String {
    v.as_array()
        .map(|arr| {
            arr.iter()
                .map(|e| {
                    format!("{}, {}", e["name"].as_str().unwrap_or(""), e["email"].as_str().unwrap_or(""))
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

async fn account_page(
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
    let owner_acknowledged = match a.owner_user_id {
        Some(o) => crate::people::db::missing_acknowledgements(conn, o).await?.is_empty(),
        None => false,
    };
    let (people, platforms, units) = if can.change_people() || can.communicator {
        (
            db::people(conn, a.organisation_id).await?,
            crate::forms::db::platforms(conn).await?,
            crate::forms::db::units(conn, a.organisation_id).await?,
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
        editors_text: editors_text(&a.editors),
        archive_status,
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

pub async fn show(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let (a, can) = load(&mut conn, &user, id).await?;
    let p = account_page(&st, &mut conn, page, a, can, FieldErrors::default(), Typed::default()).await?;
    render(&p)
}

/// Re-render the account page with 422 and what was typed.
async fn refused(
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

/// Everything after a successful change: history, audit, commit, flash, back to the page.
#[allow(clippy::too_many_arguments)]
async fn done(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    session: &Session,
    user: &User,
    addr: &Option<String>,
    id: i64,
    action: &str,
    comment: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    message: &str,
) -> AppResult<Response> {
    super::change::Change { account_id: id, action, comment, before, after }
        .record(&mut tx, user.user_id, addr.as_deref())
        .await?;
    tx.commit().await?;
    flash(session, FlashKind::Success, message).await;
    Ok(Redirect::to(&format!("/konton/{id}")).into_response())
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, msg: &str, max: usize) -> Option<String> {
    let v = clean(value);
    if v.is_none() {
        errors.add(field, msg);
    } else if value.chars().count() > max {
        errors.add(field, format!("Texten får ha högst {max} tecken."));
        return None;
    }
    v
}

// ---------------------------------------------------------------- start and checklist

pub async fn start(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.start() {
        return Err(deny("registrera start"));
    }
    if a.state != AccountState::Approved {
        return Err(AppError::conflict("Starten är redan registrerad för det här kontot."));
    }
    let mut errors = FieldErrors::default();
    let url = t.url.trim().to_string();
    if url.is_empty() {
        errors.add("url", "Skriv kontots adress eller användarnamn.");
    } else if !valid_url_or_handle(&url) {
        errors.add("url", "Skriv adressen som https://… eller som @användarnamn.");
    }
    let start_date = parse_date(&t.start_date);
    match start_date {
        None => errors.add("start_date", "Skriv startdatum som ÅÅÅÅ-MM-DD."),
        Some(d) if d > st.today() + time::Duration::days(365) => {
            errors.add("start_date", "Startdatumet ligger för långt fram.")
        }
        _ => {}
    }
    let (Some(start_date), true) = (start_date, errors.is_empty()) else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let (pp, bi) = (t.profile_picture.is_some(), t.basic_info.is_some());
    if !db::start(&mut tx, id, &url, start_date, pp, bi).await? {
        return Err(stale());
    }
    let after = json!({ "state": "active", "url": url, "start_date": start_date.to_string(),
                        "profile_picture": pp, "basic_info": bi });
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "started",
        "",
        json!({ "state": a.state }),
        after,
        "Starten är registrerad. Det som saknas i checklistan ligger kvar som uppgifter.",
    )
    .await
}

pub async fn checklist(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.start() {
        return Err(deny("ändra checklistan"));
    }
    refuse_closed(&a)?;
    let (pp, bi) = (t.profile_picture.is_some(), t.basic_info.is_some());
    db::set_checklist(&mut tx, id, pp, bi).await?;
    let before = json!({ "profile_picture": a.profile_picture_done, "basic_info": a.basic_info_done });
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "checklist",
        "",
        before,
        json!({ "profile_picture": pp, "basic_info": bi }),
        "Checklistan är sparad.",
    )
    .await
}

pub async fn confirm_credentials(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.communicator {
        return Err(AppError::forbidden(
            "Bara förvaltningens kommunikatör kan bekräfta att inloggningsuppgifterna är lämnade.",
        ));
    }
    if a.state == AccountState::Closed {
        return Err(AppError::conflict("Kontot är avslutat."));
    }
    db::confirm_credentials(&mut tx, id, user.user_id).await?;
    let before = json!({ "holder": a.credentials_holder });
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "credentials_confirmed",
        "",
        before,
        json!({ "holder": user.name }),
        "Du har bekräftat att inloggningsuppgifterna är lämnade till dig.",
    )
    .await
}

// ---------------------------------------------------------------- archiving

pub async fn archive(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.archive() {
        return Err(deny("registrera arkivering"));
    }
    if matches!(a.state, AccountState::Approved | AccountState::Closed) {
        return Err(AppError::conflict("Bara konton som är aktiva eller håller på att avslutas arkiveras."));
    }
    let mut errors = FieldErrors::default();
    let kind = ArchiveKind::from_code(&t.kind);
    if kind.is_none() {
        errors.add("kind", "Välj vilken sorts arkivering det är.");
    }
    let on = parse_date(&t.archived_on);
    match on {
        None => errors.add("archived_on", "Skriv datumet som ÅÅÅÅ-MM-DD."),
        Some(d) if d > st.today() => errors.add("archived_on", "Datumet kan inte ligga i framtiden."),
        _ => {}
    }
    let method = text(
        &mut errors,
        "method",
        &t.method,
        "Beskriv hur kontot arkiverades, till exempel verktyg eller export.",
        500,
    );
    if t.storage_ref.chars().count() > 200 {
        errors.add("storage_ref", "Referensen får ha högst 200 tecken.");
    }
    if t.note.chars().count() > 2000 {
        errors.add("note", "Anteckningen får ha högst 2000 tecken.");
    }
    let (Some(kind), Some(on), Some(method), true) = (kind, on, method, errors.is_empty()) else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    let r = db::add_archive(
        &mut sp,
        db::NewArchive {
            account_id: id,
            kind,
            archived_on: on,
            recorded_by: user.user_id,
            method: &method,
            storage_ref: t.storage_ref.trim(),
            note: t.note.trim(),
        },
    )
    .await;
    match r {
        Ok(_) => sp.commit().await?,
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            drop(sp);
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add("archived_on", format!("Kontot har redan en årlig arkivering för {}.", on.year()));
            return refused(&st, page, &user, id, errors, t).await;
        }
        Err(e) => return Err(e.into()),
    }
    let after = json!({ "kind": kind, "archived_on": on.to_string(), "method": method, "storage_ref": t.storage_ref.trim() });
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "archived",
        kind.label(),
        json!({}),
        after,
        "Arkiveringen är registrerad.",
    )
    .await
}

// ---------------------------------------------------------------- closure

pub async fn request_closure(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.request_closure() {
        return Err(deny("begära avslut"));
    }
    if !matches!(a.state, AccountState::Approved | AccountState::Active) {
        return Err(AppError::conflict("Kontot håller redan på att avslutas eller är avslutat."));
    }
    let mut errors = FieldErrors::default();
    let Some(reason) = text(&mut errors, "reason", &t.reason, "Skriv varför kontot ska avslutas.", 2000)
    else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    match db::request_closure(&mut sp, id, user.user_id, &reason).await {
        Ok(_) => sp.commit().await?,
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Err(AppError::conflict("Det finns redan en begäran om avslut som väntar på beslut."));
        }
        Err(e) => return Err(e.into()),
    }
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "closure_requested",
        &reason,
        json!({}),
        json!({ "reason": reason }),
        "Begäran om avslut är skickad till kommunikationsstrategen för beslut.",
    )
    .await
}

pub async fn decide_closure(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.decider {
        return Err(AppError::forbidden(format!(
            "Beslut om avslut fattas av den som har beslutsrätten på delegation ({}).",
            a.delegated_role.label()
        )));
    }
    let mut errors = FieldErrors::default();
    let approve = match t.decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => {
            errors.add("decision", "Välj om avslutet godkänns eller avslås.");
            false
        }
    };
    let days =
        if t.days.trim().is_empty() { Some(a.closure_days) } else { t.days.trim().parse::<i32>().ok() };
    let days = days.filter(|d| (1..=365).contains(d));
    if approve && days.is_none() {
        errors.add("days", "Ange annonseringstiden i dagar, mellan 1 och 365.");
    }
    let reason = clean(&t.reason);
    if t.decision == "deny" && reason.is_none() {
        errors.add("reason", "Skriv skälet till att avslutet inte godkänns.");
    }
    if !errors.is_empty() {
        return refused(&st, page, &user, id, errors, t).await;
    }
    if !db::decide_closure(&mut tx, id, user.user_id, approve, reason.as_deref(), days.filter(|_| approve))
        .await?
    {
        return Err(AppError::conflict("Det finns ingen begäran om avslut som väntar på beslut."));
    }
    let decision_text = format!(
        "Beslutat av {}, {}, på delegation av {}.",
        user.name,
        a.delegated_role.label().to_lowercase(),
        a.decision_holder
    );
    if approve {
        let start = st.today();
        let end = start + time::Duration::days(i64::from(days.unwrap_or(a.closure_days)));
        if !db::begin_closing(&mut tx, id, start, end).await? {
            return Err(stale());
        }
        let after = json!({ "state": "closing", "announcement_start": start.to_string(),
                            "announcement_end": end.to_string(), "decision": decision_text });
        done(
            tx,
            &session,
            &user,
            &addr,
            id,
            "closure_approved",
            &format!("Avslut godkänt. {decision_text}"),
            json!({ "state": a.state }),
            after,
            "Avslutet är godkänt. Kontoansvarig annonserar avslutet i kanalen under annonseringsperioden.",
        )
        .await
    } else {
        let comment = format!("Avslut avslaget: {}. {decision_text}", reason.clone().unwrap_or_default());
        done(
            tx,
            &session,
            &user,
            &addr,
            id,
            "closure_denied",
            &comment,
            json!({}),
            json!({ "reason": reason, "decision": decision_text }),
            "Begäran om avslut är avslagen.",
        )
        .await
    }
}

pub async fn announced(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (_, can) = load_locked(&mut tx, &user, id).await?;
    if !(can.owner || can.communicator) {
        return Err(deny("registrera att avslutet är annonserat"));
    }
    if !db::mark_announced(&mut tx, id, user.user_id).await? {
        return Err(AppError::conflict(
            "Avslutet är redan annonserat, eller kontot håller inte på att avslutas.",
        ));
    }
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "closure_announced",
        "",
        json!({}),
        json!({ "announced": true }),
        "Det är registrerat att avslutet är annonserat i kanalen.",
    )
    .await
}

pub async fn close(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !(can.owner || can.communicator || can.strategist) {
        return Err(deny("avsluta kontot"));
    }
    if a.state != AccountState::Closing {
        return Err(AppError::conflict("Kontot håller inte på att avslutas."));
    }
    if a.announced_at.is_none() {
        return Err(AppError::conflict("Registrera först att avslutet är annonserat i kanalen."));
    }
    let since = a.announcement_start.unwrap_or(st.today());
    let final_archive = db::has_final_archive(&mut tx, id, since).await?;
    rules::may_close(st.today(), a.announcement_end, final_archive).map_err(AppError::conflict)?;
    let today = st.today();
    if !db::close(&mut tx, id, today).await? {
        return Err(stale());
    }
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "closed",
        "",
        json!({ "state": "closing" }),
        json!({ "state": "closed", "closed_date": today.to_string() }),
        "Kontot är avslutat. Det finns kvar i registret som avslutat.",
    )
    .await
}

// ---------------------------------------------------------------- incidents

pub async fn report_incident(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (_, can) = load_locked(&mut tx, &user, id).await?;
    if !can.incident() {
        return Err(deny("rapportera avvikelser"));
    }
    let mut errors = FieldErrors::default();
    let kind = IncidentKind::from_code(&t.kind);
    if kind.is_none() {
        errors.add("incident_kind", "Välj vad som har hänt.");
    }
    let occurred = parse_datetime(&t.occurred_at);
    let discovered = parse_datetime(&t.discovered_at);
    let now = st.now();
    if occurred.is_none() {
        errors.add("occurred_at", "Skriv när det hände som ÅÅÅÅ-MM-DD TT:MM.");
    }
    match discovered {
        None => errors.add("discovered_at", "Skriv när det upptäcktes som ÅÅÅÅ-MM-DD TT:MM."),
        Some(d) if d > now + time::Duration::minutes(5) => {
            errors.add("discovered_at", "Upptäcktstiden kan inte ligga i framtiden.")
        }
        Some(d) if occurred.is_some_and(|o| o > d) => {
            errors.add("discovered_at", "Händelsen kan inte ha upptäckts innan den inträffade.")
        }
        _ => {}
    }
    let description = text(
        &mut errors,
        "description",
        &t.description,
        "Beskriv vad som hänt, utan att kopiera in personuppgifterna.",
        4000,
    );
    let (Some(kind), Some(occurred), Some(discovered), Some(description), true) =
        (kind, occurred, discovered, description, errors.is_empty())
    else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let personal =
        matches!(kind, IncidentKind::SensitivePersonalData | IncidentKind::ConfidentialInformation)
            || t.personal_data.is_some();
    let iid = db::add_incident(
        &mut tx,
        db::NewIncident {
            account_id: id,
            kind,
            occurred_at: occurred,
            discovered_at: discovered,
            description: &description,
            personal_data: personal,
            reported_by: user.user_id,
        },
    )
    .await?;
    let deadline = crate::web::Dt(rules::imy_deadline(discovered));
    let msg = if personal {
        format!(
            "Avvikelsen är rapporterad. Den är en personuppgiftsincident: anmälan till IMY ska göras senast {deadline}, eller ett motiverat beslut att inte anmäla."
        )
    } else {
        "Avvikelsen är rapporterad.".to_string()
    };
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "incident_reported",
        kind.label(),
        json!({}),
        json!({ "incident_id": iid, "kind": kind, "personal_data": personal }),
        &msg,
    )
    .await
}

#[derive(Deserialize)]
pub struct FollowUp {
    #[serde(default)]
    dpo_informed: Option<String>,
    #[serde(default)]
    imy_notified_on: String,
    #[serde(default)]
    imy_reference: String,
    #[serde(default)]
    no_notification_reason: String,
    #[serde(default)]
    close: Option<String>,
    #[serde(default)]
    closing_note: String,
}

pub async fn follow_up_incident(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path((id, iid)): Path<(i64, i64)>,
    Form(f): Form<FollowUp>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (_, can) = load_locked(&mut tx, &user, id).await?;
    if !can.incident() {
        return Err(deny("följa upp avvikelser"));
    }
    let incident = db::incidents(&mut tx, id)
        .await?
        .into_iter()
        .find(|i| i.incident_id == iid)
        .ok_or(AppError::NotFound)?;
    let notified =
        if f.imy_notified_on.trim().is_empty() {
            None
        } else {
            Some(parse_date(&f.imy_notified_on).ok_or_else(|| {
                AppError::Invalid("Skriv datumet för anmälan till IMY som ÅÅÅÅ-MM-DD.".into())
            })?)
        };
    let reference = clean(&f.imy_reference);
    let no_reason = clean(&f.no_notification_reason);
    let close = f.close.is_some();
    let settled =
        !incident.personal_data || incident.imy_settled() || notified.is_some() || no_reason.is_some();
    if close && !settled {
        return Err(AppError::conflict(
            "En personuppgiftsincident kan inte avslutas förrän den är anmäld till IMY eller det finns ett motiverat beslut att inte anmäla.",
        ));
    }
    let ok = db::follow_up_incident(
        &mut tx,
        id,
        iid,
        db::IncidentFollowUp {
            dpo_informed: f.dpo_informed.is_some(),
            imy_notified_on: notified,
            imy_reference: reference.as_deref(),
            no_notification_reason: no_reason.as_deref(),
            close,
            closing_note: clean(&f.closing_note).as_deref(),
            by: user.user_id,
        },
    )
    .await?;
    if !ok {
        return Err(AppError::conflict("Avvikelsen är redan avslutad."));
    }
    let after = json!({ "incident_id": iid, "dpo_informed": f.dpo_informed.is_some(),
        "imy_notified_on": notified.map(|d| d.to_string()), "imy_reference": reference,
        "no_notification_reason": no_reason, "closed": close });
    let msg = if close { "Avvikelsen är avslutad." } else { "Uppföljningen är sparad." };
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "incident_followed_up",
        "",
        json!({ "incident_id": iid }),
        after,
        msg,
    )
    .await
}

// ---------------------------------------------------------------- people and descriptive data

pub async fn change_people(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.change_people() {
        return Err(AppError::forbidden("Kontoansvarig byts av enhetens chef eller av kommunikatören."));
    }
    refuse_closed(&a)?;
    let people = db::people(&mut tx, a.organisation_id).await?;
    let mut errors = FieldErrors::default();
    let owner = t.owner_user_id.parse::<i64>().ok().filter(|o| people.iter().any(|p| p.id == *o));
    if owner.is_none() {
        errors.add("owner_user_id", "Välj en kontoansvarig.");
    }
    let deputy = if t.deputy_user_id.is_empty() {
        None
    } else {
        let d = t.deputy_user_id.parse::<i64>().ok().filter(|d| people.iter().any(|p| p.id == *d));
        if d.is_none() {
            errors.add("deputy_user_id", "Välj en ersättare i listan.");
        }
        d
    };
    if owner.is_some() && owner == deputy {
        errors.add("deputy_user_id", "Ersättaren ska vara en annan person än kontoansvarig.");
    }
    let content = crate::forms::content::FormContent { editors: t.editors.clone(), ..Default::default() };
    let bad = t.editors.lines().filter(|l| !l.trim().is_empty()).count() != content.editor_list().len();
    if bad {
        errors.add("editors", "Skriv en redaktör per rad som \"Namn, e-postadress\".");
    }
    let (Some(owner), true) = (owner, errors.is_empty()) else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let editors = serde_json::to_value(content.editor_list()).unwrap_or_default();
    db::change_people(&mut tx, id, owner, deputy, &editors).await?;
    let before = json!({ "owner": a.owner_user_id, "deputy": a.deputy_user_id, "editors": a.editors });
    let after = json!({ "owner": owner, "deputy": deputy, "editors": editors });
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "people_changed",
        "",
        before,
        after,
        "Kontoansvarig, ersättare och redaktörer är sparade.",
    )
    .await
}

pub async fn update_descriptive(
    State(st): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.communicator {
        return Err(AppError::forbidden("Kontots uppgifter ändras av kommunikatören."));
    }
    refuse_closed(&a)?;
    let platforms = crate::forms::db::platforms(&mut tx).await?;
    let units = crate::forms::db::units(&mut tx, a.organisation_id).await?;
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &t.name, "Skriv kontots namn.", 300);
    if !t.url.trim().is_empty() && !valid_url_or_handle(&t.url) {
        errors.add("url", "Skriv adressen som https://… eller som @användarnamn.");
    }
    let platform = t.platform_id.parse::<i64>().ok().filter(|p| platforms.iter().any(|c| c.id == *p));
    if platform.is_none() {
        errors.add("platform_id", "Välj plattform.");
    }
    let unit = t.unit_id.parse::<i64>().ok().filter(|u| units.iter().any(|c| c.id == *u));
    if unit.is_none() {
        errors.add("unit_id", "Välj enhet.");
    }
    for (f, v) in [("purpose", &t.purpose), ("goals", &t.goals), ("target_groups", &t.target_groups)] {
        if v.chars().count() > 4000 {
            errors.add(f, "Texten får ha högst 4000 tecken.");
        }
    }
    let (Some(name), Some(platform_id), Some(unit_id), true) = (name, platform, unit, errors.is_empty())
    else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let d = db::Descriptive {
        name: &name,
        url: t.url.trim(),
        platform_id,
        unit_id,
        purpose: t.purpose.trim(),
        goals: t.goals.trim(),
        target_groups: t.target_groups.trim(),
    };
    db::update_descriptive(&mut tx, id, &d).await?;
    let before = json!({ "name": a.name, "url": a.url, "platform_id": a.platform_id, "unit_id": a.unit_id,
                         "purpose": a.purpose, "goals": a.goals, "target_groups": a.target_groups });
    let after = json!({ "name": name, "url": t.url.trim(), "platform_id": platform_id, "unit_id": unit_id,
                        "purpose": t.purpose.trim(), "goals": t.goals.trim(), "target_groups": t.target_groups.trim() });
    done(tx, &session, &user, &addr, id, "updated", "", before, after, "Kontots uppgifter är sparade.").await
}
