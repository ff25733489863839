//! Administration of organisations, units, users and role assignments, and the
//! organisation pages that communicators, strategists, archivists and SLK see.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::db::{self, Assignment, OrgFields, OrgKind, Organisation, Person, Unit, UserFields, UserRow};
use crate::audit::{self, Entry};
use crate::auth::{Admin, CurrentUser, OrgViewer, Role, Scope, password, require};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, FlashKind, Page, clean, flash, render, render_status};

/// A violation of the unique `constraint` becomes the error `msg` on `field`;
/// any other error passes through.
fn on_constraint(
    e: sqlx::Error,
    constraint: &str,
    errors: &mut FieldErrors,
    field: &str,
    msg: &str,
) -> Result<(), AppError> {
    if crate::error::violates(&e, constraint) {
        errors.add(field, msg);
        Ok(())
    } else {
        Err(e.into())
    }
}

fn audit_entry<'a>(
    actor: i64,
    action: &'a str,
    entity_type: &'a str,
    entity_id: i64,
    addr: &'a Option<String>,
) -> Entry<'a> {
    Entry {
        actor: Some(actor),
        action,
        entity_type,
        entity_id: Some(entity_id),
        client_addr: addr.as_deref(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "org/admin_index.html")]
pub struct AdminIndex {
    page: Page,
}

pub async fn admin_index(page: Page, _: Admin) -> AppResult<Response> {
    render(&AdminIndex { page })
}

// ---------------------------------------------------------------- organisations

/// The organisation form as typed, so a failed submit shows it again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub decision_holder: String,
    #[serde(default)]
    pub delegated_role: String,
    #[serde(default)]
    pub closure_announcement_days: String,
    #[serde(default)]
    pub public_contact: String,
    #[serde(default)]
    pub active: Option<String>,
}

impl OrgInput {
    fn from_org(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            kind: o.kind.code().into(),
            decision_holder: o.decision_holder.clone(),
            delegated_role: o.delegated_role.code().into(),
            closure_announcement_days: o.closure_announcement_days.to_string(),
            public_contact: o.public_contact.clone(),
            active: o.active.then(|| "on".into()),
        }
    }

    fn new_defaults() -> Self {
        Self {
            kind: "forvaltning".into(),
            delegated_role: "strategist".into(),
            closure_announcement_days: "30".into(),
            active: Some("on".into()),
            ..Default::default()
        }
    }

    fn parse(&self, errors: &mut FieldErrors) -> Option<OrgFields> {
        let name = clean(&self.name);
        if name.is_none() {
            errors.add("name", "Fyll i organisationens namn.");
        } else if self.name.chars().count() > 200 {
            errors.add("name", "Namnet får ha högst 200 tecken.");
        }
        let kind = match self.kind.as_str() {
            "forvaltning" => Some(OrgKind::Forvaltning),
            "bolag" => Some(OrgKind::Bolag),
            _ => {
                errors.add("kind", "Välj om organisationen är en förvaltning eller ett bolag.");
                None
            }
        };
        let holder = clean(&self.decision_holder);
        if holder.is_none() {
            errors.add(
                "decision_holder",
                "Fyll i vem som har beslutsrätten, till exempel stadsdelsdirektören.",
            );
        }
        // Only the roles the page offers: never the account owner, who would
        // then approve their own forms.
        let role = Role::from_code(&self.delegated_role).filter(|r| delegable_roles().contains(r));
        if role.is_none() {
            errors.add("delegated_role", "Välj vilken roll beslutsrätten är delegerad till.");
        }
        let days =
            self.closure_announcement_days.trim().parse::<i32>().ok().filter(|d| (1..=365).contains(d));
        if days.is_none() {
            errors.add("closure_announcement_days", "Ange ett antal dagar mellan 1 och 365.");
        }
        let contact = Some(self.public_contact.trim().to_string())
            .filter(|c| c.chars().count() <= 200 && !c.chars().any(char::is_control));
        if contact.is_none() {
            errors.add("public_contact", "Skriv en e-postadress eller ett telefonnummer, högst 200 tecken.");
        }
        Some(OrgFields {
            public_contact: contact?,
            name: name?,
            kind: kind?,
            decision_holder: holder?,
            delegated_role: role?,
            closure_announcement_days: days?,
            active: self.active.is_some(),
        })
    }
}

/// Roles a decision right can be delegated to.
pub fn delegable_roles() -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| r.scope() == Scope::Organisation && *r != Role::AccountOwner).collect()
}

