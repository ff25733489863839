//! A user's role assignments (granted, revoked by marking them inactive) and
//! the password reset with a new one-time password.

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::admin::{AdminChange, Unique};
use super::db::{self};
use super::users::{OneTimePassword, RoleInput, UserInput, user_edit_page};
use crate::audit::Entry;
use crate::auth::{Role, Scope, password};
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, render, render_status};

/// A user holds a role in one place once.
const ROLE_HELD: Unique = Unique {
    constraint: "role_assignments_unique_active",
    field: "role",
    message: "Användaren har redan den rollen där.",
};

pub(crate) async fn grant_role(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(input): Form<RoleInput>,
) -> AppResult<Response> {
    let user = db::user(&mut ch.tx, id).await?.ok_or(AppError::NotFound)?;
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
                Some(o) if db::organisation(&mut ch.tx, o).await?.is_some_and(|o| o.active) => {}
                _ => errors.add("organisation_id", "Välj organisationen rollen gäller."),
            }
        }
        Some(Scope::Unit) => {
            unit_id = input.unit_id.trim().parse().ok();
            match unit_id {
                Some(u) => match db::unit(&mut ch.tx, u).await? {
                    Some(unit) if unit.active => org_id = Some(unit.organisation_id),
                    _ => errors.add("unit_id", "Välj enheten chefen ansvarar för."),
                },
                None => errors.add("unit_id", "Välj enheten chefen ansvarar för."),
            }
        }
    }
    if let (Some(role), true) = (role, errors.is_empty())
        && let Some(rid) = ch
            .unique(&ROLE_HELD, &mut errors, async |c| db::grant_role(c, id, role, org_id, unit_id).await)
            .await?
    {
        let after =
            json!({ "role_assignment_id": rid, "role": role, "organisation_id": org_id, "unit_id": unit_id });
        let entry = Entry::new("role_granted", "user", id).after(after);
        return ch
            .done(
                entry,
                format!("Rollen {} är tilldelad.", role.label()),
                &format!("/admin/anvandare/{id}#roller"),
            )
            .await;
    }
    let form = UserInput::from_row(&user);
    let p = user_edit_page(&mut ch.tx, ch.page, user, form, FieldErrors::default(), input, errors).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

pub(crate) async fn revoke_role(
    mut ch: AdminChange,
    Path((id, rid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    db::user(&mut ch.tx, id).await?.ok_or(AppError::NotFound)?;
    if id == ch.admin.user_id {
        let own = db::assignments(&mut ch.tx, id).await?;
        if own.iter().any(|a| a.role_assignment_id == rid && a.role == Role::Admin) {
            return Err(AppError::conflict("Du kan inte ta bort din egen administratörsroll."));
        }
    }
    if !db::revoke_role(&mut ch.tx, id, rid).await? {
        return Err(AppError::NotFound);
    }
    let entry = Entry::new("role_revoked", "user", id).before(json!({ "role_assignment_id": rid }));
    ch.done(entry, "Rollen är borttagen.", &format!("/admin/anvandare/{id}#roller")).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ResetInput {
    /// "ja" once the confirmation step has been answered.
    #[serde(default)]
    bekraftat: String,
}

pub(crate) async fn reset_password(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(input): Form<ResetInput>,
) -> AppResult<Response> {
    let user = db::user(&mut ch.tx, id).await?.ok_or(AppError::NotFound)?;
    if !crate::web::confirm::confirmed(&input.bekraftat) {
        return crate::web::Confirm {
            page: ch.page,
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
    crate::auth::db::set_password(&mut ch.tx, id, &hash, true).await?;
    ch.audit(Entry::new("password_reset", "user", id)).await?;
    ch.tx.commit().await?;
    render(&OneTimePassword {
        page: ch.page,
        user_id: id,
        name: user.name,
        email: user.email,
        password: otp,
        created: false,
    })
}
