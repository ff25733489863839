//! SQL of the yearly review: the reviews of an organisation, its progress per
//! account, the owners' tasks and the confirmation.

use sqlx::PgConnection;
use time::Date;

use crate::web::Dt;

/// One organisation's review of one year.
#[derive(Debug, Clone)]
pub(crate) struct Review {
    pub review_id: i64,
    pub organisation_id: i64,
    pub year: i32,
    pub started_at: Dt,
    pub started_by: String,
    pub closed_at: Option<Dt>,
    pub closed_by: Option<String>,
}

impl Review {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

pub(crate) async fn review(
    conn: &mut PgConnection,
    organisation_id: i64,
    year: i32,
) -> sqlx::Result<Option<Review>> {
    sqlx::query_as!(
        Review,
        r#"select r.review_id, r.organisation_id, r.year, r.started_at as "started_at: Dt",
                  s.name as started_by, r.closed_at as "closed_at: Dt", c.name as "closed_by?"
           from yearly_reviews r join users s on s.user_id = r.started_by
           left join users c on c.user_id = r.closed_by
           where r.organisation_id = $1 and r.year = $2"#,
        organisation_id,
        year
    )
    .fetch_optional(conn)
    .await
}

/// The organisation's review that is open now, if any.
pub(crate) async fn open_review(
    conn: &mut PgConnection,
    organisation_id: i64,
) -> sqlx::Result<Option<Review>> {
    sqlx::query_as!(
        Review,
        r#"select r.review_id, r.organisation_id, r.year, r.started_at as "started_at: Dt",
                  s.name as started_by, r.closed_at as "closed_at: Dt", null::text as "closed_by?"
           from yearly_reviews r join users s on s.user_id = r.started_by
           where r.organisation_id = $1 and r.closed_at is null"#,
        organisation_id
    )
    .fetch_optional(conn)
    .await
}

/// Open the review of `year`; a unique violation means one is open or the year has one.
pub(crate) async fn start(
    conn: &mut PgConnection,
    organisation_id: i64,
    year: i32,
    by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into yearly_reviews (organisation_id, year, started_by) values ($1, $2, $3) returning review_id",
        organisation_id,
        year,
        by
    )
    .fetch_one(conn)
    .await
}

/// Close an open review; false when it was already closed.
pub(crate) async fn close(conn: &mut PgConnection, review_id: i64, by: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update yearly_reviews set closed_at = now(), closed_by = $2 where review_id = $1 and closed_at is null",
        review_id,
        by
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One account of a review and how far it has come.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    pub account_id: i64,
    pub unit: String,
    pub name: String,
    pub platform: String,
    pub owner: Option<String>,
    pub owner_email: Option<String>,
    pub deputy_email: Option<String>,
    pub confirmed_at: Option<Dt>,
    pub confirmed_by: Option<String>,
    pub still_in_use: Option<bool>,
}

/// Every active account of the organisation with its answer in the review, by unit.
pub(crate) async fn progress(conn: &mut PgConnection, review: &Review) -> sqlx::Result<Vec<Progress>> {
    sqlx::query_as!(
        Progress,
        r#"select a.account_id, un.name as unit, a.name, p.name as platform,
                  ow.name as "owner?", ow.email as "owner_email?", dp.email as "deputy_email?",
                  c.confirmed_at as "confirmed_at?: Dt", cb.name as "confirmed_by?", c.still_in_use as "still_in_use?"
           from accounts a
           join units un on un.unit_id = a.unit_id
           join platforms p on p.platform_id = a.platform_id
           left join users ow on ow.user_id = a.owner_user_id
           left join users dp on dp.user_id = a.deputy_user_id
           left join account_confirmations c on c.account_id = a.account_id and c.review_id = $2
           left join users cb on cb.user_id = c.confirmed_by
           where a.organisation_id = $1 and (a.state = 'active' or c.account_id is not null)
           order by un.name, lower(a.name), a.account_id"#,
        review.organisation_id,
        review.review_id
    )
    .fetch_all(conn)
    .await
}

/// A confirmation still to be given by the user: an active account they own or
/// stand in for, in an open review.
pub(crate) struct Pending {
    pub account_id: i64,
    pub name: String,
    pub organisation: String,
    pub year: i32,
}

