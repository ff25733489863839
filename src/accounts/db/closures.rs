//! SQL of closure: the request, the decision, the announcement and the close.

use sqlx::PgConnection;
use time::Date;

use crate::web::Dt;

#[derive(Debug, Clone)]
pub(crate) struct Closure {
    pub state: String,
    pub requested_by: String,
    pub requested_at: Dt,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub announcement_days: Option<i32>,
}

pub(crate) async fn closures(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<Closure>> {
    sqlx::query_as!(
        Closure,
        r#"select c.state::text as "state!", r.name as requested_by, c.requested_at as "requested_at: Dt",
                  c.reason, d.name as "decided_by?", c.decision_reason,
                  c.announcement_days
           from closure_requests c join users r on r.user_id = c.requested_by
           left join users d on d.user_id = c.decided_by
           where c.account_id = $1 order by c.closure_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn request_closure(
    conn: &mut PgConnection,
    account_id: i64,
    by: i64,
    reason: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into closure_requests (account_id, requested_by, reason) values ($1, $2, $3) returning closure_id",
        account_id,
        by,
        reason
    )
    .fetch_one(conn)
    .await
}

/// Decide the open closure request (guarded: only a `requested` one).
pub(crate) async fn decide_closure(
    conn: &mut PgConnection,
    account_id: i64,
    by: i64,
    approve: bool,
    reason: Option<&str>,
    days: Option<i32>,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        r#"update closure_requests set state = case when $3 then 'approved'::closure_state else 'denied'::closure_state end,
                  decided_by = $2, decided_at = now(), decision_reason = $4, announcement_days = $5
           where account_id = $1 and state = 'requested'"#,
        account_id,
        by,
        approve,
        reason,
        days
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(crate) async fn begin_closing(
    conn: &mut PgConnection,
    id: i64,
    start: Date,
    end: Date,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set state = 'closing', announcement_start = $2, announcement_end = $3, updated_at = now()
         where account_id = $1 and state in ('approved', 'active')",
        id,
        start,
        end
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(crate) async fn mark_announced(conn: &mut PgConnection, id: i64, by: i64) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set announced_at = now(), announced_by = $2, updated_at = now()
         where account_id = $1 and state = 'closing' and announced_at is null",
        id,
        by
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(crate) async fn close(conn: &mut PgConnection, id: i64, on: Date) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set state = 'closed', closed_date = $2, updated_at = now()
         where account_id = $1 and state = 'closing'",
        id,
        on
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}
