//! SQL of units, and the units whose startup forms nobody can sign.

use sqlx::PgConnection;

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Unit {
    pub unit_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub name: String,
    pub active: bool,
    /// Names of the unit's managers, comma separated.
    pub managers: String,
}

pub(crate) async fn units_of(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Unit>> {
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

pub(crate) async fn unit(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Unit>> {
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
pub(crate) async fn all_units(conn: &mut PgConnection) -> sqlx::Result<Vec<Unit>> {
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

pub(crate) async fn create_unit(
    conn: &mut PgConnection,
    organisation_id: i64,
    name: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into units (organisation_id, name) values ($1, $2) returning unit_id",
        organisation_id,
        name
    )
    .fetch_one(conn)
    .await
}

pub(crate) async fn update_unit(
    conn: &mut PgConnection,
    id: i64,
    name: &str,
    active: bool,
) -> sqlx::Result<()> {
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

/// Whether the unit has an active manager who can sign its startup forms.
pub(crate) async fn unit_has_manager(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from role_assignments ra join users u using (user_id)
                          where ra.unit_id = $1 and ra.active and ra.role = 'manager' and u.active) as "e!""#,
        unit_id
    )
    .fetch_one(conn)
    .await
}

/// An active unit that has no active manager.
#[derive(Debug, Clone)]
pub(crate) struct UnitWithoutManager {
    pub unit_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub name: String,
}

/// The active units of active organisations (of `orgs`, or all when `city`)
/// that have no active manager, so their startup forms have nobody to sign them.
pub(crate) async fn units_without_manager(
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