pub(crate) async fn pending_for(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<Pending>> {
    sqlx::query_as!(
        Pending,
        r#"select a.account_id, a.name, o.name as organisation, r.year
           from accounts a
           join organisations o on o.organisation_id = a.organisation_id
           join yearly_reviews r on r.organisation_id = a.organisation_id and r.closed_at is null
           where (a.owner_user_id = $1 or a.deputy_user_id = $1) and a.state = 'active'
             and not exists (select 1 from account_confirmations c
                             where c.review_id = r.review_id and c.account_id = a.account_id)
           order by lower(a.name), a.account_id"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// The answer already given for an account in a review.
pub(crate) struct Answer {
    pub confirmed_at: Dt,
    pub confirmed_by: String,
    pub still_in_use: bool,
}

pub(crate) async fn answer(
    conn: &mut PgConnection,
    review_id: i64,
    account_id: i64,
) -> sqlx::Result<Option<Answer>> {
    sqlx::query_as!(
        Answer,
        r#"select c.confirmed_at as "confirmed_at: Dt", u.name as confirmed_by, c.still_in_use
           from account_confirmations c join users u on u.user_id = c.confirmed_by
           where c.review_id = $1 and c.account_id = $2"#,
        review_id,
        account_id
    )
    .fetch_optional(conn)
    .await
}

/// The account's state, locked for the rest of the transaction.
pub(crate) async fn lock_account(
    conn: &mut PgConnection,
    account_id: i64,
) -> sqlx::Result<Option<crate::accounts::rules::AccountState>> {
    sqlx::query_scalar!(
        r#"select state as "state: crate::accounts::rules::AccountState" from accounts
           where account_id = $1 for update"#,
        account_id
    )
    .fetch_optional(conn)
    .await
}

/// The review, locked against closing for the rest of the transaction; None when closed.
pub(crate) async fn lock_open(conn: &mut PgConnection, review_id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query_scalar!(
        "select review_id from yearly_reviews where review_id = $1 and closed_at is null for share",
        review_id
    )
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// Record the answer for the account in the review (a new answer replaces the old).
pub(crate) async fn record_answer(
    conn: &mut PgConnection,
    review_id: i64,
    account_id: i64,
    by: i64,
    still_in_use: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"insert into account_confirmations (review_id, account_id, still_in_use, confirmed_by)
           values ($1, $2, $3, $4)
           on conflict (review_id, account_id)
           do update set still_in_use = excluded.still_in_use, confirmed_by = excluded.confirmed_by,
                         confirmed_at = now()"#,
        review_id,
        account_id,
        still_in_use,
        by
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What a confirmation writes to the account.
pub(crate) struct Confirmed<'a> {
    pub purpose: &'a str,
    pub target_groups: &'a str,
    pub followers: Option<i32>,
    pub publishing_frequency: &'a str,
    pub on: Date,
}

pub(crate) async fn write_confirmed(
    conn: &mut PgConnection,
    account_id: i64,
    c: &Confirmed<'_>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update accounts set purpose = $2, target_groups = $3, followers = $4, publishing_frequency = $5,
                  last_confirmed_on = $6, updated_at = now()
           where account_id = $1"#,
        account_id,
        c.purpose,
        c.target_groups,
        c.followers,
        c.publishing_frequency,
        c.on
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How many accounts the review covers and how many are confirmed: the
/// numbers of `progress` without reading its rows.
pub(crate) async fn progress_counts(conn: &mut PgConnection, review: &Review) -> sqlx::Result<(i64, i64)> {
    let r = sqlx::query!(
        // The active accounts from the counters, plus those confirmed and
        // closed since: no scan of the organisation's accounts.
        r#"with confirmed as (
               select a.state from account_confirmations c join accounts a on a.account_id = c.account_id
               where c.review_id = $2 and a.organisation_id = $1)
           select (select coalesce(sum(n), 0) from account_counts
                   where organisation_id = $1 and state = 'active')::bigint
                  + (select count(*) from confirmed where state <> 'active') as "total!",
                  (select count(*) from confirmed) as "confirmed!""#,
        review.organisation_id,
        review.review_id
    )
    .fetch_one(conn)
    .await?;
    Ok((r.total, r.confirmed))
}
