//! Closing an account: the request, the decision, the announcement and the close.

use axum::Form;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{OnAccount, close_blocker, deny, stale, text};
use super::change::Change;
use super::db;
use super::page::Typed;
use super::rules::AccountState;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, clean};

/// What the request to close the account posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ClosureRequest {
    reason: String,
}

impl From<ClosureRequest> for Typed {
    fn from(i: ClosureRequest) -> Self {
        Typed { reason: i.reason, ..Typed::default() }
    }
}

pub(crate) async fn request_closure(on: OnAccount, Form(t): Form<ClosureRequest>) -> AppResult<Response> {
    let (mut tx, a) = on.begin(|can| can.request_closure(), deny("begära avslut")).await?;
    if !matches!(a.state, AccountState::Approved | AccountState::Active) {
        return Err(AppError::conflict("Kontot håller redan på att avslutas eller är avslutat."));
    }
    let mut errors = FieldErrors::default();
    let Some(reason) = text(&mut errors, "reason", &t.reason, "Skriv varför kontot ska avslutas.", 2000)
    else {
        return on.refused(errors, t).await;
    };
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    match db::request_closure(&mut sp, on.id, on.user.user_id, &reason).await {
        Ok(_) => sp.commit().await?,
        Err(e) if crate::error::violates(&e, "closure_requests_one_open") => {
            return Err(AppError::conflict("Det finns redan en begäran om avslut som väntar på beslut."));
        }
        Err(e) => return Err(e.into()),
    }
    crate::mail::events::closure_requested(
        &mut tx,
        on.id,
        &a.name,
        a.organisation_id,
        a.delegated_role.code(),
        &on.user.name,
        &reason,
    )
    .await?;
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "closure_requested",
            comment: &reason,
            before: json!({}),
            after: json!({ "reason": reason }),
        },
        "Begäran om avslut är skickad till kommunikationsstrategen för beslut.",
    )
    .await
}

/// What the decision on a closure request posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ClosureDecision {
    decision: String,
    days: String,
    reason: String,
}

impl From<ClosureDecision> for Typed {
    fn from(i: ClosureDecision) -> Self {
        Typed { decision: i.decision, days: i.days, reason: i.reason, ..Typed::default() }
    }
}

pub(crate) async fn decide_closure(on: OnAccount, Form(t): Form<ClosureDecision>) -> AppResult<Response> {
    let (mut tx, a, can) = on.lock().await?;
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
        return on.refused(errors, t).await;
    }
    if !db::decide_closure(
        &mut tx,
        on.id,
        on.user.user_id,
        approve,
        reason.as_deref(),
        days.filter(|_| approve),
    )
    .await?
    {
        return Err(AppError::conflict("Det finns ingen begäran om avslut som väntar på beslut."));
    }
    let decision_text = format!(
        "Beslutat av {}, {}, på delegation av {}.",
        on.user.name,
        a.delegated_role.label().to_lowercase(),
        a.decision_holder
    );
    if approve {
        let start = on.st.today();
        let end = start + time::Duration::days(i64::from(days.unwrap_or(a.closure_days)));
        if !db::begin_closing(&mut tx, on.id, start, end).await? {
            return Err(stale());
        }
        let after = json!({ "state": "closing", "announcement_start": start.to_string(),
                            "announcement_end": end.to_string(), "decision": decision_text });
        on.done(
            tx,
            Change {
                account_id: on.id,
                action: "closure_approved",
                comment: &format!("Avslut godkänt. {decision_text}"),
                before: json!({ "state": a.state }),
                after,
            },
            "Avslutet är godkänt. Kontoansvarig annonserar avslutet i kanalen under annonseringsperioden.",
        )
        .await
    } else {
        let comment = format!("Avslut avslaget: {}. {decision_text}", reason.clone().unwrap_or_default());
        on.done(
            tx,
            Change {
                account_id: on.id,
                action: "closure_denied",
                comment: &comment,
                before: json!({}),
                after: json!({ "reason": reason, "decision": decision_text }),
            },
            "Begäran om avslut är avslagen.",
        )
        .await
    }
}

pub(crate) async fn announced(on: OnAccount) -> AppResult<Response> {
    let (mut tx, _) =
        on.begin(|can| can.owner || can.communicator, deny("registrera att avslutet är annonserat")).await?;
    if !db::mark_announced(&mut tx, on.id, on.user.user_id).await? {
        return Err(AppError::conflict(
            "Avslutet är redan annonserat, eller kontot håller inte på att avslutas.",
        ));
    }
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "closure_announced",
            comment: "",
            before: json!({}),
            after: json!({ "announced": true }),
        },
        "Det är registrerat att avslutet är annonserat i kanalen.",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CloseInput {
    /// "ja" once the confirmation step has been answered.
    #[serde(default)]
    bekraftat: String,
}

/// Close the account, after a confirmation step: it cannot be undone.
pub(crate) async fn close(on: OnAccount, Form(input): Form<CloseInput>) -> AppResult<Response> {
    let (mut tx, a) =
        on.begin(|can| can.owner || can.communicator || can.strategist, deny("avsluta kontot")).await?;
    let today = on.st.today();
    if let Some(why) = close_blocker(&mut tx, &a, today).await? {
        return Err(AppError::conflict(why));
    }
    if !crate::web::confirm::confirmed(&input.bekraftat) {
        return crate::web::Confirm {
            page: on.page.clone(),
            heading: format!("Avsluta kontot {}?", a.name),
            lead: "Kontot blir avslutat och kan inte öppnas igen; det finns kvar i registret som avslutat. \
                   Avsluta det också i kanalen, enligt handledningen."
                .into(),
            facts: vec![("Konto".into(), a.name.clone()), ("Avslutas".into(), today.to_string())],
            action: format!("/konton/{}/avslut/stang", on.id),
            fields: Vec::new(),
            button: "Ja, avsluta kontot".into(),
            cancel: format!("/konton/{}#avslut", on.id),
        }
        .render();
    }
    if !db::close(&mut tx, on.id, today).await? {
        return Err(stale());
    }
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "closed",
            comment: "",
            before: json!({ "state": "closing" }),
            after: json!({ "state": "closed", "closed_date": today.to_string() }),
        },
        "Kontot är avslutat. Det finns kvar i registret som avslutat.",
    )
    .await
}
