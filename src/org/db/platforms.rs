//! SQL of the platforms an account can be on.

use sqlx::PgConnection;

#[derive(Debug, Clone)]
pub(crate) struct Platform {
    pub platform_id: i64,
    pub name: String,
    pub active: bool,
}

pub(crate) async fn all_platforms(conn: &mut PgConnection) -> sqlx::Result<Vec<Platform>> {
    sqlx::query_as!(Platform, "select platform_id, name, active from platforms order by sort_order, name")
        .fetch_all(conn)
        .await
}

pub(crate) async fn create_platform(conn: &mut PgConnection, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into platforms (name, sort_order) values ($1, 500) returning platform_id",
        name
    )
    .fetch_one(conn)
    .await
}

/// Platforms are deactivated (kept for the accounts that use them), never deleted.
pub(crate) async fn set_platform_active(
    conn: &mut PgConnection,
    id: i64,
    active: bool,
) -> sqlx::Result<bool> {
    let n = sqlx::query!("update platforms set active = $2 where platform_id = $1", id, active)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}
