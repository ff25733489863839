//! `/admin/organisationer`: the organisations, created and edited by the administrator.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use super::admin::{AdminChange, Unique};
use super::db::{self, OrgFields, OrgKind, Organisation, Unit};
use crate::audit::Entry;
use crate::auth::{AdminView, Role, Scope};
use crate::error::{AppError, AppResult};
use crate::web::{FieldErrors, Page, clean, render, render_status};

/// The organisation form as typed, so a failed submit shows it again.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct OrgInput {
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
    pub(super) fn from_org(o: &Organisation) -> Self {
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
pub(crate) fn delegable_roles() -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| r.scope() == Scope::Organisation && *r != Role::AccountOwner).collect()
}

#[derive(Template)]
#[template(path = "org/organisations.html")]
pub(crate) struct OrganisationsPage {
    page: Page,
    organisations: Vec<Organisation>,
    form: OrgInput,
    errors: FieldErrors,
    roles: Vec<Role>,
}

pub(crate) async fn organisations(AdminView { page, mut conn }: AdminView) -> AppResult<Response> {
    let organisations = db::organisations(&mut conn).await?;
    render(&OrganisationsPage {
        page,
        organisations,
        form: OrgInput::new_defaults(),
        errors: FieldErrors::default(),
        roles: delegable_roles(),
    })
}

/// An organisation's name is unique.
const ORG_NAME: Unique = Unique {
    constraint: "organisations_name_key",
    field: "name",
    message: "Det finns redan en organisation med det namnet.",
};

pub(crate) async fn create_organisation(
    mut ch: AdminChange,
    Form(form): Form<OrgInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors)
        && let Some(id) =
            ch.unique(&ORG_NAME, &mut errors, async |c| db::create_organisation(c, &fields).await).await?
    {
        let entry = Entry::new("organisation_created", "organisation", id).after(json!(fields));
        return ch
            .done(
                entry,
                format!("Organisationen {} är skapad.", fields.name),
                &format!("/admin/organisationer/{id}"),
            )
            .await;
    }
    let organisations = db::organisations(&mut ch.tx).await?;
    let p = OrganisationsPage { page: ch.page, organisations, form, errors, roles: delegable_roles() };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

#[derive(Template)]
#[template(path = "org/organisation_edit.html")]
pub(crate) struct OrganisationEdit {
    pub(super) page: Page,
    pub(super) org: Organisation,
    pub(super) form: OrgInput,
    pub(super) errors: FieldErrors,
    pub(super) roles: Vec<Role>,
    pub(super) units: Vec<Unit>,
    pub(super) unit_name: String,
    pub(super) unit_errors: FieldErrors,
}

pub(super) async fn org_or_404(conn: &mut PgConnection, id: i64) -> AppResult<Organisation> {
    db::organisation(conn, id).await?.ok_or(AppError::NotFound)
}

pub(crate) async fn organisation_edit(
    AdminView { page, mut conn }: AdminView,
    Path(id): Path<i64>,
) -> AppResult<Response> {
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

pub(crate) async fn update_organisation(
    mut ch: AdminChange,
    Path(id): Path<i64>,
    Form(form): Form<OrgInput>,
) -> AppResult<Response> {
    let org = org_or_404(&mut ch.tx, id).await?;
    let mut errors = FieldErrors::default();
    if let Some(fields) = form.parse(&mut errors)
        && let Some(()) =
            ch.unique(&ORG_NAME, &mut errors, async |c| db::update_organisation(c, id, &fields).await).await?
    {
        let entry =
            Entry::new("organisation_updated", "organisation", id).before(json!(org)).after(json!(fields));
        return ch.done(entry, "Ändringarna är sparade.", &format!("/admin/organisationer/{id}")).await;
    }
    let units = db::units_of(&mut ch.tx, id).await?;
    let p = OrganisationEdit {
        page: ch.page,
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
