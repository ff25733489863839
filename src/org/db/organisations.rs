//! SQL of organisations: listed, edited, and those in a user's scope.

use sqlx::PgConnection;

use crate::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "organisation_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum OrgKind {
    Forvaltning,
    Bolag,
}

impl OrgKind {
    pub fn label(&self) -> &'static str {
        match self {
            OrgKind::Forvaltning => "Förvaltning",
            OrgKind::Bolag => "Bolag",
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            OrgKind::Forvaltning => "forvaltning",
            OrgKind::Bolag => "bolag",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Organisation {
    pub organisation_id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub decision_holder: String,
    pub delegated_role: Role,
    pub closure_announcement_days: i32,
    /// Where the public reports a suspected fake account (shown by the verification).
    pub public_contact: String,
    pub active: bool,
}

/// The fields an administrator edits.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct OrgFields {
    pub name: String,
    pub kind: OrgKind,
    pub decision_holder: String,
    pub delegated_role: Role,
    pub closure_announcement_days: i32,
    /// Where the public reports a suspected fake account (shown by the verification).
    pub public_contact: String,
    pub active: bool,
}

pub(crate) async fn organisations(conn: &mut PgConnection) -> sqlx::Result<Vec<Organisation>> {
    sqlx::query_as!(
        Organisation,
        r#"select organisation_id, name, kind as "kind: OrgKind", decision_holder,
                  delegated_role as "delegated_role: Role", closure_announcement_days, public_contact, active
           from organisations order by active desc, name"#
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn organisation(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Organisation>> {
    sqlx::query_as!(
        Organisation,
        r#"select organisation_id, name, kind as "kind: OrgKind", decision_holder,
                  delegated_role as "delegated_role: Role", closure_announcement_days, public_contact, active
           from organisations where organisation_id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn create_organisation(conn: &mut PgConnection, f: &OrgFields) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"insert into organisations (name, kind, decision_holder, delegated_role, closure_announcement_days,
                                      public_contact, active)
           values ($1, $2, $3, $4, $5, $6, $7) returning organisation_id"#,
        f.name,
        f.kind as OrgKind,
        f.decision_holder,
        f.delegated_role as Role,
        f.closure_announcement_days,
        f.public_contact,
        f.active
    )
    .fetch_one(conn)
    .await
}

pub(crate) async fn update_organisation(conn: &mut PgConnection, id: i64, f: &OrgFields) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update organisations set name = $2, kind = $3, decision_holder = $4, delegated_role = $5,
                  closure_announcement_days = $6, active = $7, public_contact = $8, updated_at = now()
           where organisation_id = $1"#,
        id,
        f.name,
        f.kind as OrgKind,
        f.decision_holder,
        f.delegated_role as Role,
        f.closure_announcement_days,
        f.active,
        f.public_contact
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Organisations in the user's scope: where they hold any role, or all of
/// them for SLK and administrators.
pub(crate) async fn organisations_in_scope(
    conn: &mut PgConnection,
    user_id: i64,
) -> sqlx::Result<Vec<Organisation>> {
    sqlx::query_as!(
        Organisation,
        r#"select o.organisation_id, o.name, o.kind as "kind: OrgKind", o.decision_holder,
                  o.delegated_role as "delegated_role: Role", o.closure_announcement_days, o.public_contact, o.active
           from organisations o
           where exists (select 1 from role_assignments ra
                         where ra.user_id = $1 and ra.active
                           and (ra.role in ('city_office', 'admin') or ra.organisation_id = o.organisation_id))
           order by o.name"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// One organisation if it is in the user's scope.
pub(crate) async fn organisation_in_scope(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<Organisation>> {
    sqlx::query_as!(
        Organisation,
        r#"select o.organisation_id, o.name, o.kind as "kind: OrgKind", o.decision_holder,
                  o.delegated_role as "delegated_role: Role", o.closure_announcement_days, o.public_contact, o.active
           from organisations o
           where o.organisation_id = $2
             and exists (select 1 from role_assignments ra
                         where ra.user_id = $1 and ra.active
                           and (ra.role in ('city_office', 'admin') or ra.organisation_id = o.organisation_id))"#,
        user_id,
        id
    )
    .fetch_optional(conn)
    .await
}
