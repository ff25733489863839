//! The choices of a select (platforms, units, people), for every feature's forms.

use sqlx::PgConnection;

/// A choice in a select: an id and its label (platforms, units, people).
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub id: i64,
    pub label: String,
}

impl Choice {
    /// Whether the typed value selects this choice.
    pub fn is(&self, value: &str) -> bool {
        value.parse::<i64>() == Ok(self.id)
    }
}

pub(crate) async fn platforms(conn: &mut PgConnection) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select platform_id as id, name as label from platforms where active order by sort_order, name"#
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn units(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as!(
        Choice,
        r#"select unit_id as id, name as label from units where organisation_id = $1 and active order by name"#,
        organisation_id
    )
    .fetch_all(conn)
    .await
}

/// Possible deputies: active people with a role in the organisation.
pub(crate) async fn people(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Vec<Choice>> {
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
