//! Incidents on the account, with the 72-hour deadline for personal-data incidents.

use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{OnAccount, deny, text};
use super::change::Change;
use super::db::{self, IncidentKind};
use super::page::Typed;
use super::rules::{self};
use crate::error::{AppError, AppResult};
use crate::web::parse_date;
use crate::web::{FieldErrors, clean, parse_datetime};

/// What the incident report posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct IncidentInput {
    kind: String,
    occurred_at: String,
    discovered_at: String,
    description: String,
    personal_data: Option<String>,
}

impl From<IncidentInput> for Typed {
    fn from(i: IncidentInput) -> Self {
        Typed {
            kind: i.kind,
            occurred_at: i.occurred_at,
            discovered_at: i.discovered_at,
            description: i.description,
            personal_data: i.personal_data,
            ..Typed::default()
        }
    }
}

pub(crate) async fn report_incident(on: OnAccount, Form(t): Form<IncidentInput>) -> AppResult<Response> {
    let (mut tx, _) = on.begin(|can| can.incident(), deny("rapportera avvikelser")).await?;
    let mut errors = FieldErrors::default();
    let kind = IncidentKind::from_code(&t.kind);
    if kind.is_none() {
        errors.add("incident_kind", "Välj vad som har hänt.");
    }
    let occurred = parse_datetime(&t.occurred_at);
    let discovered = parse_datetime(&t.discovered_at);
    let now = on.st.now();
    if occurred.is_none() {
        errors.add("occurred_at", "Skriv när det hände som ÅÅÅÅ-MM-DD TT:MM.");
    }
    match discovered {
        None => errors.add("discovered_at", "Skriv när det upptäcktes som ÅÅÅÅ-MM-DD TT:MM."),
        Some(d) if d > now + time::Duration::minutes(5) => {
            errors.add("discovered_at", "Upptäcktstiden kan inte ligga i framtiden.")
        }
        Some(d) if occurred.is_some_and(|o| o > d) => {
            errors.add("discovered_at", "Händelsen kan inte ha upptäckts innan den inträffade.")
        }
        _ => {}
    }
    let description = text(
        &mut errors,
        "description",
        &t.description,
        "Beskriv vad som hänt, utan att kopiera in personuppgifterna.",
        4000,
    );
    let (Some(kind), Some(occurred), Some(discovered), Some(description), true) =
        (kind, occurred, discovered, description, errors.is_empty())
    else {
        return on.refused(errors, t).await;
    };
    let personal =
        matches!(kind, IncidentKind::SensitivePersonalData | IncidentKind::ConfidentialInformation)
            || t.personal_data.is_some();
    let iid = db::add_incident(
        &mut tx,
        db::NewIncident {
            account_id: on.id,
            kind,
            occurred_at: occurred,
            discovered_at: discovered,
            description: &description,
            personal_data: personal,
            reported_by: on.user.user_id,
        },
    )
    .await?;
    let deadline = crate::web::Dt(rules::imy_deadline(discovered));
    let msg = if personal {
        format!(
            "Avvikelsen är rapporterad. Den är en personuppgiftsincident: anmälan till IMY ska göras senast {deadline}, eller ett motiverat beslut att inte anmäla."
        )
    } else {
        "Avvikelsen är rapporterad.".to_string()
    };
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "incident_reported",
            comment: kind.label(),
            before: json!({}),
            after: json!({ "incident_id": iid, "kind": kind, "personal_data": personal }),
        },
        &msg,
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct FollowUp {
    #[serde(default)]
    dpo_informed: Option<String>,
    #[serde(default)]
    imy_notified_on: String,
    #[serde(default)]
    imy_reference: String,
    #[serde(default)]
    no_notification_reason: String,
    #[serde(default)]
    close: Option<String>,
    #[serde(default)]
    closing_note: String,
}

pub(crate) async fn follow_up_incident(
    on: OnAccount,
    Path((_, iid)): Path<(i64, i64)>,
    Form(f): Form<FollowUp>,
) -> AppResult<Response> {
    let (mut tx, _) = on.begin(|can| can.incident(), deny("följa upp avvikelser")).await?;
    let incident = db::incidents(&mut tx, on.id)
        .await?
        .into_iter()
        .find(|i| i.incident_id == iid)
        .ok_or(AppError::NotFound)?;
    let notified =
        if f.imy_notified_on.trim().is_empty() {
            None
        } else {
            Some(parse_date(&f.imy_notified_on).ok_or_else(|| {
                AppError::Invalid("Skriv datumet för anmälan till IMY som ÅÅÅÅ-MM-DD.".into())
            })?)
        };
    let reference = clean(&f.imy_reference);
    let no_reason = clean(&f.no_notification_reason);
    let close = f.close.is_some();
    let settled =
        !incident.personal_data || incident.imy_settled() || notified.is_some() || no_reason.is_some();
    if close && !settled {
        return Err(AppError::conflict(
            "En personuppgiftsincident kan inte avslutas förrän den är anmäld till IMY eller det finns ett motiverat beslut att inte anmäla.",
        ));
    }
    let ok = db::follow_up_incident(
        &mut tx,
        on.id,
        iid,
        db::IncidentFollowUp {
            dpo_informed: f.dpo_informed.is_some(),
            imy_notified_on: notified,
            imy_reference: reference.as_deref(),
            no_notification_reason: no_reason.as_deref(),
            close,
            closing_note: clean(&f.closing_note).as_deref(),
            by: on.user.user_id,
        },
    )
    .await?;
    if !ok {
        return Err(AppError::conflict("Avvikelsen är redan avslutad."));
    }
    let after = json!({ "incident_id": iid, "dpo_informed": f.dpo_informed.is_some(),
        "imy_notified_on": notified.map(|d| d.to_string()), "imy_reference": reference,
        "no_notification_reason": no_reason, "closed": close });
    let msg = if close { "Avvikelsen är avslutad." } else { "Uppföljningen är sparad." };
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "incident_followed_up",
            comment: "",
            before: json!({ "incident_id": iid }),
            after,
        },
        msg,
    )
    .await
}
