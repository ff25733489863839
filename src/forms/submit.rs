//! Send the form to the unit's manager, or delete a draft.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::content::FormContent;
use super::db::{self, FormKind};
use super::form::*;
use super::workflow::{self, Action, Capacity, FormState};
use crate::audit::{self, Entry};
use crate::auth::Acting;
use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FlashKind, Page, flash, render_status};

/// Why a form for a unit without a manager cannot be sent, and whom to ask.
async fn no_manager_message(
    conn: &mut PgConnection,
    ch: &Choices,
    unit: i64,
    organisation_id: i64,
) -> AppResult<String> {
    let name = ch.units.iter().find(|u| u.id == unit).map(|u| u.label.clone()).unwrap_or_default();
    let who = crate::org::db::communicators(conn, organisation_id).await?;
    let contact = if who.is_empty() {
        "organisationens kommunikatör".to_string()
    } else {
        crate::web::list_text(&who)
    };
    Ok(format!(
        "Enheten {name} har ingen chef i Kontoregistret, så ingen kan skriva under blanketten. \
         Kontakta {contact} så att enhetens chef läggs in. Blanketten är sparad som utkast."
    ))
}

/// Validate and submit a draft; on errors the draft keeps what was typed and
/// the form comes back with 422.
pub(super) async fn submit(
    st: &AppState,
    page: Page,
    user: &User,
    session: &Session,
    addr: &Option<String>,
    id: i64,
    content: FormContent,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = owned_form(&mut conn, user, id).await?;
    let ch = choices(&mut conn, form.organisation_id, form.owner_user_id).await?;
    let content = in_scope(content, &ch);
    let mut errors = validate(&content, form.kind == FormKind::ExistingAccount, &ch, user.user_id);
    if let Some(unit) = content.unit().filter(|_| errors.is_empty())
        && !crate::org::db::unit_has_manager(&mut conn, unit).await?
    {
        errors.add("unit_id", no_manager_message(&mut conn, &ch, unit, form.organisation_id).await?);
    }
    if !errors.is_empty() {
        // Keep the work: save what was typed as the draft, recorded as a draft save.
        if content != form.content.0 {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            if !db::save_content(&mut tx, id, FormState::Draft, FormState::Draft, &content).await? {
                return Err(stale());
            }
            db::record_event(
                &mut tx,
                db::NewEvent::by_owner(
                    id,
                    user.user_id,
                    "edit",
                    Some(FormState::Draft),
                    Some(FormState::Draft),
                    "Sparad som utkast: blanketten kunde inte skickas förrän felen är rättade.",
                ),
            )
            .await?;
            audit::record(
                &mut tx,
                Entry::new("form_edited", "form", id)
                    .by(user.user_id, addr.as_deref())
                    .before(json!({ "state": form.state, "content": form.content.0 }))
                    .after(json!({ "state": FormState::Draft, "content": content, "submit_refused": true })),
            )
            .await?;
            tx.commit().await?;
        }
        let form = db::form_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
        let p = edit_page(&mut conn, page, &form, content, errors).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    drop(conn);
    let Some((_, to)) = workflow::allowed(form.state, Action::Submit, &[Capacity::Owner]) else {
        return Err(stale());
    };
    let mut tx = st.db.begin().await?;
    if !db::save_content(&mut tx, id, FormState::Draft, to, &content).await? {
        return Err(stale());
    }
    db::invalidate_signatures(&mut tx, id).await?;
    let number = db::assign_case_number(&mut tx, id, form.organisation_id).await?;
    db::record_event(
        &mut tx,
        db::NewEvent::by_owner(id, user.user_id, "submit", Some(FormState::Draft), Some(to), ""),
    )
    .await?;
    crate::mail::events::form_step(
        &mut tx,
        Action::Submit,
        &crate::mail::events::FormEvent {
            form_id: id,
            case_number: &number,
            account_name: &content.account_name,
            organisation_id: form.organisation_id,
            unit_id: content.unit(),
            owner_user_id: form.owner_user_id,
            actor_name: &user.name,
            comment: "",
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry::new("form_submit", "form", id)
            .by(user.user_id, addr.as_deref())
            .before(json!({ "state": FormState::Draft }))
            .after(json!({ "state": to, "case_number": number })),
    )
    .await?;
    tx.commit().await?;
    flash(
        session,
        FlashKind::Success,
        format!("Blanketten {number} är skickad till chefen för underskrift."),
    )
    .await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}

pub(crate) async fn delete_draft(
    Acting { st, user, session, addr, .. }: Acting,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let form = owned_form(&mut tx, &user, id).await?;
    if form.case_number.is_some() || form.state != FormState::Draft {
        return Err(AppError::conflict(
            "Bara utkast som aldrig har skickats in kan tas bort. Du kan återkalla blanketten i stället.",
        ));
    }
    db::delete_events(&mut tx, id).await?;
    let Some(content) = db::delete_unsubmitted_draft(&mut tx, id, user.user_id).await? else {
        return Err(stale());
    };
    audit::record(
        &mut tx,
        Entry::new("form_draft_deleted", "form", id).by(user.user_id, addr.as_deref()).before(content),
    )
    .await?;
    tx.commit().await?;
    flash(&session, FlashKind::Success, "Utkastet är borttaget.").await;
    Ok(Redirect::to("/blanketter").into_response())
}
