//! Starting an account: the start itself, its checklist, and the communicator's
//! confirmation that the credentials are handed over.

use axum::Form;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{OnAccount, deny, refuse_closed, stale};
use super::change::Change;
use super::db;
use super::page::Typed;
use super::rules::AccountState;
use crate::error::{AppError, AppResult};
use crate::forms::content::valid_url_or_handle;
use crate::web::FieldErrors;
use crate::web::parse_date;

/// What the start form posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StartInput {
    url: String,
    start_date: String,
    profile_picture: Option<String>,
    basic_info: Option<String>,
}

impl From<StartInput> for Typed {
    fn from(i: StartInput) -> Self {
        Typed {
            url: i.url,
            start_date: i.start_date,
            profile_picture: i.profile_picture,
            basic_info: i.basic_info,
            ..Typed::default()
        }
    }
}

pub(crate) async fn start(on: OnAccount, Form(t): Form<StartInput>) -> AppResult<Response> {
    let (mut tx, a) = on.begin(|can| can.start(), deny("registrera start")).await?;
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
        Some(d) if d > on.st.today() + time::Duration::days(365) => {
            errors.add("start_date", "Startdatumet ligger för långt fram.")
        }
        _ => {}
    }
    let platform = db::platform_name(&mut tx, a.platform_id).await?;
    let key = crate::accounts::address::normalize(&url, platform.as_deref());
    if let Some(k) = &key
        && let Some(other) = db::taken(&mut tx, &k.key, on.id).await?
    {
        errors.add(
            "url",
            format!("Adressen finns redan i registret, för {} ({}).", other.name, other.organisation),
        );
    }
    let (Some(start_date), true) = (start_date, errors.is_empty()) else {
        drop(tx);
        return on.refused(errors, t).await;
    };
    let (pp, bi) = (t.profile_picture.is_some(), t.basic_info.is_some());
    if !db::start(&mut tx, on.id, &url, start_date, pp, bi).await? {
        return Err(stale());
    }
    db::set_address(&mut tx, on.id, &url, key.as_ref()).await?;
    crate::mail::events::account_started(&mut tx, on.id, &a.name, a.organisation_id).await?;
    let after = json!({ "state": "active", "url": url, "start_date": start_date.to_string(),
                        "profile_picture": pp, "basic_info": bi });
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "started",
            comment: "",
            before: json!({ "state": a.state }),
            after,
        },
        "Starten är registrerad. Det som saknas i checklistan ligger kvar som uppgifter.",
    )
    .await
}

/// What the start checklist posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ChecklistInput {
    profile_picture: Option<String>,
    basic_info: Option<String>,
}

impl From<ChecklistInput> for Typed {
    fn from(i: ChecklistInput) -> Self {
        Typed { profile_picture: i.profile_picture, basic_info: i.basic_info, ..Typed::default() }
    }
}

pub(crate) async fn checklist(on: OnAccount, Form(t): Form<ChecklistInput>) -> AppResult<Response> {
    let (mut tx, a) = on.begin(|can| can.start(), deny("ändra checklistan")).await?;
    refuse_closed(&a)?;
    let (pp, bi) = (t.profile_picture.is_some(), t.basic_info.is_some());
    db::set_checklist(&mut tx, on.id, pp, bi).await?;
    let before = json!({ "profile_picture": a.profile_picture_done, "basic_info": a.basic_info_done });
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "checklist",
            comment: "",
            before,
            after: json!({ "profile_picture": pp, "basic_info": bi }),
        },
        "Checklistan är sparad.",
    )
    .await
}

pub(crate) async fn confirm_credentials(on: OnAccount) -> AppResult<Response> {
    let (mut tx, a) = on
        .begin(
            |can| can.communicator,
            AppError::forbidden(
                "Bara förvaltningens kommunikatör kan bekräfta att inloggningsuppgifterna är lämnade.",
            ),
        )
        .await?;
    if a.state == AccountState::Closed {
        return Err(AppError::conflict("Kontot är avslutat."));
    }
    db::confirm_credentials(&mut tx, on.id, on.user.user_id).await?;
    let before = json!({ "holder": a.credentials_holder });
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "credentials_confirmed",
            comment: "",
            before,
            after: json!({ "holder": on.user.name }),
        },
        "Du har bekräftat att inloggningsuppgifterna är lämnade till dig.",
    )
    .await
}
