//! Changing the account's owner, deputy and other editors.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::action::{done, load_locked, refuse_closed};
use super::db;
use super::page::{Typed, refused};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, Page};

pub async fn change_people(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
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