#[derive(Template)]
#[template(path = "org/organisations.html")]
pub struct OrganisationsPage {
    page: Page,
    organisations: Vec<Organisation>,
    form: OrgInput,
    errors: FieldErrors,
    roles: Vec<Role>,
}

pub async fn organisations(State(state): State<AppState>, page: Page, _: Admin) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let organisations = db::organisations(&mut conn).await?;
    render(&OrganisationsPage {
        page,
        organisations,
        form: OrgInput::new_defaults(),
        errors: FieldErrors::default(),
        roles: delegable_roles(),
    })
}

pub async fn create_organisation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<OrgInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.db.begin().await?;
    if let Some(fields) = form.parse(&mut errors) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::create_organisation(&mut sp, &fields).await {
            Ok(id) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "organisation_created", "organisation", id, &addr);
                e.after = Some(json!(fields));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, format!("Organisationen {} är skapad.", fields.name))
                    .await;
                return Ok(Redirect::to(&format!("/admin/organisationer/{id}")).into_response());
            }
            Err(e) => on_constraint(
                e,
                "organisations_name_key",
                &mut errors,
                "name",
                "Det finns redan en organisation med det namnet.",
            )?,
        }
    }
    let organisations = db::organisations(&mut tx).await?;
    let p = OrganisationsPage { page, organisations, form, errors, roles: delegable_roles() };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Template)]
#[template(path = "org/organisation_edit.html")]
pub struct OrganisationEdit {
    page: Page,
    org: Organisation,
    form: OrgInput,
    errors: FieldErrors,
    roles: Vec<Role>,
    units: Vec<Unit>,
    unit_name: String,
    unit_errors: FieldErrors,
}

async fn org_or_404(conn: &mut PgConnection, id: i64) -> AppResult<Organisation> {
    db::organisation(conn, id).await?.ok_or(AppError::NotFound)
}

pub async fn organisation_edit(
    State(state): State<AppState>,
    page: Page,
    _: Admin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let org = org_or_404(&mut conn, id).await?;
    let units = db::units_of(&mut conn, id).await?;
    render(&OrganisationEdit {
        page,
        form: OrgInput::from_org(&org),
        org,
        errors: FieldErrors::default(),
        roles: delegable_roles(),
        units,
        unit_name: String::new(),
        unit_errors: FieldErrors::default(),
    })
}

pub async fn update_organisation(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<OrgInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let org = org_or_404(&mut tx, id).await?;
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::update_organisation(&mut sp, id, &fields).await {
            Ok(()) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "organisation_updated", "organisation", id, &addr);
                e.before = Some(json!(org));
                e.after = Some(json!(fields));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, "Ändringarna är sparade.").await;
                return Ok(Redirect::to(&format!("/admin/organisationer/{id}")).into_response());
            }
            Err(e) => on_constraint(
                e,
                "organisations_name_key",
                &mut errors,
                "name",
                "Det finns redan en organisation med det namnet.",
            )?,
        }
    }
    let units = db::units_of(&mut tx, id).await?;
    let p = OrganisationEdit {
        page,
        org,
        form,
        errors,
        roles: delegable_roles(),
        units,
        unit_name: String::new(),
        unit_errors: FieldErrors::default(),
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

// ---------------------------------------------------------------- units

#[derive(Deserialize)]
pub struct UnitInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: Option<String>,
}

fn parse_unit_name(name: &str, errors: &mut FieldErrors) -> Option<String> {
    let n = clean(name);
    if n.is_none() {
        errors.add("unit_name", "Fyll i enhetens namn.");
    } else if name.chars().count() > 200 {
        errors.add("unit_name", "Namnet får ha högst 200 tecken.");
        return None;
    }
    n
}

pub async fn create_unit(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<UnitInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let org = org_or_404(&mut tx, id).await?;
    let mut errors = FieldErrors::default();
    if let Some(name) = parse_unit_name(&form.name, &mut errors) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::create_unit(&mut sp, id, &name).await {
            Ok(unit_id) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "unit_created", "unit", unit_id, &addr);
                e.after = Some(json!({ "organisation_id": id, "name": name }));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, format!("Enheten {name} är skapad.")).await;
                return Ok(Redirect::to(&format!("/admin/organisationer/{id}#enheter")).into_response());
            }
            Err(e) => on_constraint(
                e,
                "units_name_key",
                &mut errors,
                "unit_name",
                "Organisationen har redan en enhet med det namnet.",
            )?,
        }
    }
    let units = db::units_of(&mut tx, id).await?;
    let p = OrganisationEdit {
        page,
        form: OrgInput::from_org(&org),
        org,
        errors: FieldErrors::default(),
        roles: delegable_roles(),
        units,
        unit_name: form.name,
        unit_errors: errors,
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Template)]
#[template(path = "org/unit_edit.html")]
pub struct UnitEdit {
    page: Page,
    unit: Unit,
    name: String,
    active: bool,
    errors: FieldErrors,
}

