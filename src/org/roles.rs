//! A user's role assignments (granted, revoked by marking them inactive) and
//! the password reset with a new one-time password.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::admin::{audit_entry, on_constraint};
use super::db::{self};
use super::users::{OneTimePassword, RoleInput, UserInput, user_edit_page};
use crate::audit::{self};
use crate::auth::{Admin, Role, Scope, password};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, flash, render, render_status};

pub async fn grant_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(input): Form<RoleInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let user = db::user(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let role = Role::from_code(&input.role);
    let mut org_id: Option<i64> = None;
    let mut unit_id: Option<i64> = None;
    match role.map(|r| r.scope()) {
        None => errors.add("role", "Välj en roll."),
        Some(Scope::City) => {}
        Some(Scope::Organisation) => {
            org_id = input.organisation_id.trim().parse().ok();
            match org_id {
                Some(o) if db::organisation(&mut tx, o).await?.is_some_and(|o| o.active) => {}
                _ => errors.add("organisation_id", "Välj organisationen rollen gäller."),
            }
        }
        Some(Scope::Unit) => {
            unit_id = input.unit_id.trim().parse().ok();
            match unit_id {
                Some(u) => match db::unit(&mut tx, u).await? {
                    Some(unit) if unit.active => org_id = Some(unit.organisation_id),
                    _ => errors.add("unit_id", "Välj enheten chefen ansvarar för."),
                },
                None => errors.add("unit_id", "Välj enheten chefen ansvarar för."),
            }
        }
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::grant_role(&mut sp, id, role, org_id, unit_id).await {
            Ok(rid) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "role_granted", "user", id, &addr);
                e.after = Some(
                    json!({ "role_assignment_id": rid, "role": role, "organisation_id": org_id, "unit_id": unit_id }),
                );
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, format!("Rollen {} är tilldelad.", role.label())).await;
                return Ok(Redirect::to(&format!("/admin/anvandare/{id}#roller")).into_response());
            }
            Err(e) => on_constraint(
                e,
                "role_assignments_unique_active",
                &mut errors,
                "role",
                "Användaren har redan den rollen där.",
            )?,
        }
    }
    let form = UserInput::from_row(&user);
    let p = user_edit_page(&mut tx, page, user, form, FieldErrors::default(), input, errors).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

pub async fn revoke_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path((id, rid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    db::user(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if id == admin.user_id {
        let own = db::assignments(&mut tx, id).await?;
        if own.iter().any(|a| a.role_assignment_id == rid && a.role == Role::Admin) {
            return Err(AppError::conflict("Du kan inte ta bort din egen administratörsroll."));
        }
    }
    if !db::revoke_role(&mut tx, id, rid).await? {
        return Err(AppError::NotFound);
    }
    let mut e = audit_entry(admin.user_id, "role_revoked", "user", id, &addr);
    e.before = Some(json!({ "role_assignment_id": rid }));
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    flash(&session, FlashKind::Success, "Rollen är borttagen.").await;
    Ok(Redirect::to(&format!("/admin/anvandare/{id}#roller")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetInput {
    /// "ja" once the confirmation step has been answered.
    #[serde(default)]
    bekraftat: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(input): Form<ResetInput>,
) -> AppResult<Response> {
    let user = {
        let mut conn = state.db.acquire().await?;
        db::user(&mut conn, id).await?.ok_or(AppError::NotFound)?
    };
    if !crate::web::confirm::confirmed(&input.bekraftat) {
        return crate::web::Confirm {
            page,
            heading: format!("Återställa lösenordet för {}?", user.name),
            lead: "Det nuvarande lösenordet slutar gälla direkt och alla inloggningar avslutas. \
                   Du får ett engångslösenord att lämna till personen, som väljer ett nytt lösenord vid inloggningen."
                .into(),
            facts: vec![("Namn".into(), user.name.clone()), ("E-post".into(), user.email.clone())],
            action: format!("/admin/anvandare/{id}/losenord"),
            fields: Vec::new(),
            button: "Ja, återställ lösenordet".into(),
            cancel: format!("/admin/anvandare/{id}"),
        }
        .render();
    }
    let otp = password::one_time_password();
    let hash = password::hash(otp.clone()).await?;
    let mut tx = state.db.begin().await?;
    crate::auth::db::set_password(&mut tx, id, &hash, true).await?;
    audit::record(&mut tx, audit_entry(admin.user_id, "password_reset", "user", id, &addr)).await?;
    tx.commit().await?;
    render(&OneTimePassword {
        page,
        user_id: id,
        name: user.name,
        email: user.email,
        password: otp,
        created: false,
    })
}
