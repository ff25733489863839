//! Organisations, their units, users and role assignments (SPEC §1): the
//! administrator's pages under `/admin`, and the scoped organisation pages.
//! Nothing is deleted: organisations, units and users are deactivated, and role
//! assignments are revoked by marking them inactive.

mod admin;
pub(crate) mod db;
mod organisations;
mod pages;
mod platforms;
mod roles;
mod tasks;
mod units;
mod users;

pub(crate) use tasks::tasks;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
pub(crate) use users::valid_email;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin::admin_index))
        .route(
            "/admin/organisationer",
            get(organisations::organisations).post(organisations::create_organisation),
        )
        .route(
            "/admin/organisationer/{id}",
            get(organisations::organisation_edit).post(organisations::update_organisation),
        )
        .route("/admin/organisationer/{id}/enheter", post(units::create_unit))
        .route("/admin/enheter/{id}", get(units::unit_edit).post(units::update_unit))
        .route("/admin/anvandare", get(users::users).post(users::create_user))
        .route("/admin/anvandare/ny", get(users::user_new))
        .route("/admin/anvandare/{id}", get(users::user_edit).post(users::update_user))
        .route("/admin/anvandare/{id}/roller", post(roles::grant_role))
        .route("/admin/anvandare/{id}/roller/{rid}/ta-bort", post(roles::revoke_role))
        .route("/admin/anvandare/{id}/losenord", post(roles::reset_password))
        .route("/admin/plattformar", get(platforms::platforms).post(platforms::create_platform))
        .route("/admin/plattformar/{id}", post(platforms::set_platform_active))
        .route("/organisationer", get(pages::my_organisations))
        .route("/organisationer/{id}", get(pages::organisation))
}

/// Create an administrator (the `create-admin` command); returns the one-time
/// password, which must be changed at first login.
pub async fn create_admin(pool: &sqlx::PgPool, email: &str, name: &str) -> anyhow::Result<String> {
    use anyhow::Context;
    let email = email.trim();
    anyhow::ensure!(valid_email(email), "not a valid e-mail address: {email}");
    anyhow::ensure!(!name.trim().is_empty(), "the name must not be empty");
    let otp = crate::auth::password::one_time_password();
    let hash = crate::auth::password::hash(otp.clone()).await?;
    let mut tx = pool.begin().await?;
    let fields = db::UserFields {
        email: email.into(),
        name: name.trim().into(),
        phone: String::new(),
        title: String::new(),
        active: true,
    };
    let id = db::create_user(&mut tx, &fields, &hash)
        .await
        .with_context(|| format!("cannot create {email} (does the e-mail exist already?)"))?;
    db::grant_role(&mut tx, id, crate::auth::Role::Admin, None, None).await?;
    crate::audit::record(
        &mut tx,
        crate::audit::Entry {
            action: "user_created",
            entity_type: "user",
            entity_id: Some(id),
            after: Some(serde_json::json!({ "email": email, "role": "admin", "via": "create-admin" })),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(otp)
}
