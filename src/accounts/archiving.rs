//! Recording an archiving of the account (yearly, before closing, after a change).

use axum::Form;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{OnAccount, deny, text};
use super::change::Change;
use super::db::{self, ArchiveKind};
use super::page::Typed;
use super::rules::{self, AccountState};
use crate::error::{AppError, AppResult};
use crate::web::FieldErrors;
use crate::web::parse_date;

/// What the archiving form posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ArchiveInput {
    kind: String,
    archived_on: String,
    year: String,
    method: String,
    storage_ref: String,
    note: String,
}

impl From<ArchiveInput> for Typed {
    fn from(i: ArchiveInput) -> Self {
        Typed {
            kind: i.kind,
            archived_on: i.archived_on,
            year: i.year,
            method: i.method,
            storage_ref: i.storage_ref,
            note: i.note,
            ..Typed::default()
        }
    }
}

pub(crate) async fn archive(on: OnAccount, Form(t): Form<ArchiveInput>) -> AppResult<Response> {
    let (mut tx, a) = on.begin(|can| can.archive(), deny("registrera arkivering")).await?;
    let today = on.st.today();
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
    let date = parse_date(&t.archived_on);
    match date {
        None => errors.add("archived_on", "Skriv datumet som ÅÅÅÅ-MM-DD."),
        Some(d) if d > today => errors.add("archived_on", "Datumet kan inte ligga i framtiden."),
        _ => {}
    }
    // The year of a yearly record: a missed December can be recorded later.
    // Left out, it is the due one, as the form suggests.
    let recorded = db::archive_years(&mut tx, on.id).await?;
    let year = match kind {
        Some(ArchiveKind::Yearly) if t.year.trim().is_empty() => {
            Some(rules::archive_year_due(today, a.state, a.start_date, a.closed_date, &recorded))
        }
        Some(ArchiveKind::Yearly) => archive_year(&mut errors, &t.year, today, a.start_date, date),
        _ => date.map(|d| d.year()),
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
    let (Some(kind), Some(date), Some(year), Some(method), true) =
        (kind, date, year, method, errors.is_empty())
    else {
        return on.refused(errors, t).await;
    };
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    let r = db::add_archive(
        &mut sp,
        db::NewArchive {
            account_id: on.id,
            kind,
            year,
            archived_on: date,
            recorded_by: on.user.user_id,
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
            return on.refused(errors, t).await;
        }
        Err(e) => return Err(e.into()),
    }
    let after = json!({ "kind": kind, "year": year, "archived_on": date.to_string(), "method": method, "storage_ref": t.storage_ref.trim() });
    on.done(
        tx,
        Change { account_id: on.id, action: "archived", comment: kind.label(), before: json!({}), after },
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