pub async fn unit_edit(
    State(state): State<AppState>,
    page: Page,
    _: Admin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let unit = db::unit(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    render(&UnitEdit {
        page,
        name: unit.name.clone(),
        active: unit.active,
        unit,
        errors: FieldErrors::default(),
    })
}

pub async fn update_unit(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<UnitInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let unit = db::unit(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let active = form.active.is_some();
    if let Some(name) = parse_unit_name(&form.name, &mut errors) {
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::update_unit(&mut sp, id, &name, active).await {
            Ok(()) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "unit_updated", "unit", id, &addr);
                e.before = Some(json!({ "name": unit.name, "active": unit.active }));
                e.after = Some(json!({ "name": name, "active": active }));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                flash(&session, FlashKind::Success, "Ändringarna är sparade.").await;
                return Ok(Redirect::to(&format!("/admin/organisationer/{}#enheter", unit.organisation_id))
                    .into_response());
            }
            Err(e) => on_constraint(
                e,
                "units_name_key",
                &mut errors,
                "unit_name",
                "Organisationen har redan en enhet med det namnet.",
            )?,
        }
    }
    let p = UnitEdit { page, unit, name: form.name, active, errors };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

// ---------------------------------------------------------------- users

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
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
    fn from_row(u: &UserRow) -> Self {
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
pub fn valid_email(e: &str) -> bool {
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
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "org/users.html")]
pub struct UsersPage {
    page: Page,
    q: String,
    users: Vec<UserRow>,
}

pub async fn users(
    State(state): State<AppState>,
    page: Page,
    _: Admin,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let q = q.q.trim().to_string();
    let users = db::users(&mut conn, &q).await?;
    render(&UsersPage { page, q, users })
}

#[derive(Template)]
#[template(path = "org/user_new.html")]
pub struct UserNew {
    page: Page,
    form: UserInput,
    errors: FieldErrors,
}

pub async fn user_new(page: Page, _: Admin) -> AppResult<Response> {
    let form = UserInput { active: Some("on".into()), ..Default::default() };
    render(&UserNew { page, form, errors: FieldErrors::default() })
}

/// Shown once after creating a user or resetting a password: the one-time
/// password is never stored anywhere but as its hash.
#[derive(Template)]
#[template(path = "org/one_time_password.html")]
pub struct OneTimePassword {
    page: Page,
    user_id: i64,
    name: String,
    email: String,
    password: String,
    created: bool,
}

pub async fn create_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<UserInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        let otp = password::one_time_password();
        let hash = password::hash(otp.clone()).await?;
        let mut tx = state.db.begin().await?;
        let mut sp = sqlx::Connection::begin(&mut *tx).await?;
        match db::create_user(&mut sp, &fields, &hash).await {
            Ok(id) => {
                sp.commit().await?;
                let mut e = audit_entry(admin.user_id, "user_created", "user", id, &addr);
                e.after = Some(json!(fields));
                audit::record(&mut tx, e).await?;
                tx.commit().await?;
                return render(&OneTimePassword {
                    page,
                    user_id: id,
                    name: fields.name,
                    email: fields.email,
                    password: otp,
                    created: true,
                });
            }
            Err(e) => on_constraint(
                e,
                "users_email_key",
                &mut errors,
                "email",
                "Det finns redan en användare med den e-postadressen.",
            )?,
        }
    }
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &UserNew { page, form, errors }))
}

#[derive(Default, Deserialize, Clone)]
pub struct RoleInput {
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    unit_id: String,
}

