//! Changing the account's descriptive data (name, address, platform, unit, purpose).

use axum::Form;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{OnAccount, refuse_closed, text};
use super::change::Change;
use super::db::{self, Account};
use crate::error::{AppError, AppResult};
use crate::forms::content::valid_url_or_handle;
use crate::web::FieldErrors;

/// What the form of the account's descriptive data posts.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct DetailsInput {
    pub(super) name: String,
    pub(super) url: String,
    pub(super) platform_id: String,
    pub(super) unit_id: String,
    pub(super) purpose: String,
    pub(super) goals: String,
    pub(super) target_groups: String,
}

impl DetailsInput {
    /// The form as the account is now.
    pub(super) fn of(a: &Account) -> Self {
        DetailsInput {
            name: a.name.clone(),
            url: a.url.clone(),
            platform_id: a.platform_id.to_string(),
            unit_id: a.unit_id.to_string(),
            purpose: a.purpose.clone(),
            goals: a.goals.clone(),
            target_groups: a.target_groups.clone(),
        }
    }
}

pub(crate) async fn update_descriptive(on: OnAccount, Form(t): Form<DetailsInput>) -> AppResult<Response> {
    let (mut tx, a) = on
        .begin(|can| can.communicator, AppError::forbidden("Kontots uppgifter ändras av kommunikatören."))
        .await?;
    refuse_closed(&a)?;
    let platforms = crate::org::db::platforms(&mut tx).await?;
    let units = crate::org::db::units(&mut tx, a.organisation_id).await?;
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &t.name, "Skriv kontots namn.", 300);
    if !t.url.trim().is_empty() && !valid_url_or_handle(&t.url) {
        errors.add("details_url", "Skriv adressen som https://… eller som @användarnamn.");
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
    let url = t.url.trim();
    let key = match platform {
        Some(p) => {
            let name = platforms.iter().find(|c| c.id == p).map(|c| c.label.as_str());
            crate::accounts::address::normalize(url, name)
        }
        None => None,
    };
    if let Some(k) = &key
        && let Some(other) = db::taken(&mut tx, &k.key, on.id).await?
    {
        errors.add(
            "details_url",
            format!("Adressen finns redan i registret, för {} ({}).", other.name, other.organisation),
        );
    }
    let (Some(name), Some(platform_id), Some(unit_id), true) = (name, platform, unit, errors.is_empty())
    else {
        drop(tx);
        return on.refused(errors, t).await;
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
    db::update_descriptive(&mut tx, on.id, &d).await?;
    db::set_address(&mut tx, on.id, url, key.as_ref()).await?;
    let before = json!({ "name": a.name, "url": a.url, "platform_id": a.platform_id, "unit_id": a.unit_id,
                         "purpose": a.purpose, "goals": a.goals, "target_groups": a.target_groups });
    let after = json!({ "name": name, "url": t.url.trim(), "platform_id": platform_id, "unit_id": unit_id,
                        "purpose": t.purpose.trim(), "goals": t.goals.trim(), "target_groups": t.target_groups.trim() });
    on.done(
        tx,
        Change { account_id: on.id, action: "updated", comment: "", before, after },
        "Kontots uppgifter är sparade.",
    )
    .await
}
