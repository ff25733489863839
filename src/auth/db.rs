//! SQL of the login feature: lookup, failure counting and lockout, the
//! per-address throttle, and password changes.

use sqlx::PgConnection;
use time::OffsetDateTime;

/// Failures within this window count towards a lockout.
pub const FAILURE_WINDOW_MINUTES: i32 = 15;
/// Failures that lock the account.
pub const MAX_FAILURES: i32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i32 = 15;

pub struct LoginRow {
    pub user_id: i64,
    pub password_hash: String,
    pub locked_until: Option<OffsetDateTime>,
}

/// An active user by e-mail (case-insensitive).
pub async fn find_for_login(conn: &mut PgConnection, email: &str) -> sqlx::Result<Option<LoginRow>> {
    sqlx::query_as!(
        LoginRow,
        r#"select user_id, password_hash,
                  case when locked_until > now() then locked_until end as locked_until
           from users where lower(email) = lower($1) and active"#,
        email
    )
    .fetch_optional(conn)
    .await
}

/// Count a failed login; returns the lock end if this failure locked the account.
pub async fn register_failure(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Option<OffsetDateTime>> {
    let row = sqlx::query!(
        r#"with cur as (
               select user_id,
                      case when failed_login_window_start > now() - make_interval(mins => $2)
                           then failed_login_count + 1 else 1 end as n,
                      case when failed_login_window_start > now() - make_interval(mins => $2)
                           then failed_login_window_start else now() end as ws
               from users where user_id = $1 for update)
           update users u set failed_login_count = cur.n,
                              failed_login_window_start = cur.ws,
                              locked_until = case when cur.n >= $3 then now() + make_interval(mins => $4)
                                                  else u.locked_until end
           from cur where u.user_id = cur.user_id
           returning case when cur.n >= $3 then u.locked_until end as "newly_locked?""#,
        user_id,
        FAILURE_WINDOW_MINUTES,
        MAX_FAILURES,
        LOCK_MINUTES
    )
    .fetch_one(conn)
    .await?;
    Ok(row.newly_locked)
}

/// A successful login clears the failure count.
pub async fn register_success(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set failed_login_count = 0, failed_login_window_start = null, locked_until = null
         where user_id = $1",
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Count an attempt from `addr` in the current one-minute window; returns the
/// number of attempts in it, this one included.
pub async fn throttle_hit(conn: &mut PgConnection, addr: &str) -> sqlx::Result<i32> {
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

/// Set a new password hash. `must_change` marks a one-time password.
pub async fn set_password(
    conn: &mut PgConnection,
    user_id: i64,
    hash: &str,
    must_change: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set password_hash = $2, must_change_password = $3, updated_at = now(),
                          failed_login_count = 0, failed_login_window_start = null, locked_until = null
         where user_id = $1",
        user_id,
        hash,
        must_change
    )
    .execute(conn)
    .await?;
    Ok(())
}
