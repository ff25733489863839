//! SQL of the login feature: lookup, failure counting and lockout per account
//! and client address, the
//! per-address throttle, and password changes.

use sqlx::PgConnection;
use time::OffsetDateTime;

/// Failures within this window count towards a lockout.
pub(crate) const FAILURE_WINDOW_MINUTES: i32 = 15;
/// Failures that lock the account.
pub(crate) const MAX_FAILURES: i32 = 5;
/// How long a locked account stays locked.
pub(crate) const LOCK_MINUTES: i32 = 15;

pub(crate) struct LoginRow {
    pub user_id: i64,
    pub password_hash: String,
}

/// An active user by e-mail (case-insensitive).
pub(crate) async fn find_for_login(conn: &mut PgConnection, email: &str) -> sqlx::Result<Option<LoginRow>> {
    sqlx::query_as!(
        LoginRow,
        "select user_id, password_hash from users where lower(email) = lower($1) and active",
        email
    )
    .fetch_optional(conn)
    .await
}

/// Whether the account is locked for logins from `addr`.
pub(crate) async fn is_locked(conn: &mut PgConnection, user_id: i64, addr: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from login_failures
                          where user_id = $1 and client_addr = $2 and locked_until > now()) as "locked!""#,
        user_id,
        addr
    )
    .fetch_one(conn)
    .await
}

/// Count a failed password for the account from `addr`; returns the lock end
/// if this failure locked the pair.
pub(crate) async fn register_failure(
    conn: &mut PgConnection,
    user_id: i64,
    addr: &str,
) -> sqlx::Result<Option<OffsetDateTime>> {
    let row = sqlx::query!(
        r#"insert into login_failures (user_id, client_addr, window_start, failures) values ($1, $2, now(), 1)
           on conflict (user_id, client_addr) do update set
               failures = case when login_failures.window_start > now() - make_interval(mins => $3)
                               then login_failures.failures + 1 else 1 end,
               window_start = case when login_failures.window_start > now() - make_interval(mins => $3)
                                   then login_failures.window_start else now() end
           returning failures"#,
        user_id,
        addr,
        FAILURE_WINDOW_MINUTES
    )
    .fetch_one(&mut *conn)
    .await?;
    if row.failures < MAX_FAILURES {
        return Ok(None);
    }
    sqlx::query_scalar!(
        r#"update login_failures set locked_until = now() + make_interval(mins => $3)
           where user_id = $1 and client_addr = $2 returning locked_until as "locked_until!""#,
        user_id,
        addr,
        LOCK_MINUTES
    )
    .fetch_one(conn)
    .await
    .map(Some)
}

/// A successful login clears the failures of the account from `addr`.
pub(crate) async fn register_success(conn: &mut PgConnection, user_id: i64, addr: &str) -> sqlx::Result<()> {
    sqlx::query!("delete from login_failures where user_id = $1 and client_addr = $2", user_id, addr)
        .execute(conn)
        .await?;
    Ok(())
}

/// Count an attempt from `addr` in the current one-minute window; returns the
/// number of attempts in it, this one included.
pub(crate) async fn throttle_hit(conn: &mut PgConnection, addr: &str) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        r#"insert into login_throttle (client_addr, window_start, attempts) values ($1, now(), 1)
           on conflict (client_addr) do update set
               attempts = case when login_throttle.window_start > now() - interval '1 minute'
                               then login_throttle.attempts + 1 else 1 end,
               window_start = case when login_throttle.window_start > now() - interval '1 minute'
                                   then login_throttle.window_start else now() end
           returning attempts"#,
        addr
    )
    .fetch_one(conn)
    .await
}

/// Remove the login counters of windows long over, and login failures whose
/// lock has run out a day ago, so the tables hold only what still counts.
pub async fn delete_old_login_rows(conn: &mut PgConnection) -> sqlx::Result<u64> {
    let a = sqlx::query!("delete from login_throttle where window_start < now() - interval '1 hour'")
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let b = sqlx::query!(
        "delete from login_failures where greatest(window_start, coalesce(locked_until, window_start)) < now() - interval '1 day'"
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(a + b)
}

/// Set a new password hash. `must_change` marks a one-time password.
pub(crate) async fn set_password(
    conn: &mut PgConnection,
    user_id: i64,
    hash: &str,
    must_change: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set password_hash = $2, must_change_password = $3, updated_at = now() where user_id = $1",
        user_id,
        hash,
        must_change
    )
    .execute(&mut *conn)
    .await?;
    // A new password lifts every lock on the account.
    sqlx::query!("delete from login_failures where user_id = $1", user_id).execute(conn).await?;
    Ok(())
}
