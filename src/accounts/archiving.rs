//! Recording an archiving of the account (yearly, before closing, after a change).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::action::{deny, done, load_locked, text};
use super::db::{self, ArchiveKind};
use super::page::{Typed, refused};
use super::rules::{self, AccountState};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::parse_date;
use crate::web::{FieldErrors, Page};

pub async fn archive(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.archive() {
        return Err(deny("registrera arkivering"));
    }
    let today = st.today();
    if a.state == AccountState::Approved {
        return Err(AppError::conflict("Kontot har inte startat, så det finns inget att arkivera än."));
    }
    let mut errors = FieldErrors::default();
    let kind = ArchiveKind::from_code(&t.kind);
    if kind.is_none() {
        errors.add("kind", "Välj vilken sorts arkivering det är.");
    }
    if a.state == AccountState::Closed && kind.is_some_and(|k| k != ArchiveKind::Yearly) {
        errors.add("kind", "Ett avslutat konto kan bara få en årlig arkivering för ett år som saknas.");
    }
    let on = parse_date(&t.archived_on);
    match on {
        None => errors.add("archived_on", "Skriv datumet som ÅÅÅÅ-MM-DD."),
        Some(d) if d > today => errors.add("archived_on", "Datumet kan inte ligga i framtiden."),
        _ => {}
    }
    // The year of a yearly record: a missed December can be recorded later.
    // Left out, it is the due one, as the form suggests.
    let recorded = db::archive_years(&mut tx, id).await?;
    let year = match kind {
        Some(ArchiveKind::Yearly) if t.year.trim().is_empty() => {
            Some(rules::archive_year_due(today, a.state, a.start_date, a.closed_date, &recorded))
        }
        Some(ArchiveKind::Yearly) => archive_year(&mut errors, &t.year, today, a.start_date, on),
        _ => on.map(|d| d.year()),
    };
    if a.state == AccountState::Closed
        && let Some(y) = year
        && !rules::missing_years(today, a.state, a.start_date, a.closed_date, &recorded).contains(&y)
    {
        errors.add("year", format!("Kontot är avslutat och saknar ingen årlig arkivering för {y}."));
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
    let (Some(kind), Some(on), Some(year), Some(method), true) = (kind, on, year, method, errors.is_empty())
    else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    let r = db::add_archive(
        &mut sp,
        db::NewArchive {
            account_id: id,
            kind,
            year,
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
        Err(e) if crate::error::violates(&e, "archive_records_yearly") => {
            drop(sp);
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add("year", format!("Kontot har redan en årlig arkivering för {year}."));
            return refused(&st, page, &user, id, errors, t).await;
        }
        Err(e) => return Err(e.into()),
    }
    let after = json!({ "kind": kind, "year": year, "archived_on": on.to_string(), "method": method, "storage_ref": t.storage_ref.trim() });
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

/// The year typed for a yearly record: a year the account was active in, not
/// in the future, and not after the date the archiving was made.
fn archive_year(
    errors: &mut FieldErrors,
    typed: &str,
    today: time::Date,
    start: Option<time::Date>,
    on: Option<time::Date>,
) -> Option<i32> {
    let Ok(year) = typed.trim().parse::<i32>() else {
        errors.add("year", "Skriv året med fyra siffror, till exempel 2025.");
        return None;
    };
    if year > today.year() {
        errors.add("year", "Året kan inte ligga i framtiden.");
    } else if let Some(s) = start.filter(|s| year < s.year()) {
        errors.add("year", format!("Kontot startade {s}, så det finns ingen arkivering för {year}."));
    } else if let Some(d) = on.filter(|d| d.year() < year) {
        errors.add("year", format!("En arkivering gjord {d} kan inte gälla {year}."));
    } else {
        return Some(year);
    }
    None
}
