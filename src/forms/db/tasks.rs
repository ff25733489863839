//! SQL of the forms' tasks on the start page.

use sqlx::PgConnection;

use crate::web::Dt;

/// Tasks for the start page: (form id, case number, account name, state).
#[derive(Debug, Clone)]
pub(crate) struct TaskRow {
    pub form_id: i64,
    pub case_number: Option<String>,
    pub account_name: String,
    pub meeting_at: Option<Dt>,
}

/// Own forms to finish: drafts and those returned for completion.
pub(crate) async fn owner_tasks(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as!(
        TaskRow,
        r#"select form_id, case_number, coalesce(content->>'account_name', '') as "account_name!", meeting_at as "meeting_at: Dt"
           from forms where owner_user_id = $1 and state = 'draft' order by updated_at desc"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Forms of the user's units awaiting their signature.
pub(crate) async fn manager_tasks(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as!(
        TaskRow,
        r#"select f.form_id, f.case_number, coalesce(f.content->>'account_name', '') as "account_name!",
                  f.meeting_at as "meeting_at: Dt"
           from forms f
           where f.state = 'awaiting_manager'
             and exists (select 1 from role_assignments ra where ra.user_id = $1 and ra.active
                         and ra.role = 'manager' and ra.unit_id = f.unit_id)
           order by f.updated_at"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Forms of the user's organisations in review or with a meeting booked.
pub(crate) async fn review_tasks(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as!(
        TaskRow,
        r#"select f.form_id, f.case_number, coalesce(f.content->>'account_name', '') as "account_name!",
                  f.meeting_at as "meeting_at: Dt"
           from forms f join organisations o on o.organisation_id = f.organisation_id
           where f.state in ('in_review', 'meeting_booked')
             and exists (select 1 from role_assignments ra where ra.user_id = $1 and ra.active
                         and (ra.role in ('communicator', 'strategist') or ra.role = o.delegated_role)
                         and ra.organisation_id = f.organisation_id)
           order by f.meeting_at nulls last, f.updated_at"#,
        user_id
    )
    .fetch_all(conn)
    .await
}
