//! `/admin/anvandare`: the users, created with a one-time password and edited.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use super::admin::{AdminChange, Unique};
use super::db::{self, Assignment, Organisation, Unit, UserFields, UserRow};
use crate::audit::Entry;
use crate::auth::{Admin, AdminView, Role, password};
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, Page, clean, render, render_status};

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub active: Option<String>,
}

impl UserInput {
    pub(super) fn from_row(u: &UserRow) -> Self {
        Self {
            email: u.email.clone(),
            name: u.name.clone(),
            phone: u.phone.clone(),
            title: u.title.clone(),
            active: u.active.then(|| "on".into()),
        }
    }

    fn parse(&self, errors: &mut FieldErrors) -> Option<UserFields> {
        let name = clean(&self.name);
        if name.is_none() {
            errors.add("name", "Fyll i namnet.");
        }
        let email = clean(&self.email);
        match &email {
            None => errors.add("email", "Fyll i e-postadressen."),
            Some(e) if !valid_email(e) => errors.add("email", "Skriv e-postadressen som namn@exempel.se."),
            _ => {}
        }
        for (field, value, label) in [
            ("name", &self.name, "Namnet"),
            ("phone", &self.phone, "Telefonnumret"),
            ("title", &self.title, "Titeln"),
        ] {
            if value.chars().count() > 200 && !errors.has(field) {
                errors.add(field, format!("{label} får ha högst 200 tecken."));
            }
        }
        if !errors.is_empty() {
            return None;
        }
        Some(UserFields {
            email: email?,
            name: name?,
            phone: self.phone.trim().to_string(),
            title: self.title.trim().to_string(),
            active: self.active.is_some(),
        })
    }
}

/// A plausible e-mail address: one @, something on each side, a dot in the domain.
pub(crate) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "org/users.html")]
pub(crate) struct UsersPage {
    page: Page,
    q: String,
    users: Vec<UserRow>,
}

pub(crate) async fn users(
    AdminView { page, mut conn }: AdminView,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let q = q.q.trim().to_string();
    let users = db::users(&mut conn, &q).await?;
    render(&UsersPage { page, q, users })
}

#[derive(Template)]
#[template(path = "org/user_new.html")]
pub(crate) struct UserNew {
    page: Page,
    form: UserInput,
    errors: FieldErrors,
}

pub(crate) async fn user_new(page: Page, _: Admin) -> AppResult<Response> {
    let form = UserInput { active: Some("on".into()), ..Default::default() };
    render(&UserNew { page, form, errors: FieldErrors::default() })
}

/// Shown once after creating a user or resetting a password: the one-time
/// password is never stored anywhere but as its hash.
#[derive(Template)]
#[template(path = "org/one_time_password.html")]
pub(crate) struct OneTimePassword {
    pub(super) page: Page,
    pub(super) user_id: i64,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) password: String,
    pub(super) created: bool,
}

/// An e-mail address belongs to one user.
const USER_EMAIL: Unique = Unique {
    constraint: "users_email_key",
    field: "email",
    message: "Det finns redan en användare med den e-postadressen.",
};

pub(crate) async fn create_user(mut ch: AdminChange, Form(form): Form<UserInput>) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        let otp = password::one_time_password();
        let hash = password::hash(otp.clone()).await?;
        if let Some(id) =
            ch.unique(&USER_EMAIL, &mut errors, async |c| db::create_user(c, &fields, &hash).await).await?
        {
            ch.audit(Entry::new("user_created", "user", id).after(json!(fields))).await?;
            ch.tx.commit().await?;
            return render(&OneTimePassword {
                page: ch.page,
                user_id: id,
                name: fields.name,
                email: fields.email,
                password: otp,
                created: true,
            });
        }
    }
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &UserNew { page: ch.page, form, errors }))
}

#[derive(Default, Deserialize, Clone)]
pub(crate) struct RoleInput {
    #[serde(default)]
    pub(super) role: String,
    #[serde(default)]
    pub(super) organisation_id: String,
    #[serde(default)]
    pub(super) unit_id: String,
}

#[derive(Template)]
#[template(path = "org/user_edit.html")]
pub(crate) struct UserEdit {
    page: Page,
    user: UserRow,
    form: UserInput,
    errors: FieldErrors,
    assignments: Vec<Assignment>,
    roles: Vec<Role>,
    organisations: Vec<Organisation>,
    units: Vec<Unit>,
    role_form: RoleInput,
    role_errors: FieldErrors,
}

pub(super) async fn user_edit_page(
    conn: &mut PgConnection,
    page: Page,
    user: UserRow,
    form: UserInput,
    errors: FieldErrors,
    role_form: RoleInput,
    role_errors: FieldErrors,
) -> AppResult<UserEdit> {
    Ok(UserEdit {
        page,
        assignments: db::assignments(conn, user.user_id).await?,
        organisations: db::organisations(conn).await?.into_iter().filter(|o| o.active).collect(),
        units: db::all_units(conn).await?,
        user,
        form,
        errors,
        roles: Role::ALL.to_vec(),
        role_form,
        role_errors,
    })
}

pub(crate) async fn user_edit(
    AdminView { page, mut conn }: AdminView,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let user = db::user(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let form = UserInput::from_row(&user);
    let p = user_edit_page(
        &mut conn,
        page,
        user,
        form,
        FieldErrors::default(),
        RoleInput::default(),
        FieldErrors::default(),
    )
    .await?;
    render(&p)
}

pub(crate) async fn update_user(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(form): Form<UserInput>,
) -> AppResult<Response> {
    let user = db::user(&mut ch.tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        if id == ch.admin.user_id && !fields.active {
            errors.add("active", "Du kan inte inaktivera dig själv.");
        } else if let Some(()) =
            ch.unique(&USER_EMAIL, &mut errors, async |c| db::update_user(c, id, &fields).await).await?
        {
            let entry = Entry::new("user_updated", "user", id).before(json!(user)).after(json!(fields));
            let msg = if user.active && !fields.active {
                "Användaren är inaktiverad och utloggad."
            } else {
                "Ändringarna är sparade."
            };
            return ch.done(entry, msg, &format!("/admin/anvandare/{id}")).await;
        }
    }
    let p =
        user_edit_page(&mut ch.tx, ch.page, user, form, errors, RoleInput::default(), FieldErrors::default())
            .await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}
