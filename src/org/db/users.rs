//! SQL of users, their role assignments, and the people of an organisation.

use sqlx::PgConnection;

use crate::auth::Role;
use crate::web::Dt;

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct UserRow {
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
pub(crate) async fn users(conn: &mut PgConnection, q: &str) -> sqlx::Result<Vec<UserRow>> {
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

pub(crate) async fn user(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<UserRow>> {
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
pub(crate) struct UserFields {
    pub email: String,
    pub name: String,
    pub phone: String,
    pub title: String,
    pub active: bool,
}

pub(crate) async fn create_user(conn: &mut PgConnection, f: &UserFields, hash: &str) -> sqlx::Result<i64> {
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

pub(crate) async fn update_user(conn: &mut PgConnection, id: i64, f: &UserFields) -> sqlx::Result<()> {
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
pub(crate) struct Assignment {
    pub role_assignment_id: i64,
    pub role: Role,
    pub organisation_name: Option<String>,
    pub unit_name: Option<String>,
    pub created_at: Dt,
}

pub(crate) async fn assignments(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as!(
        Assignment,
        r#"select ra.role_assignment_id, ra.role as "role: Role",
                  o.name as "organisation_name?", un.name as "unit_name?",
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

pub(crate) async fn grant_role(
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
pub(crate) async fn revoke_role(
    conn: &mut PgConnection,
    user_id: i64,
    assignment_id: i64,
) -> sqlx::Result<bool> {
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

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub unit_name: Option<String>,
}

/// The people holding roles in an organisation.
pub(crate) async fn people_of(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Person>> {
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

/// The organisation's active communicators, "Namn (e-post)", by name.
pub(crate) async fn communicators(
    conn: &mut PgConnection,
    organisation_id: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"select u.name || ' (' || u.email || ')' as "c!" from role_assignments ra join users u using (user_id)
           where ra.organisation_id = $1 and ra.active and ra.role = 'communicator' and u.active
           order by u.name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}
