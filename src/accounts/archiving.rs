//! Recording an archiving of the account (yearly, before closing, after a change).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;
use tower_sessions::Session;

use super::action::{deny, done, load_locked, text};
use super::db::{self, ArchiveKind};
use super::page::{Typed, refused};
use super::rules::AccountState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::forms::content::parse_date;
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, Page};

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
