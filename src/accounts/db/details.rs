//! SQL of the account's people and descriptive fields, and its open-data setting.

use serde_json::Value;
use sqlx::PgConnection;

pub(crate) async fn change_people(
    conn: &mut PgConnection,
    id: i64,
    owner: i64,
    deputy: Option<i64>,
    editors: &Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set owner_user_id = $2, deputy_user_id = $3, editors = $4, updated_at = now(),
         owner_text = case when $2::bigint is null then owner_text else '' end,
         deputy_text = case when $3::bigint is null then deputy_text else '' end
         where account_id = $1",
        id,
        owner,
        deputy,
        editors
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) struct Descriptive<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub platform_id: i64,
    pub unit_id: i64,
    pub purpose: &'a str,
    pub goals: &'a str,
    pub target_groups: &'a str,
}

pub(crate) async fn update_descriptive(
    conn: &mut PgConnection,
    id: i64,
    d: &Descriptive<'_>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set name = $2, url = $3, platform_id = $4,
                unit_id = (select unit_id from units u where u.unit_id = $5
                           and u.organisation_id = accounts.organisation_id),
                purpose = $6, goals = $7, target_groups = $8, updated_at = now()
         where account_id = $1",
        id,
        d.name,
        d.url,
        d.platform_id,
        d.unit_id,
        d.purpose,
        d.goals,
        d.target_groups
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the account is listed in the open-data files.
pub(crate) async fn set_open_data(conn: &mut PgConnection, id: i64, shown: bool) -> sqlx::Result<()> {
    sqlx::query!("update accounts set open_data = $2, updated_at = now() where account_id = $1", id, shown)
        .execute(conn)
        .await?;
    Ok(())
}