#[derive(Template)]
#[template(path = "org/user_edit.html")]
pub struct UserEdit {
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

async fn user_edit_page(
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

pub async fn user_edit(
    State(state): State<AppState>,
    page: Page,
    _: Admin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
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

pub async fn update_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<UserInput>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let user = db::user(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors) {
        if id == admin.user_id && !fields.active {
            errors.add("active", "Du kan inte inaktivera dig själv.");
        } else {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match db::update_user(&mut sp, id, &fields).await {
                Ok(()) => {
                    sp.commit().await?;
                    let mut e = audit_entry(admin.user_id, "user_updated", "user", id, &addr);
                    e.before = Some(json!(user));
                    e.after = Some(json!(fields));
                    audit::record(&mut tx, e).await?;
                    tx.commit().await?;
                    let msg = if user.active && !fields.active {
                        "Användaren är inaktiverad och utloggad."
                    } else {
                        "Ändringarna är sparade."
                    };
                    flash(&session, FlashKind::Success, msg).await;
                    return Ok(Redirect::to(&format!("/admin/anvandare/{id}")).into_response());
                }
                Err(e) => on_constraint(
                    e,
                    "users_email_key",
                    &mut errors,
                    "email",
                    "Det finns redan en användare med den e-postadressen.",
                )?,
            }
        }
    }
    let p = user_edit_page(&mut tx, page, user, form, errors, RoleInput::default(), FieldErrors::default())
        .await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

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

// ---------------------------------------------------------------- organisation pages (scoped)

#[derive(Template)]
#[template(path = "org/my_organisations.html")]
pub struct MyOrganisations {
    page: Page,
    organisations: Vec<Organisation>,
}

pub async fn my_organisations(
    State(state): State<AppState>,
    page: Page,
    OrgViewer(user): OrgViewer,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let organisations = db::organisations_in_scope(&mut conn, user.user_id).await?;
    render(&MyOrganisations { page, organisations })
}

#[derive(Template)]
#[template(path = "org/organisation.html")]
pub struct OrganisationPage {
    page: Page,
    org: Organisation,
    units: Vec<Unit>,
    people: Vec<Person>,
}

/// An organisation's units and people. Outside the user's scope: 404; in
/// scope without a viewing role (owner, manager): 403.
pub async fn organisation(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let org = db::organisation_in_scope(&mut conn, user.user_id, id).await?.ok_or(AppError::NotFound)?;
    require(&user, &[Role::Communicator, Role::Strategist, Role::Archivist, Role::CityOffice, Role::Admin])?;
    let units = db::units_of(&mut conn, id).await?;
    let people = db::people_of(&mut conn, id).await?;
    render(&OrganisationPage { page, org, units, people })
}

// ---------------------------------------------------------------- platforms

#[derive(Template)]
#[template(path = "org/platforms.html")]
pub struct PlatformsPage {
    page: Page,
    platforms: Vec<db::Platform>,
    name: String,
    errors: FieldErrors,
}

pub async fn platforms(State(state): State<AppState>, page: Page, _: Admin) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let platforms = db::all_platforms(&mut conn).await?;
    render(&PlatformsPage { page, platforms, name: String::new(), errors: FieldErrors::default() })
}

#[derive(Deserialize)]
pub struct PlatformInput {
    #[serde(default)]
    name: String,
}

pub async fn create_platform(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<PlatformInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.db.begin().await?;
    match clean(&form.name).filter(|n| n.chars().count() <= 100) {
        None => errors.add("name", "Skriv plattformens namn (högst 100 tecken)."),
        Some(name) => {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match db::create_platform(&mut sp, &name).await {
                Ok(id) => {
                    sp.commit().await?;
                    let mut e = audit_entry(admin.user_id, "platform_created", "platform", id, &addr);
                    e.after = Some(json!({ "name": name }));
                    audit::record(&mut tx, e).await?;
                    tx.commit().await?;
                    flash(&session, FlashKind::Success, format!("Plattformen {name} är tillagd.")).await;
                    return Ok(Redirect::to("/admin/plattformar").into_response());
                }
                Err(e) => on_constraint(
                    e,
                    "platforms_name_key",
                    &mut errors,
                    "name",
                    "Den plattformen finns redan.",
                )?,
            }
        }
    }
    let platforms = db::all_platforms(&mut tx).await?;
    let p = PlatformsPage { page, platforms, name: form.name, errors };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Deserialize)]
pub struct ActiveInput {
    #[serde(default)]
    active: String,
}

pub async fn set_platform_active(
    State(state): State<AppState>,
    Admin(admin): Admin,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(form): Form<ActiveInput>,
) -> AppResult<Response> {
    let active = form.active == "1";
    let mut tx = state.db.begin().await?;
    if !db::set_platform_active(&mut tx, id, active).await? {
        return Err(AppError::NotFound);
    }
    let mut e = audit_entry(admin.user_id, "platform_updated", "platform", id, &addr);
    e.after = Some(json!({ "active": active }));
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    let msg = if active {
        "Plattformen kan väljas igen."
    } else {
        "Plattformen kan inte längre väljas i nya blanketter."
    };
    flash(&session, FlashKind::Success, msg).await;
    Ok(Redirect::to("/admin/plattformar").into_response())
}
