//! Logging in and out, and changing one's own password.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::{AuthSession, CurrentUser, db, password};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, clean, flash, local_path, render, render_status};

/// The message for a wrong password, an unknown e-mail and a lock alike.
const WRONG_CREDENTIALS: &str = "Fel e-postadress eller lösenord.";
/// The client address when the connection has none (not behind a socket).
const UNKNOWN_ADDR: &str = "okänd";

#[derive(Template)]
#[template(path = "auth/login.html")]
pub(crate) struct LoginPage {
    pub page: Page,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
}

impl LoginPage {
    /// Said on every login page, so a lock is never a surprise and never a tell.
    fn lock_note(&self) -> String {
        format!(
            "Efter {} fel lösenord inom {} minuter spärras inloggningen från din dator i {} minuter.",
            db::MAX_FAILURES,
            db::FAILURE_WINDOW_MINUTES,
            db::LOCK_MINUTES
        )
    }
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

pub(crate) async fn login_form(
    page: Page,
    auth: AuthSession,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if auth.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let next = local_path(q.next.as_deref()).unwrap_or_default();
    render(&LoginPage { page, email: String::new(), next, error: None })
}

#[derive(Deserialize)]
pub(crate) struct LoginInput {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ClientAddr(addr): ClientAddr,
    page: Page,
    Form(input): Form<LoginInput>,
) -> AppResult<Response> {
    let email = input.email.trim().to_string();
    let next = local_path(Some(&input.next)).unwrap_or_default();
    let fail = |page: Page, msg: &str, status: StatusCode| {
        render_status(
            status,
            &LoginPage { page, email: email.clone(), next: next.clone(), error: Some(msg.to_string()) },
        )
    };

    let mut conn = state.db.acquire().await?;
    if let Some(a) = &addr {
        let attempts = db::throttle_hit(&mut conn, a).await?;
        if attempts > state.config.login_attempts_per_minute {
            return Ok(fail(
                page,
                "För många inloggningsförsök från din adress. Vänta en minut och försök igen.",
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
    }
    let found = if email.is_empty() || email.len() > 320 {
        None
    } else {
        db::find_for_login(&mut conn, &email).await?
    };
    drop(conn);
    // Always verify, against a dummy hash for an unknown e-mail, so timing tells nothing.
    let ok = password::verify(input.password.clone(), found.as_ref().map(|f| f.password_hash.clone())).await;

    let mut tx = state.db.begin().await?;
    let Some(row) = found else {
        audit::record(
            &mut tx,
            Entry {
                action: "login_failed",
                entity_type: "user",
                after: Some(json!({ "email": truncate(&email, 100), "reason": "unknown" })),
                client_addr: addr.as_deref(),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(fail(page, WRONG_CREDENTIALS, StatusCode::OK));
    };
    // Failures count per account and client address, and a lock holds only
    // that pair; it answers exactly like a wrong password, so the page tells
    // neither whether the account exists nor whether it is locked.
    let from = addr.as_deref().unwrap_or(UNKNOWN_ADDR);
    let locked = db::is_locked(&mut tx, row.user_id, from).await?;
    if locked || !ok {
        let newly_locked =
            if locked { None } else { db::register_failure(&mut tx, row.user_id, from).await? };
        audit::record(
            &mut tx,
            Entry::new("login_failed", "user", row.user_id)
                .by(row.user_id, addr.as_deref())
                .after(json!({ "reason": if locked { "locked" } else { "password" } })),
        )
        .await?;
        if newly_locked.is_some() {
            audit::record(
                &mut tx,
                Entry {
                    action: "account_locked",
                    entity_type: "user",
                    entity_id: Some(row.user_id),
                    after: Some(json!({ "minutes": db::LOCK_MINUTES })),
                    client_addr: addr.as_deref(),
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        return Ok(fail(page, WRONG_CREDENTIALS, StatusCode::OK));
    }

    db::register_success(&mut tx, row.user_id, from).await?;
    audit::record(&mut tx, Entry::new("login", "user", row.user_id).by(row.user_id, addr.as_deref())).await?;
    tx.commit().await?;

    let user = auth.authenticate(row.user_id).await.map_err(auth_error)?.ok_or(AppError::NotFound)?;
    // login() gives the session a new id.
    auth.login(&user).await.map_err(auth_error)?;
    if user.must_change_password {
        return Ok(Redirect::to("/konto/losenord").into_response());
    }
    Ok(Redirect::to(if next.is_empty() { "/" } else { &next }).into_response())
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

pub(crate) fn auth_error(e: axum_login::Error<super::Backend>) -> AppError {
    match e {
        axum_login::Error::Backend(e) => AppError::Sqlx(e),
        axum_login::Error::Session(e) => AppError::Other(anyhow::anyhow!("session: {e}")),
    }
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    mut auth: AuthSession,
    session: Session,
    ClientAddr(addr): ClientAddr,
) -> AppResult<Response> {
    if let Some(user) = auth.user.clone() {
        let mut tx = state.db.begin().await?;
        audit::record(&mut tx, Entry::new("logout", "user", user.user_id).by(user.user_id, addr.as_deref()))
            .await?;
        tx.commit().await?;
        auth.logout().await.map_err(auth_error)?;
    }
    flash(&session, FlashKind::Info, "Du är utloggad.").await;
    Ok(Redirect::to("/logga-in").into_response())
}

#[derive(Template)]
#[template(path = "auth/password.html")]
pub(crate) struct PasswordPage {
    pub page: Page,
    pub must_change: bool,
    pub errors: FieldErrors,
}

pub(crate) async fn password_form(page: Page, user: CurrentUser) -> AppResult<Response> {
    render(&PasswordPage { page, must_change: user.must_change_password, errors: FieldErrors::default() })
}

#[derive(Deserialize)]
pub(crate) struct PasswordInput {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    mut auth: AuthSession,
    session: Session,
    ClientAddr(addr): ClientAddr,
    page: Page,
    Form(input): Form<PasswordInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    // The current password is guarded as the login is: the per-address
    // throttle, and failures per account and address that lock the pair.
    let from = addr.as_deref().unwrap_or(UNKNOWN_ADDR);
    let mut conn = state.db.acquire().await?;
    if clean(&input.current).is_none() {
        errors.add("current", "Fyll i ditt nuvarande lösenord.");
    } else if db::throttle_hit(&mut conn, from).await? > state.config.login_attempts_per_minute
        || db::is_locked(&mut conn, user.user_id, from).await?
    {
        errors.add(
            "current",
            format!("För många försök med fel lösenord. Vänta {} minuter och försök igen.", db::LOCK_MINUTES),
        );
    } else if !password::verify(input.current.clone(), Some(user.password_hash.clone())).await {
        errors.add("current", "Det nuvarande lösenordet stämmer inte.");
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let locked = db::register_failure(&mut tx, user.user_id, from).await?;
        audit::record(
            &mut tx,
            Entry::new("password_change_failed", "user", user.user_id)
                .by(user.user_id, addr.as_deref())
                .after(json!({ "reason": "current_password", "locked": locked.is_some() })),
        )
        .await?;
        tx.commit().await?;
    }
    drop(conn);
    if let Err(m) = password::check_new_password(&input.new, &user.email) {
        errors.add("new", m);
    } else if input.new == input.current {
        errors.add("new", "Det nya lösenordet måste skilja sig från det nuvarande.");
    }
    if errors.get("new").is_none() && input.new != input.repeat {
        errors.add("repeat", "Lösenorden är inte lika. Skriv samma nya lösenord två gånger.");
    }
    if !errors.is_empty() {
        let p = PasswordPage { page, must_change: user.must_change_password, errors };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    let hash = password::hash(input.new).await?;
    let mut tx = state.db.begin().await?;
    db::set_password(&mut tx, user.user_id, &hash, false).await?;
    audit::record(
        &mut tx,
        Entry::new("password_changed", "user", user.user_id).by(user.user_id, addr.as_deref()),
    )
    .await?;
    tx.commit().await?;
    // Other sessions end (their stored hash no longer matches); keep this one.
    let fresh = auth.authenticate(user.user_id).await.map_err(auth_error)?.ok_or(AppError::NotFound)?;
    auth.login(&fresh).await.map_err(auth_error)?;
    flash(&session, FlashKind::Success, "Ditt lösenord är bytt.").await;
    Ok(Redirect::to("/").into_response())
}
