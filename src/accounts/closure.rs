//! Closing an account: the request, the decision, the announcement and the close.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{close_blocker, deny, done, load_locked, stale, text};
use super::db;
use super::page::{Typed, refused};
use super::rules::AccountState;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, Page, clean};

pub async fn request_closure(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.request_closure() {
        return Err(deny("begära avslut"));
    }
    if !matches!(a.state, AccountState::Approved | AccountState::Active) {
        return Err(AppError::conflict("Kontot håller redan på att avslutas eller är avslutat."));
    }
    let mut errors = FieldErrors::default();
    let Some(reason) = text(&mut errors, "reason", &t.reason, "Skriv varför kontot ska avslutas.", 2000)
    else {
        return refused(&st, page, &user, id, errors, t).await;
    };
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    match db::request_closure(&mut sp, id, user.user_id, &reason).await {
        Ok(_) => sp.commit().await?,
        Err(e) if crate::error::violates(&e, "closure_requests_one_open") => {
            return Err(AppError::conflict("Det finns redan en begäran om avslut som väntar på beslut."));
        }
        Err(e) => return Err(e.into()),
    }
    crate::mail::events::closure_requested(
        &mut tx,
        id,
        &a.name,
        a.organisation_id,
        a.delegated_role.code(),
        &user.name,
        &reason,
    )
    .await?;
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "closure_requested",
        &reason,
        json!({}),
        json!({ "reason": reason }),
        "Begäran om avslut är skickad till kommunikationsstrategen för beslut.",
    )
    .await
}

pub async fn decide_closure(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(t): Form<Typed>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.decider {
        return Err(AppError::forbidden(format!(
            "Beslut om avslut fattas av den som har beslutsrätten på delegation ({}).",
            a.delegated_role.label()
        )));
    }
    let mut errors = FieldErrors::default();
    let approve = match t.decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => {
            errors.add("decision", "Välj om avslutet godkänns eller avslås.");
            false
        }
    };
    let days =
        if t.days.trim().is_empty() { Some(a.closure_days) } else { t.days.trim().parse::<i32>().ok() };
    let days = days.filter(|d| (1..=365).contains(d));
    if approve && days.is_none() {
        errors.add("days", "Ange annonseringstiden i dagar, mellan 1 och 365.");
    }
    let reason = clean(&t.reason);
    if t.decision == "deny" && reason.is_none() {
        errors.add("reason", "Skriv skälet till att avslutet inte godkänns.");
    }
    if !errors.is_empty() {
        return refused(&st, page, &user, id, errors, t).await;
    }
    if !db::decide_closure(&mut tx, id, user.user_id, approve, reason.as_deref(), days.filter(|_| approve))
        .await?
    {
        return Err(AppError::conflict("Det finns ingen begäran om avslut som väntar på beslut."));
    }
    let decision_text = format!(
        "Beslutat av {}, {}, på delegation av {}.",
        user.name,
        a.delegated_role.label().to_lowercase(),
        a.decision_holder
    );
    if approve {
        let start = st.today();
        let end = start + time::Duration::days(i64::from(days.unwrap_or(a.closure_days)));
        if !db::begin_closing(&mut tx, id, start, end).await? {
            return Err(stale());
        }
        let after = json!({ "state": "closing", "announcement_start": start.to_string(),
                            "announcement_end": end.to_string(), "decision": decision_text });
        done(
            tx,
            &session,
            &user,
            &addr,
            id,
            "closure_approved",
            &format!("Avslut godkänt. {decision_text}"),
            json!({ "state": a.state }),
            after,
            "Avslutet är godkänt. Kontoansvarig annonserar avslutet i kanalen under annonseringsperioden.",
        )
        .await
    } else {
        let comment = format!("Avslut avslaget: {}. {decision_text}", reason.clone().unwrap_or_default());
        done(
            tx,
            &session,
            &user,
            &addr,
            id,
            "closure_denied",
            &comment,
            json!({}),
            json!({ "reason": reason, "decision": decision_text }),
            "Begäran om avslut är avslagen.",
        )
        .await
    }
}

pub async fn announced(
    State(st): State<AppState>,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (_, can) = load_locked(&mut tx, &user, id).await?;
    if !(can.owner || can.communicator) {
        return Err(deny("registrera att avslutet är annonserat"));
    }
    if !db::mark_announced(&mut tx, id, user.user_id).await? {
        return Err(AppError::conflict(
            "Avslutet är redan annonserat, eller kontot håller inte på att avslutas.",
        ));
    }
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "closure_announced",
        "",
        json!({}),
        json!({ "announced": true }),
        "Det är registrerat att avslutet är annonserat i kanalen.",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseInput {
    /// "ja" once the confirmation step has been answered.
    #[serde(default)]
    bekraftat: String,
}

/// Close the account, after a confirmation step: it cannot be undone.
pub async fn close(
    State(st): State<AppState>,
    page: Page,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(input): Form<CloseInput>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !(can.owner || can.communicator || can.strategist) {
        return Err(deny("avsluta kontot"));
    }
    let today = st.today();
    if let Some(why) = close_blocker(&mut tx, &a, today).await? {
        return Err(AppError::conflict(why));
    }
    if !crate::web::confirm::confirmed(&input.bekraftat) {
        return crate::web::Confirm {
            page,
            heading: format!("Avsluta kontot {}?", a.name),
            lead: "Kontot blir avslutat och kan inte öppnas igen; det finns kvar i registret som avslutat. \
                   Avsluta det också i kanalen, enligt handledningen."
                .into(),
            facts: vec![("Konto".into(), a.name.clone()), ("Avslutas".into(), today.to_string())],
            action: format!("/konton/{id}/avslut/stang"),
            fields: Vec::new(),
            button: "Ja, avsluta kontot".into(),
            cancel: format!("/konton/{id}#avslut"),
        }
        .render();
    }
    if !db::close(&mut tx, id, today).await? {
        return Err(stale());
    }
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "closed",
        "",
        json!({ "state": "closing" }),
        json!({ "state": "closed", "closed_date": today.to_string() }),
        "Kontot är avslutat. Det finns kvar i registret som avslutat.",
    )
    .await
}
