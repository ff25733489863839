//! People: each user's training records and acknowledgements of the policy,
//! the handbook and the local routine (a new version asks everyone again),
//! and the manager's page "Min verksamhet" with their units' accounts and owners.

pub(crate) mod db;
mod tasks;

pub(crate) use tasks::tasks;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use crate::audit::{self, Entry};
use crate::auth::Acting;
use crate::auth::{Admin, Manager, Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::parse_date;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, clean, flash, render, render_status};
use db::{Acknowledgement, Document, DocumentKind, Training, UnitAccount};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/mina-uppgifter", get(mine))
        .route("/mina-uppgifter/bekrafta", post(acknowledge))
        .route("/mina-uppgifter/utbildning", post(add_training))
        .route("/mina-uppgifter/epost", post(mail_preference))
        .route("/min-verksamhet", get(my_units))
        .route("/admin/dokument", get(documents).post(publish))
        .route("/admin/dokument/{id}/lank", post(set_link))
}

#[derive(Template)]
#[template(path = "people/mine.html")]
pub(crate) struct MinePage {
    page: Page,
    missing: Vec<Document>,
    acks: Vec<Acknowledgement>,
    training: Vec<Training>,
    errors: FieldErrors,
    course: String,
    completed_on: String,
    /// Whether the user takes one summary mail a week instead of each mail.
    weekly: bool,
}

async fn mine_page(
    st: &AppState,
    page: Page,
    user_id: i64,
    errors: FieldErrors,
    course: String,
    completed_on: String,
) -> AppResult<MinePage> {
    let mut conn = st.db.acquire().await?;
    Ok(MinePage {
        page,
        missing: db::missing_acknowledgements(&mut conn, user_id).await?,
        acks: db::acknowledgements(&mut conn, user_id).await?,
        training: db::training(&mut conn, user_id).await?,
        errors,
        course,
        completed_on,
        weekly: crate::mail::db::weekly(&mut conn, user_id).await?,
    })
}

#[derive(Deserialize)]
pub(crate) struct MailInput {
    /// "vecka" for the weekly summary, "enskilda" for a mail per event.
    #[serde(default)]
    utskick: String,
}

/// "E-post": a mail for each event, or one summary every Monday.
pub(crate) async fn mail_preference(
    Acting { st, user, session, addr, .. }: Acting,
    Form(input): Form<MailInput>,
) -> AppResult<Response> {
    let weekly = match input.utskick.as_str() {
        "vecka" => true,
        "enskilda" => false,
        _ => return Err(AppError::Invalid("Välj hur du vill få e-post.".into())),
    };
    let mut tx = st.db.begin().await?;
    let before = crate::mail::db::set_weekly(&mut tx, user.user_id, weekly).await?;
    audit::record(
        &mut tx,
        Entry::new("mail_preference_changed", "user", user.user_id)
            .by(user.user_id, addr.as_deref())
            .before(json!({ "weekly": before }))
            .after(json!({ "weekly": weekly })),
    )
    .await?;
    tx.commit().await?;
    let text = if weekly {
        "Du får en sammanfattning med e-post varje måndag morgon."
    } else {
        "Du får ett e-postbrev för varje sak som väntar på dig."
    };
    flash(&session, FlashKind::Success, text).await;
    Ok(Redirect::to("/mina-uppgifter#epost").into_response())
}

pub(crate) async fn mine(Viewer { st, page, user }: Viewer) -> AppResult<Response> {
    render(&mine_page(&st, page, user.user_id, FieldErrors::default(), String::new(), String::new()).await?)
}

#[derive(Deserialize)]
pub(crate) struct AckInput {
    #[serde(default)]
    document_id: String,
}

pub(crate) async fn acknowledge(
    Acting { st, user, session, addr, .. }: Acting,
    Form(input): Form<AckInput>,
) -> AppResult<Response> {
    let Ok(doc) = input.document_id.parse::<i64>() else {
        return Err(crate::error::AppError::Invalid("Välj vilket dokument du bekräftar.".into()));
    };
    let mut tx = st.db.begin().await?;
    if db::acknowledge(&mut tx, user.user_id, doc).await? {
        audit::record(
            &mut tx,
            Entry::new("document_acknowledged", "document", doc).by(user.user_id, addr.as_deref()),
        )
        .await?;
        tx.commit().await?;
        flash(&session, FlashKind::Success, "Tack! Din bekräftelse är sparad.").await;
    } else {
        flash(&session, FlashKind::Info, "Den versionen är redan bekräftad eller inte längre aktuell.").await;
    }
    Ok(Redirect::to("/mina-uppgifter").into_response())
}

#[derive(Deserialize)]
pub(crate) struct TrainingInput {
    #[serde(default)]
    course: String,
    #[serde(default)]
    completed_on: String,
}

pub(crate) async fn add_training(
    Acting { st, page, user, session, addr }: Acting,
    Form(input): Form<TrainingInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let course = clean(&input.course);
    if course.is_none() {
        errors.add("course", "Skriv vilken utbildning du har gått.");
    } else if input.course.chars().count() > 200 {
        errors.add("course", "Namnet får ha högst 200 tecken.");
    }
    let on = parse_date(&input.completed_on);
    match on {
        None => errors.add("completed_on", "Skriv datumet som ÅÅÅÅ-MM-DD."),
        Some(d) if d > st.today() => errors.add("completed_on", "Datumet kan inte ligga i framtiden."),
        _ => {}
    }
    let (Some(course), Some(on), true) = (course, on, errors.is_empty()) else {
        let p = mine_page(&st, page, user.user_id, errors, input.course, input.completed_on).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    };
    let mut tx = st.db.begin().await?;
    let id = db::add_training(&mut tx, user.user_id, &course, on, user.user_id).await?;
    audit::record(
        &mut tx,
        Entry::new("training_recorded", "training", id)
            .by(user.user_id, addr.as_deref())
            .after(json!({ "course": course, "completed_on": on.to_string() })),
    )
    .await?;
    tx.commit().await?;
    flash(&session, FlashKind::Success, "Utbildningen är registrerad.").await;
    Ok(Redirect::to("/mina-uppgifter").into_response())
}

