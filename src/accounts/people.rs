//! Changing the account's owner, deputy and other editors.

use axum::Form;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{OnAccount, refuse_closed};
use super::change::Change;
use super::db::{self, Account};
use crate::error::{AppError, AppResult};
use crate::web::FieldErrors;

/// What the form of the account's people posts.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct PeopleInput {
    pub(super) owner_user_id: String,
    pub(super) deputy_user_id: String,
    pub(super) editors: String,
}

impl PeopleInput {
    /// The form as the account is now: the editors one per line, "Namn, e-post".
    pub(super) fn of(a: &Account) -> Self {
        let id = |u: Option<i64>| u.map(|u| u.to_string()).unwrap_or_default();
        let editors = a
            .editors
            .as_array()
            .map(|arr| {
                arr.iter()
                    .map(|e| {
                        format!("{}, {}", e["name"].as_str().unwrap_or(""), e["email"].as_str().unwrap_or(""))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        PeopleInput { owner_user_id: id(a.owner_user_id), deputy_user_id: id(a.deputy_user_id), editors }
    }
}

pub(crate) async fn change_people(on: OnAccount, Form(t): Form<PeopleInput>) -> AppResult<Response> {
    let (mut tx, a) = on
        .begin(
            |can| can.change_people(),
            AppError::forbidden("Kontoansvarig byts av enhetens chef eller av kommunikatören."),
        )
        .await?;
    refuse_closed(&a)?;
    let people = crate::org::db::people(&mut tx, a.organisation_id).await?;
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
        return on.refused(errors, t).await;
    };
    let editors = serde_json::to_value(content.editor_list()).unwrap_or_default();
    db::change_people(&mut tx, on.id, owner, deputy, &editors).await?;
    let before = json!({ "owner": a.owner_user_id, "deputy": a.deputy_user_id, "editors": a.editors });
    let after = json!({ "owner": owner, "deputy": deputy, "editors": editors });
    on.done(
        tx,
        Change { account_id: on.id, action: "people_changed", comment: "", before, after },
        "Kontoansvarig, ersättare och redaktörer är sparade.",
    )
    .await
}
