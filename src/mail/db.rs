//! SQL of the outbox: queueing in the caller's transaction, the worker's
//! claim and its outcome, the administrator's list, and the recipients of
//! the events.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::{Mail, Recipient};
use crate::web::Dt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "mail_state", rename_all = "snake_case")]
pub(crate) enum MailState {
    Queued,
    Sent,
    Failed,
}

/// Queue `mail` to each recipient, in the caller's transaction. With a
/// `dedup` key, a mail already queued under it (to that user) is not queued again.
pub async fn queue(
    conn: &mut PgConnection,
    mail: &Mail,
    to: &[Recipient],
    dedup: Option<&str>,
) -> sqlx::Result<u64> {
    let mut n = 0;
    for r in to {
        let key = dedup.map(|k| format!("{k}:{}", r.user_id));
        n += u64::from(queue_one(conn, mail, r, key.as_deref()).await?.is_some());
    }
    Ok(n)
}

/// Queue one mail under the exact key `key`; its id, or `None` when the key
/// was taken. A user who takes the weekly summary gets it in that.
pub(crate) async fn queue_one(
    conn: &mut PgConnection,
    mail: &Mail,
    r: &Recipient,
    key: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"insert into outbox (kind, dedup_key, to_user_id, to_address, subject, body, link_label, link_path, digest)
           values ($1, $2, $3, $4, $5, $6, $7, $8,
                   $1 <> 'weekly_summary' and coalesce((select mail_weekly from users where user_id = $3), false))
           on conflict (dedup_key) do nothing returning mail_id"#,
        mail.kind,
        key,
        r.user_id,
        format!("{} <{}>", r.name.replace(['<', '>', '"', ','], " ").trim(), r.email),
        mail.subject,
        mail.paragraphs.join("\n\n"),
        mail.link_label,
        mail.link_path
    )
    .fetch_optional(conn)
    .await
}

pub(crate) struct Due {
    pub mail_id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub link_label: String,
    pub link_path: String,
    pub attempts: i32,
}

/// Claim up to `limit` due mails, locked until the caller's transaction ends;
/// rows another worker holds are skipped.
pub(crate) async fn claim(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as!(
        Due,
        r#"select mail_id, to_address, subject, body, link_label, link_path, attempts from outbox
           where state = 'queued' and not digest and next_attempt_at <= now()
           order by next_attempt_at, mail_id limit $1
           for update skip locked"#,
        limit
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn mark_sent(conn: &mut PgConnection, mail_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update outbox set state = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null where mail_id = $1",
        mail_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed attempt: try again after `retry_in`, or give up when `None`.
pub(crate) async fn mark_failed(
    conn: &mut PgConnection,
    mail_id: i64,
    error: &str,
    retry_in: Option<time::Duration>,
) -> sqlx::Result<()> {
    let next = retry_in.map(|d| OffsetDateTime::now_utc() + d);
    sqlx::query!(
        r#"update outbox set attempts = attempts + 1, last_error = $2,
                  state = case when $3::timestamptz is null then 'failed'::mail_state else 'queued'::mail_state end,
                  next_attempt_at = coalesce($3, next_attempt_at)
           where mail_id = $1"#,
        mail_id,
        error,
        next
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// "Försök igen": a failed (or waiting) mail is due now, with its attempts counted anew.
pub(crate) async fn retry(conn: &mut PgConnection, mail_id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "update outbox set state = 'queued', next_attempt_at = now(), attempts = 0 where mail_id = $1 and state <> 'sent'",
        mail_id
    )
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub(crate) struct Row {
    pub mail_id: i64,
    pub digest: bool,
    pub created_at: Dt,
    pub to_address: String,
    pub subject: String,
    pub state: MailState,
    pub attempts: i32,
    pub next_attempt_at: Dt,
    pub last_error: Option<String>,
    pub sent_at: Option<Dt>,
}

/// The latest mails, newest first, optionally in one state.
pub(crate) async fn list(
    conn: &mut PgConnection,
    state: Option<MailState>,
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"select mail_id, digest, created_at as "created_at: Dt", to_address, subject, state as "state: MailState",
                  attempts, next_attempt_at as "next_attempt_at: Dt", last_error, sent_at as "sent_at: Dt"
           from outbox where ($1::mail_state is null or state = $1)
           order by mail_id desc limit $2"#,
        state as Option<MailState>,
        limit
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn counts(conn: &mut PgConnection) -> sqlx::Result<(i64, i64, i64)> {
    let r = sqlx::query!(
        r#"select count(*) filter (where state = 'queued') as "queued!",
                  count(*) filter (where state = 'sent') as "sent!",
                  count(*) filter (where state = 'failed') as "failed!" from outbox"#
    )
    .fetch_one(conn)
    .await?;
    Ok((r.queued, r.sent, r.failed))
}

/// The active managers of a unit.
pub(crate) async fn unit_managers(conn: &mut PgConnection, unit_id: i64) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query_as!(
        Recipient,
        r#"select distinct u.user_id, u.name, u.email from users u
           join role_assignments ra on ra.user_id = u.user_id and ra.active
           where u.active and ra.role = 'manager' and ra.unit_id = $1 order by u.user_id"#,
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// The active users with one of `roles` (codes) in the organisation.
pub(crate) async fn with_roles(
    conn: &mut PgConnection,
    organisation_id: i64,
    roles: &[&str],
) -> sqlx::Result<Vec<Recipient>> {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    sqlx::query_as!(
        Recipient,
        r#"select distinct u.user_id, u.name, u.email from users u
           join role_assignments ra on ra.user_id = u.user_id and ra.active
           where u.active and ra.organisation_id = $1 and ra.role::text = any($2) order by u.user_id"#,
        organisation_id,
        &roles
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn user(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query_as!(
        Recipient,
        "select user_id, name, email from users where user_id = $1 and active",
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Whether the user takes the weekly summary. Turning it off sends what waits for it.
pub(crate) async fn set_weekly(conn: &mut PgConnection, user_id: i64, weekly: bool) -> sqlx::Result<bool> {
    let before = sqlx::query_scalar!("select mail_weekly from users where user_id = $1", user_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query!("update users set mail_weekly = $2 where user_id = $1", user_id, weekly)
        .execute(&mut *conn)
        .await?;
    if !weekly {
        sqlx::query!(
            "update outbox set digest = false where to_user_id = $1 and digest and state = 'queued'",
            user_id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(before)
}

pub(crate) async fn weekly(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!("select mail_weekly from users where user_id = $1", user_id).fetch_one(conn).await
}
