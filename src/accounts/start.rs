//! Starting an account: the start itself, its checklist, and the communicator's
//! confirmation that the credentials are handed over.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::action::{deny, done, load_locked, refuse_closed, stale};
use super::db;
use super::page::{Typed, refused};
use super::rules::AccountState;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::forms::content::valid_url_or_handle;
use crate::state::AppState;
use crate::web::parse_date;
use crate::web::{FieldErrors, Page};

pub async fn start(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
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
    let platform = db::platform_name(&mut tx, a.platform_id).await?;
    let key = crate::accounts::address::normalize(&url, platform.as_deref());
    if let Some(k) = &key
        && let Some(other) = db::taken(&mut tx, &k.key, id).await?
    {
        errors.add(
            "url",
            format!("Adressen finns redan i registret, för {} ({}).", other.name, other.organisation),
        );
    }
    let (Some(start_date), true) = (start_date, errors.is_empty()) else {
        drop(tx);
        return refused(&st, page, &user, id, errors, t).await;
    };
    let (pp, bi) = (t.profile_picture.is_some(), t.basic_info.is_some());
    if !db::start(&mut tx, id, &url, start_date, pp, bi).await? {
        return Err(stale());
    }
    db::set_address(&mut tx, id, &url, key.as_ref()).await?;
    crate::mail::events::account_started(&mut tx, id, &a.name, a.organisation_id).await?;
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
    Actor { user, session, addr }: Actor,
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
    Actor { user, session, addr }: Actor,
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
