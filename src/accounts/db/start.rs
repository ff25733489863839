//! SQL of the start: address, date, the checklist and the credentials.

use sqlx::PgConnection;
use time::Date;

/// Register the start: address, date, and the checklist items the owner ticks.
pub(crate) async fn start(
    conn: &mut PgConnection,
    id: i64,
    url: &str,
    start_date: Date,
    profile_picture: bool,
    basic_info: bool,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        "update accounts set state = 'active', url = $2, start_date = $3, profile_picture_done = $4,
                             basic_info_done = $5, updated_at = now()
         where account_id = $1 and state = 'approved'",
        id,
        url,
        start_date,
        profile_picture,
        basic_info
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(crate) async fn set_checklist(
    conn: &mut PgConnection,
    id: i64,
    profile_picture: bool,
    basic_info: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set profile_picture_done = $2, basic_info_done = $3, updated_at = now() where account_id = $1",
        id,
        profile_picture,
        basic_info
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The communicator confirms holding the credentials (never the passwords themselves).
pub(crate) async fn confirm_credentials(conn: &mut PgConnection, id: i64, holder: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update accounts set credentials_holder_user_id = $2, credentials_confirmed_at = now(), updated_at = now()
         where account_id = $1",
        id,
        holder
    )
    .execute(conn)
    .await?;
    Ok(())
}