#[derive(Template)]
#[template(path = "people/my_units.html")]
pub(crate) struct MyUnitsPage {
    page: Page,
    accounts: Vec<UnitAccount>,
}

pub(crate) async fn my_units(
    State(st): State<AppState>,
    page: Page,
    Manager(user): Manager,
) -> AppResult<Response> {
    let units: Vec<i64> =
        user.grants.iter().filter(|g| g.role == Role::Manager).filter_map(|g| g.unit_id).collect();
    let mut conn = st.db.acquire().await?;
    let accounts = db::unit_accounts(&mut conn, &units).await?;
    render(&MyUnitsPage { page, accounts })
}

#[derive(Template)]
#[template(path = "people/documents.html")]
pub(crate) struct DocumentsPage {
    page: Page,
    current: Vec<Document>,
    kinds: [DocumentKind; 3],
    errors: FieldErrors,
    form: PublishInput,
    /// A refused link: which document, and what was typed.
    link_typed: Option<(i64, String)>,
}

impl DocumentsPage {
    fn link_value(&self, d: &Document) -> String {
        match &self.link_typed {
            Some((id, typed)) if *id == d.document_id => typed.clone(),
            _ => d.url.clone(),
        }
    }
    fn link_field(&self, d: &Document) -> String {
        format!("url-{}", d.document_id)
    }
}

#[derive(Default, Deserialize)]
pub(crate) struct PublishInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
}

/// A document's address, required: an `http(s)://` address of at most 500 characters.
fn document_url(errors: &mut FieldErrors, field: &str, typed: &str) -> Option<String> {
    let url = crate::web::web_link(typed).filter(|u| u.chars().count() <= 500).map(str::to_string);
    if url.is_none() {
        errors.add(
            field,
            "Skriv adressen där dokumentet finns, som börjar med https://, till exempel på intranätet.",
        );
    }
    url
}

pub(crate) async fn documents(State(st): State<AppState>, page: Page, _: Admin) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let current = db::current_documents(&mut conn).await?;
    render(&DocumentsPage {
        page,
        current,
        kinds: DocumentKind::ALL,
        errors: FieldErrors::default(),
        form: PublishInput::default(),
        link_typed: None,
    })
}

pub(crate) async fn publish(
    State(st): State<AppState>,
    page: Page,
    Admin(admin): Admin,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<PublishInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let kind = DocumentKind::from_code(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Välj vilket dokument.");
    }
    let version = clean(&form.version).filter(|v| v.chars().count() <= 50);
    if version.is_none() {
        errors.add("version", "Skriv versionen, till exempel 2027 eller 2.1 (högst 50 tecken).");
    }
    let title = clean(&form.title).filter(|v| v.chars().count() <= 200);
    if title.is_none() {
        errors.add("title", "Skriv dokumentets titel (högst 200 tecken).");
    }
    let url = document_url(&mut errors, "url", &form.url);
    let mut tx = st.db.begin().await?;
    if let (Some(kind), Some(version), Some(title), Some(url), true) =
        (kind, version, title, url, errors.is_empty())
    {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::publish(&mut sp, kind, &version, &title, &url, admin.user_id).await {
            Ok(id) => {
                sp.commit().await?;
                audit::record(
                    &mut tx,
                    Entry::new("document_published", "document", id)
                        .by(admin.user_id, addr.as_deref())
                        .after(json!({ "kind": kind, "version": version, "title": title, "url": url })),
                )
                .await?;
                tx.commit().await?;
                flash(
                    &session,
                    FlashKind::Success,
                    "Den nya versionen är publicerad. Alla ombeds bekräfta den.",
                )
                .await;
                return Ok(Redirect::to("/admin/dokument").into_response());
            }
            Err(e) if crate::error::violates(&e, "documents_kind_version_key") => {
                errors.add("version", "Den versionen finns redan.");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let current = db::current_documents(&mut tx).await?;
    let p = DocumentsPage { page, current, kinds: DocumentKind::ALL, errors, form, link_typed: None };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Default, Deserialize)]
pub(crate) struct LinkInput {
    #[serde(default)]
    url: String,
}

/// Set or correct the address of a published version.
pub(crate) async fn set_link(
    State(st): State<AppState>,
    page: Page,
    Admin(admin): Admin,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(input): Form<LinkInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let field = format!("url-{id}");
    let mut tx = st.db.begin().await?;
    if let Some(url) = document_url(&mut errors, &field, &input.url) {
        let before = db::set_document_url(&mut tx, id, &url).await?.ok_or(AppError::NotFound)?;
        audit::record(
            &mut tx,
            Entry::new("document_link_set", "document", id)
                .by(admin.user_id, addr.as_deref())
                .before(json!({ "url": before }))
                .after(json!({ "url": url })),
        )
        .await?;
        tx.commit().await?;
        flash(&session, FlashKind::Success, "Länken till dokumentet är sparad.").await;
        return Ok(Redirect::to("/admin/dokument").into_response());
    }
    let current = db::current_documents(&mut tx).await?;
    if !current.iter().any(|d| d.document_id == id) {
        return Err(AppError::NotFound);
    }
    let p = DocumentsPage {
        page,
        current,
        kinds: DocumentKind::ALL,
        errors,
        form: PublishInput::default(),
        link_typed: Some((id, input.url)),
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}
