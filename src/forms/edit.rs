//! The edit page of a draft: shown, saved, and sent on when the owner submits.

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::db::{self, FormKind};
use super::form::{Posted, check_expected, choices, edit_page, in_scope, owned_form, stale, validate};
use super::submit::submit;
use super::workflow::{self, Action, Capacity, FormState};
use crate::audit::{self, Entry};
use crate::auth::Acting;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, FlashKind, flash, render, render_status};

pub(crate) async fn edit_form(Viewer { st, page, user }: Viewer, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = owned_form(&mut conn, &user, id).await?;
    if workflow::transition(form.state, Action::Edit, Capacity::Owner).is_none() {
        return Err(AppError::conflict(format!(
            "Blanketten kan inte ändras när den är {}.",
            form.state.label().to_lowercase()
        )));
    }
    let c = form.content.0.clone();
    render(&edit_page(&mut conn, page, &form, c, FieldErrors::default()).await?)
}

pub(crate) async fn update_form(
    Acting { st, page, user, session, addr }: Acting,
    Path(id): Path<i64>,
    Form(posted): Form<Posted>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let form = owned_form(&mut conn, &user, id).await?;
    check_expected(&form, &posted.state)?;
    let ch = choices(&mut conn, form.organisation_id, form.owner_user_id).await?;
    let content = in_scope(posted.content.normalised(), &ch);
    if posted.action == "submit" && form.state == FormState::Draft {
        drop(conn);
        return submit(&st, page, &user, &session, &addr, id, content).await;
    }
    let Some(new_state) = workflow::transition(form.state, Action::Edit, Capacity::Owner) else {
        return Err(AppError::conflict(format!(
            "Blanketten kan inte ändras när den är {}.",
            form.state.label().to_lowercase()
        )));
    };
    // A submitted form must stay complete.
    if form.state != FormState::Draft {
        let errors = validate(&content, form.kind == FormKind::ExistingAccount, &ch, user.user_id);
        if !errors.is_empty() {
            let p = edit_page(&mut conn, page, &form, content, errors).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    }
    drop(conn);
    let changed = content != form.content.0;
    let mut tx = st.db.begin().await?;
    if !db::save_content(&mut tx, id, form.state, new_state, &content).await? {
        return Err(stale());
    }
    let dropped = if changed { db::invalidate_signatures(&mut tx, id).await? } else { 0 };
    let comment =
        if dropped > 0 { "Ändrad efter underskrift: chefen behöver skriva under igen." } else { "" };
    db::record_event(
        &mut tx,
        db::NewEvent::by_owner(id, user.user_id, "edit", Some(form.state), Some(new_state), comment),
    )
    .await?;
    audit::record(
        &mut tx,
        Entry::new("form_edited", "form", id)
            .by(user.user_id, addr.as_deref())
            .before(json!({ "state": form.state, "content": form.content.0 }))
            .after(json!({ "state": new_state, "content": content, "signature_dropped": dropped > 0 })),
    )
    .await?;
    tx.commit().await?;
    let msg = if dropped > 0 || new_state != form.state {
        "Ändringarna är sparade. Eftersom blanketten ändrades efter underskriften går den tillbaka till chefen för ny underskrift."
    } else {
        "Ändringarna är sparade."
    };
    flash(&session, FlashKind::Success, msg).await;
    Ok(Redirect::to(&format!("/blanketter/{id}")).into_response())
}
