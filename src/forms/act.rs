//! The workflow buttons: sign, return, comment, ask for completion, book a
//! meeting, approve, reject, withdraw.

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::content::parse_date;
use super::db::{self, FormKind, FormRow};
use super::form::{check_expected, stale};
use super::show::{BUTTON_ACTIONS, MeetingInput, Typed, capacities, capacity_label, show_page};
use super::workflow::{self, Action};
use crate::audit::{self, Entry};
use crate::auth::Acting;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, FlashKind, Page, clean, flash, local_to_utc, render_status};

#[derive(Deserialize)]
pub(crate) struct ActionInput {
    #[serde(default)]
    action: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    comment: String,
    /// "ja" once the confirmation step of a decision has been answered.
    #[serde(default)]
    bekraftat: String,
    #[serde(flatten)]
    meeting: MeetingInput,
}

fn action_from_code(code: &str) -> Option<Action> {
    BUTTON_ACTIONS.into_iter().find(|a| a.code() == code)
}

/// The confirmation step of a decision, which cannot be undone.
fn confirm_decision(
    page: Page,
    form: &FormRow,
    action: Action,
    state: &str,
    comment: &str,
) -> AppResult<Response> {
    let case = form.case_number.clone().unwrap_or_default();
    let (heading, lead, button) = if action == Action::Approve {
        (
            format!("Godkänna blanketten {case}?"),
            "Kontot förs in i registret som \"Godkänt, ej startat\" och kontoansvarig kan starta det. \
             Beslutet kan inte ångras."
                .to_string(),
            "Ja, godkänn blanketten",
        )
    } else {
        (
            format!("Avslå blanketten {case}?"),
            "Kontot får inte startas. Kontoansvarig ser skälet. Beslutet kan inte ångras.".to_string(),
            "Ja, avslå blanketten",
        )
    };
    let mut facts = vec![("Blankett".to_string(), case)];
    let name = form.content.0.account_name.trim();
    if !name.is_empty() {
        facts.push(("Konto".into(), name.to_string()));
    }
    facts.push((
        if action == Action::Reject { "Skäl".into() } else { "Kommentar till beslutet".into() },
        if comment.is_empty() { "Ingen".into() } else { comment.to_string() },
    ));
    crate::web::Confirm {
        page,
        heading,
        lead,
        facts,
        action: format!("/blanketter/{}/atgard", form.form_id),
        fields: vec![
            ("action".into(), action.code().into()),
            ("state".into(), state.into()),
            ("comment".into(), comment.into()),
        ],
        button: button.into(),
        cancel: format!("/blanketter/{}#atgarder", form.form_id),
    }
    .render()
}

