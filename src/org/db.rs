//! SQL of organisations, units, users and role assignments.

use sqlx::PgConnection;

use crate::auth::Role;
use crate::web::Dt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "organisation_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
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
pub struct Organisation {
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
pub struct OrgFields {
    pub name: String,
    pub kind: OrgKind,
    pub decision_holder: String,
    pub delegated_role: Role,
    pub closure_announcement_days: i32,
    /// Where the public reports a suspected fake account (shown by the verification).
    pub public_contact: String,
    pub active: bool,
}

pub async fn organisations(conn: &mut PgConnection) -> sqlx::Result<Vec<Organisation>> {
    sqlx::query_as!(
        Organisation,
        r#"select organisation_id, name, kind as "kind: OrgKind", decision_holder,
                  delegated_role as "delegated_role: Role", closure_announcement_days, public_contact, active
           from organisations order by active desc, name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn organisation(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Organisation>> {
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

pub async fn create_organisation(conn: &mut PgConnection, f: &OrgFields) -> sqlx::Result<i64> {
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

pub async fn update_organisation(conn: &mut PgConnection, id: i64, f: &OrgFields) -> sqlx::Result<()> {
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

#[derive(Debug, Clone, serde::Serialize)]
pub struct Unit {
    pub unit_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub name: String,
    pub active: bool,
    /// Names of the unit's managers, comma separated.
    pub managers: String,
}

pub async fn units_of(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Unit>> {
    sqlx::query_as!(
        Unit,
        r#"select un.unit_id, un.organisation_id, o.name as organisation_name, un.name, un.active,
                  coalesce((select string_agg(u.name, ', ' order by u.name)
                            from role_assignments ra join users u using (user_id)
                            where ra.unit_id = un.unit_id and ra.active and ra.role = 'manager' and u.active), '') as "managers!"
           from units un join organisations o using (organisation_id)
           where un.organisation_id = $1 order by un.active desc, un.name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}

pub async fn unit(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Unit>> {
    sqlx::query_as!(
        Unit,
        r#"select un.unit_id, un.organisation_id, o.name as organisation_name, un.name, un.active,
                  coalesce((select string_agg(u.name, ', ' order by u.name)
                            from role_assignments ra join users u using (user_id)
                            where ra.unit_id = un.unit_id and ra.active and ra.role = 'manager' and u.active), '') as "managers!"
           from units un join organisations o using (organisation_id)
           where un.unit_id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Every active unit with its organisation, for selects.
pub async fn all_units(conn: &mut PgConnection) -> sqlx::Result<Vec<Unit>> {
    sqlx::query_as!(
        Unit,
        r#"select un.unit_id, un.organisation_id, o.name as organisation_name, un.name, un.active,
                  '' as "managers!"
           from units un join organisations o using (organisation_id)
           where un.active and o.active order by o.name, un.name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn create_unit(conn: &mut PgConnection, organisation_id: i64, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into units (organisation_id, name) values ($1, $2) returning unit_id",
        organisation_id,
        name
    )
    .fetch_one(conn)
    .await
}

pub async fn update_unit(conn: &mut PgConnection, id: i64, name: &str, active: bool) -> sqlx::Result<()> {
    sqlx::query!(
        "update units set name = $2, active = $3, updated_at = now() where unit_id = $1",
        id,
        name,
        active
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UserRow {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub phone: String,
    pub title: String,
    pub active: bool,
    pub must_change_password: bool,
    pub locked: bool,
    /// "Kommunikatör (Östermalm), Chef (Förskola)" as codes; labelled in the view.
    pub roles: Vec<Role>,
}

/// Users matching `q` (name or e-mail), at most 200.
pub async fn users(conn: &mut PgConnection, q: &str) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as!(
        UserRow,
        r#"select u.user_id, u.email, u.name, u.phone, u.title, u.active, u.must_change_password,
                  exists (select 1 from login_failures lf where lf.user_id = u.user_id and lf.locked_until > now()) as "locked!",
                  coalesce(array_agg(distinct ra.role) filter (where ra.role is not null), '{}') as "roles!: Vec<Role>"
           from users u left join role_assignments ra on ra.user_id = u.user_id and ra.active
           where $1 = '' or u.name ilike '%' || $1 || '%' or u.email ilike '%' || $1 || '%'
           group by u.user_id order by u.active desc, u.name limit 200"#,
        crate::web::like_escape(q)
    )
    .fetch_all(conn)
    .await
}

pub async fn user(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as!(
        UserRow,
        r#"select u.user_id, u.email, u.name, u.phone, u.title, u.active, u.must_change_password,
                  exists (select 1 from login_failures lf where lf.user_id = u.user_id and lf.locked_until > now()) as "locked!",
                  coalesce(array_agg(distinct ra.role) filter (where ra.role is not null), '{}') as "roles!: Vec<Role>"
           from users u left join role_assignments ra on ra.user_id = u.user_id and ra.active
           where u.user_id = $1 group by u.user_id"#,
        id
    )
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UserFields {
    pub email: String,
    pub name: String,
    pub phone: String,
    pub title: String,
    pub active: bool,
}

pub async fn create_user(conn: &mut PgConnection, f: &UserFields, hash: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into users (email, name, phone, title, active, password_hash, must_change_password)
         values ($1, $2, $3, $4, $5, $6, true) returning user_id",
        f.email,
        f.name,
        f.phone,
        f.title,
        f.active,
        hash
    )
    .fetch_one(conn)
    .await
}

pub async fn update_user(conn: &mut PgConnection, id: i64, f: &UserFields) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set email = $2, name = $3, phone = $4, title = $5, active = $6, updated_at = now(),
                session_generation = session_generation + case when active and not $6 then 1 else 0 end
         where user_id = $1",
        id,
        f.email,
        f.name,
        f.phone,
        f.title,
        f.active
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub role_assignment_id: i64,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub created_at: Dt,
}

pub async fn assignments(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as!(
        Assignment,
        r#"select ra.role_assignment_id, ra.role as "role: Role", ra.organisation_id,
                  o.name as "organisation_name?", ra.unit_id, un.name as "unit_name?",
                  ra.created_at as "created_at: Dt"
           from role_assignments ra
           left join organisations o on o.organisation_id = ra.organisation_id
           left join units un on un.unit_id = ra.unit_id
           where ra.user_id = $1 and ra.active order by ra.role, o.name, un.name"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

pub async fn grant_role(
    conn: &mut PgConnection,
    user_id: i64,
    role: Role,
    organisation_id: Option<i64>,
    unit_id: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"insert into role_assignments (user_id, role, organisation_id, unit_id)
           values ($1, $2, $3, $4) returning role_assignment_id"#,
        user_id,
        role as Role,
        organisation_id,
        unit_id
    )
    .fetch_one(conn)
    .await
}

/// Deactivate an assignment (assignments are never deleted). Returns whether one was active.
pub async fn revoke_role(conn: &mut PgConnection, user_id: i64, assignment_id: i64) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update role_assignments set active = false where role_assignment_id = $1 and user_id = $2 and active",
        assignment_id,
        user_id
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Organisations in the user's scope: where they hold any role, or all of
/// them for SLK and administrators.
pub async fn organisations_in_scope(
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
pub async fn organisation_in_scope(
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

#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub unit_name: Option<String>,
}

/// The people holding roles in an organisation.
pub async fn people_of(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Person>> {
    sqlx::query_as!(
        Person,
        r#"select u.name, u.email, ra.role as "role: Role", un.name as "unit_name?"
           from role_assignments ra join users u using (user_id)
           left join units un on un.unit_id = ra.unit_id
           where ra.organisation_id = $1 and ra.active and u.active
           order by ra.role, u.name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub platform_id: i64,
    pub name: String,
    pub active: bool,
}

pub async fn all_platforms(conn: &mut PgConnection) -> sqlx::Result<Vec<Platform>> {
    sqlx::query_as!(Platform, "select platform_id, name, active from platforms order by sort_order, name")
        .fetch_all(conn)
        .await
}

pub async fn create_platform(conn: &mut PgConnection, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into platforms (name, sort_order) values ($1, 500) returning platform_id",
        name
    )
    .fetch_one(conn)
    .await
}

/// Platforms are deactivated (kept for the accounts that use them), never deleted.
pub async fn set_platform_active(conn: &mut PgConnection, id: i64, active: bool) -> sqlx::Result<bool> {
    let n = sqlx::query!("update platforms set active = $2 where platform_id = $1", id, active)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Whether the unit has an active manager who can sign its startup forms.
pub async fn unit_has_manager(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from role_assignments ra join users u using (user_id)
                          where ra.unit_id = $1 and ra.active and ra.role = 'manager' and u.active) as "e!""#,
        unit_id
    )
    .fetch_one(conn)
    .await
}

/// The organisation's active communicators, "Namn (e-post)", by name.
pub async fn communicators(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"select u.name || ' (' || u.email || ')' as "c!" from role_assignments ra join users u using (user_id)
           where ra.organisation_id = $1 and ra.active and ra.role = 'communicator' and u.active
           order by u.name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}

/// An active unit that has no active manager.
#[derive(Debug, Clone)]
pub struct UnitWithoutManager {
    pub unit_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub name: String,
}

/// The active units of active organisations (of `orgs`, or all when `city`)
/// that have no active manager, so their startup forms have nobody to sign them.
pub async fn units_without_manager(
    conn: &mut PgConnection,
    city: bool,
    orgs: &[i64],
) -> sqlx::Result<Vec<UnitWithoutManager>> {
    sqlx::query_as!(
        UnitWithoutManager,
        r#"select un.unit_id, un.organisation_id, o.name as organisation, un.name
           from units un join organisations o using (organisation_id)
           where un.active and o.active and ($1 or un.organisation_id = any($2))
             and not exists (select 1 from role_assignments ra join users u using (user_id)
                             where ra.unit_id = un.unit_id and ra.active and ra.role = 'manager' and u.active)
           order by o.name, un.name limit 200"#,
        city,
        orgs
    )
    .fetch_all(conn)
    .await
}

/// A choice in a select: an id and its label (platforms, units, people).
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

impl Choice {
    /// Whether the typed value selects this choice.
    pub fn is(&self, value: &str) -> bool {
        value.parse::<i64>() == Ok(self.id)
    }
}

pub async fn platforms(conn: &mut PgConnection) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select platform_id as id, name as label from platforms where active order by sort_order, name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn units(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select unit_id as id, name as label from units where organisation_id = $1 and active order by name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}

/// Possible deputies: active people with a role in the organisation.
pub async fn people(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select distinct u.user_id as id, u.name || ' (' || u.email || ')' as "label!"
           from users u join role_assignments ra on ra.user_id = u.user_id and ra.active
           where ra.organisation_id = $1 and u.active
           order by 2"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}