/// Every workflow button posts here: the action is checked against the
/// workflow table for the user's capacities and applied as one guarded update.
pub(crate) async fn act(
    Acting { st, page, user, session, addr }: Acting,
    Path(id): Path<i64>,
    Form(input): Form<ActionInput>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = db::form_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    let caps = capacities(&user, &form);
    if caps.is_empty() {
        return Err(AppError::forbidden("Du kan läsa blanketten, men dina roller ger ingen åtgärd på den."));
    }
    let action = action_from_code(&input.action).ok_or_else(|| AppError::Invalid("Okänd åtgärd.".into()))?;
    let allowed_somewhere =
        workflow::FormState::ALL.iter().any(|s| workflow::allowed(*s, action, &caps).is_some());
    if !allowed_somewhere {
        return Err(AppError::forbidden(format!(
            "Du kan inte \"{}\" på den här blanketten med de roller du har.",
            action.button()
        )));
    }
    check_expected(&form, &input.state)?;
    let Some((capacity, to)) = workflow::allowed(form.state, action, &caps) else {
        return Err(AppError::conflict(format!(
            "Det går inte att \"{}\" nu: blanketten är {}.",
            action.button(),
            form.state.label().to_lowercase()
        )));
    };

    let comment = input.comment.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>();
    let mut errors = FieldErrors::default();
    if action.needs_comment() && comment.is_empty() {
        let msg = match action {
            Action::Reject => "Skriv skälet till avslaget.",
            Action::Comment => "Skriv en kommentar.",
            _ => "Skriv vad som behöver ändras eller kompletteras.",
        };
        errors.add("comment", msg);
    } else if comment.chars().count() > 4000 {
        errors.add("comment", "Kommentaren får ha högst 4000 tecken.");
    }
    let mut meeting_at = None;
    if action == Action::BookMeeting {
        let m = &input.meeting;
        let date = parse_date(&m.meeting_date);
        let time =
            time::Time::parse(m.meeting_time.trim(), time::macros::format_description!("[hour]:[minute]"))
                .ok();
        if date.is_none() {
            errors.add("meeting_date", "Skriv mötets datum som ÅÅÅÅ-MM-DD.");
        }
        if time.is_none() {
            errors.add("meeting_time", "Skriv mötets tid som TT:MM, till exempel 13:30.");
        }
        if clean(&m.meeting_place).is_none() {
            errors.add("meeting_place", "Skriv var mötet hålls (rum eller länk).");
        }
        if clean(&m.meeting_participants).is_none() {
            errors.add("meeting_participants", "Skriv vilka som deltar.");
        }
        if let (Some(d), Some(t)) = (date, time) {
            meeting_at = Some(local_to_utc(time::PrimitiveDateTime::new(d, t)));
        }
    }
    if !errors.is_empty() {
        let p = show_page(
            &mut conn,
            page,
            &user,
            form,
            Typed { errors, comment: input.comment, meeting: input.meeting },
            false,
        )
        .await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    drop(conn);
    if matches!(action, Action::Approve | Action::Reject) && !crate::web::confirm::confirmed(&input.bekraftat)
    {
        return confirm_decision(page, &form, action, &input.state, &comment);
    }

    let role_label = capacity_label(capacity, &form);
    let mut tx = st.db.begin().await?;
    if !db::set_state(&mut tx, id, form.state, to).await? {
        return Err(stale());
    }
    let mut after = json!({ "state": to });
    let mut event_comment = comment.clone();
    match action {
        Action::Sign => db::sign(&mut tx, id, user.user_id, &form.content.0).await?,
        Action::Return | Action::RequestCompletion => {
            db::invalidate_signatures(&mut tx, id).await?;
        }
        Action::BookMeeting => {
            let m = &input.meeting;
            let at = meeting_at.ok_or_else(|| AppError::Invalid("Mötestid saknas.".into()))?;
            db::book_meeting(&mut tx, id, at, m.meeting_place.trim(), m.meeting_participants.trim()).await?;
            event_comment = format!(
                "Möte {} {} i {}. Deltagare: {}.{}",
                m.meeting_date.trim(),
                m.meeting_time.trim(),
                m.meeting_place.trim(),
                m.meeting_participants.trim(),
                if comment.is_empty() { String::new() } else { format!(" {comment}") }
            );
            after["meeting_at"] = json!(at.to_string());
        }
        Action::Approve | Action::Reject => {
            let verb = if action == Action::Approve { "Godkänd" } else { "Avslagen" };
            let text = format!(
                "{verb}. Beslutat av {}, {}, på delegation av {}.",
                user.name,
                role_label.to_lowercase(),
                form.decision_holder
            );
            let reason = (action == Action::Reject).then_some(comment.as_str());
            // An approval's comment (its conditions) is part of the decision.
            let text = if action == Action::Approve && !comment.is_empty() {
                format!("{text} Kommentar: {comment}")
            } else {
                text
            };
            db::decide(&mut tx, id, user.user_id, &text, reason).await?;
            after["decision"] = json!(text);
            if action == Action::Approve {
                let account_id = db::register_account(&mut tx, &form).await?;
                after["account_id"] = json!(account_id);
                audit::record(
                    &mut tx,
                    Entry::new(
                        if form.kind == FormKind::ExistingAccount {
                            "account_form_approved"
                        } else {
                            "account_created"
                        },
                        "account",
                        account_id,
                    )
                    .by(user.user_id, addr.as_deref())
                    .after(json!({ "form_id": id, "state": "approved" })),
                )
                .await?;
            }
        }
        _ => {}
    }
    db::record_event(
        &mut tx,
        db::NewEvent {
            form_id: id,
            actor: user.user_id,
            actor_role: role_label,
            action: action.code(),
            from: Some(form.state),
            to: Some(to),
            comment: &event_comment,
        },
    )
    .await?;
    crate::mail::events::form_step(
        &mut tx,
        action,
        &crate::mail::events::FormEvent {
            form_id: id,
            case_number: form.case_number.as_deref().unwrap_or(""),
            account_name: &form.content.0.account_name,
            organisation_id: form.organisation_id,
            unit_id: form.unit_id,
            owner_user_id: form.owner_user_id,
            actor_name: &user.name,
            comment: &event_comment,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry::new(&format!("form_{}", action.code()), "form", id)
            .by(user.user_id, addr.as_deref())
            .before(json!({ "state": form.state }))
            .after(after),
    )
    .await?;
    tx.commit().await?;
    let msg = match action {
        Action::Sign => "Du har skrivit under blanketten. Den går nu till granskning.".to_string(),
        Action::Return => "Blanketten är skickad tillbaka till kontoansvarig.".to_string(),
        Action::Comment => "Kommentaren är sparad.".to_string(),
        Action::RequestCompletion => "Blanketten är skickad tillbaka för komplettering.".to_string(),
        Action::BookMeeting => "Mötet är bokat.".to_string(),
        Action::Approve => {
            "Blanketten är godkänd och kontot finns nu i registret som \"Godkänt, ej startat\".".into()
        }
        Action::Reject => "Blanketten är avslagen.".to_string(),
        Action::Withdraw => "Blanketten är återkallad.".to_string(),
        Action::Edit | Action::Submit => String::new(),
    };
    flash(&session, FlashKind::Success, msg).await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}
