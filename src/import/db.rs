//! SQL of imports: the batches (an uploaded file's parsed rows, kept until
//! committed or expired), what the register has for a file's rows, and the
//! accounts an import creates or updates.

use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;
use time::OffsetDateTime;

use super::columns::Field;
use super::file::SheetRow;
use super::plan::{Context, Existing, Person, Values};
use crate::accounts::rules::AccountState;

pub(crate) struct NewBatch<'a> {
    pub organisation_id: i64,
    pub created_by: i64,
    pub file_name: &'a str,
    pub file_hash: &'a str,
    pub header_row: i32,
    pub headers: &'a [String],
    pub mapping: &'a [Option<Field>],
    pub rows: &'a [SheetRow],
}

pub(crate) async fn create_batch(conn: &mut PgConnection, b: &NewBatch<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"insert into import_batches (organisation_id, created_by, file_name, file_hash, header_row, headers, mapping, rows)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning batch_id"#,
        b.organisation_id,
        b.created_by,
        b.file_name,
        b.file_hash,
        b.header_row,
        Json(b.headers) as _,
        Json(b.mapping) as _,
        Json(b.rows) as _
    )
    .fetch_one(conn)
    .await
}

pub(crate) struct Batch {
    pub batch_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub expired: bool,
    pub file_name: String,
    pub headers: Json<Vec<String>>,
    pub mapping: Json<Vec<Option<Field>>>,
    pub mapping_confirmed: bool,
    pub rows: Json<Vec<SheetRow>>,
    pub committed_at: Option<OffsetDateTime>,
    pub committed_by_name: Option<String>,
    pub result: Option<Json<Value>>,
}

/// A batch; with `lock`, locked for the commit (a double click waits and
/// then finds it committed).
pub(crate) async fn batch(conn: &mut PgConnection, batch_id: i64, lock: bool) -> sqlx::Result<Option<Batch>> {
    if lock {
        sqlx::query!("select 1 as x from import_batches where batch_id = $1 for update", batch_id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    sqlx::query_as!(
        Batch,
        r#"select b.batch_id, b.organisation_id, o.name as organisation, u.name as created_by_name, b.created_at,
                  (b.committed_at is null and b.expires_at < now()) as "expired!",
                  b.file_name, b.headers as "headers: Json<Vec<String>>",
                  b.mapping as "mapping: Json<Vec<Option<Field>>>", b.mapping_confirmed,
                  b.rows as "rows: Json<Vec<SheetRow>>", b.committed_at, c.name as "committed_by_name?",
                  b.result as "result: Json<Value>"
           from import_batches b join organisations o using (organisation_id)
           join users u on u.user_id = b.created_by
           left join users c on c.user_id = b.committed_by
           where b.batch_id = $1"#,
        batch_id
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn set_mapping(
    conn: &mut PgConnection,
    batch_id: i64,
    mapping: &[Option<Field>],
) -> sqlx::Result<()> {
    sqlx::query!(
        "update import_batches set mapping = $2, mapping_confirmed = true where batch_id = $1 and committed_at is null",
        batch_id,
        Json(mapping) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn mark_committed(
    conn: &mut PgConnection,
    batch_id: i64,
    user_id: i64,
    result: &Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update import_batches set committed_at = now(), committed_by = $2, result = $3 where batch_id = $1",
        batch_id,
        user_id,
        result
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An unused batch's rows are not kept past a day after it expired.
pub async fn forget_expired(conn: &mut PgConnection) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        r#"update import_batches set rows = '[]' where committed_at is null
           and expires_at < now() - interval '1 day' and rows <> '[]'"#
    )
    .execute(conn)
    .await?
    .rows_affected())
}

pub(crate) struct Recent {
    pub batch_id: i64,
    pub file_name: String,
    pub organisation: String,
    pub created_at: crate::web::Dt,
    pub created_by_name: String,
    pub committed: bool,
    pub expired: bool,
}

/// The latest imports of the organisations.
pub(crate) async fn recent(conn: &mut PgConnection, orgs: &[i64]) -> sqlx::Result<Vec<Recent>> {
    sqlx::query_as!(
        Recent,
        r#"select b.batch_id, b.file_name, o.name as organisation, b.created_at as "created_at: crate::web::Dt", u.name as created_by_name,
                  b.committed_at is not null as "committed!",
                  (b.committed_at is null and b.expires_at < now()) as "expired!"
           from import_batches b join organisations o using (organisation_id) join users u on u.user_id = b.created_by
           where b.organisation_id = any($1)
           order by b.created_at desc limit 10"#,
        orgs
    )
    .fetch_all(conn)
    .await
}

/// The platforms, units and people of the organisation (without the accounts).
pub(crate) async fn context(conn: &mut PgConnection, organisation_id: i64) -> sqlx::Result<Context> {
    let platforms =
        sqlx::query!("select platform_id, name from platforms where active order by sort_order, name")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.platform_id, r.name))
            .collect();
    let units = sqlx::query!(
        "select unit_id, name from units where organisation_id = $1 and active order by name",
        organisation_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.unit_id, r.name))
    .collect();
    let people = sqlx::query!(
        r#"select distinct u.user_id, u.name, lower(u.email) as "email!" from users u
           join role_assignments ra on ra.user_id = u.user_id and ra.active
           where u.active and ra.organisation_id = $1"#,
        organisation_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.email, (r.user_id, r.name)))
    .collect();
    Ok(Context { organisation_id, platforms, units, people, ..Default::default() })
}

/// The accounts with one of `keys`: an open one before a closed one with the
/// same address, the latest closed first.
pub(crate) async fn existing(conn: &mut PgConnection, keys: &[String], cx: &mut Context) -> sqlx::Result<()> {
    let rows = sqlx::query!(
        r#"select a.url_key as "key!", a.account_id, a.organisation_id, o.name as organisation, a.platform_id,
                  a.unit_id, a.name, a.purpose, a.target_groups, a.owner_user_id, a.owner_text,
                  a.deputy_user_id, a.deputy_text, a.start_date, a.state as "state: AccountState", a.closed_date
           from accounts a join organisations o using (organisation_id)
           where a.url_key = any($1)
           order by a.state = 'closed' desc, a.closed_date nulls last, a.account_id"#,
        keys
    )
    .fetch_all(conn)
    .await?;
    // In that order, the last row of a key is the one that counts.
    for r in rows {
        cx.existing.insert(
            r.key,
            Existing {
                account_id: r.account_id,
                organisation_id: r.organisation_id,
                organisation: r.organisation,
                platform_id: r.platform_id,
                unit_id: r.unit_id,
                name: r.name,
                purpose: r.purpose,
                target_groups: r.target_groups,
                owner_user_id: r.owner_user_id,
                owner_text: r.owner_text,
                deputy_user_id: r.deputy_user_id,
                deputy_text: r.deputy_text,
                start_date: r.start_date,
                state: r.state,
                closed_date: r.closed_date,
            },
        );
    }
    Ok(())
}

fn person(p: &Person) -> (Option<i64>, &str) {
    match p {
        Person::None => (None, ""),
        Person::User { user_id, .. } => (Some(*user_id), ""),
        Person::Text(t) => (None, t.as_str()),
    }
}

/// A new register entry from a row: active, or closed on its date; without a
/// startup form; its start checklist taken as done, as it has been in use.
pub(crate) async fn create_account(
    conn: &mut PgConnection,
    organisation_id: i64,
    v: &Values,
) -> sqlx::Result<i64> {
    let (owner, owner_text) = person(&v.owner);
    let (deputy, deputy_text) = person(&v.deputy);
    let state = if v.closed_date.is_some() { AccountState::Closed } else { AccountState::Active };
    sqlx::query_scalar!(
        r#"insert into accounts (organisation_id, unit_id, platform_id, name, url, state, purpose, target_groups,
                                 owner_user_id, owner_text, deputy_user_id, deputy_text, missing_form, start_date,
                                 closed_date, profile_picture_done, basic_info_done, controller)
           select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true, $13, $14, true, true,
                  'Nämnden för ' || o.name
           from organisations o where o.organisation_id = $1
           returning account_id"#,
        organisation_id,
        v.unit_id,
        v.platform_id,
        v.name,
        v.url,
        state as AccountState,
        v.purpose,
        v.target_groups,
        owner,
        owner_text,
        deputy,
        deputy_text,
        v.start_date,
        v.closed_date
    )
    .fetch_one(conn)
    .await
}

/// Write a row's values over an account: an empty cell (and a person who is
/// only a text, over a user) leaves the field as it is.
pub(crate) async fn update_account(conn: &mut PgConnection, account_id: i64, v: &Values) -> sqlx::Result<()> {
    let (owner, owner_text) = person(&v.owner);
    let (deputy, deputy_text) = person(&v.deputy);
    sqlx::query!(
        r#"update accounts set platform_id = $2, name = $3, unit_id = $4, start_date = $5,
                  purpose = case when $6 = '' then purpose else $6 end,
                  target_groups = case when $7 = '' then target_groups else $7 end,
                  owner_user_id = coalesce($8, owner_user_id),
                  owner_text = case when $8::bigint is not null then '' when owner_user_id is null and $9 <> '' then $9 else owner_text end,
                  deputy_user_id = coalesce($10, deputy_user_id),
                  deputy_text = case when $10::bigint is not null then '' when deputy_user_id is null and $11 <> '' then $11 else deputy_text end,
                  updated_at = now()
           where account_id = $1"#,
        account_id,
        v.platform_id,
        v.name,
        v.unit_id,
        v.start_date,
        v.purpose,
        v.target_groups,
        owner,
        owner_text,
        deputy,
        deputy_text
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The organisations among `ids`, by name, for the upload form.
pub(crate) async fn organisations(
    conn: &mut PgConnection,
    ids: &[i64],
) -> sqlx::Result<Vec<crate::org::db::Choice>> {
    sqlx::query_as!(
        crate::org::db::Choice,
        "select organisation_id as id, name as label from organisations where organisation_id = any($1) and active order by name",
        ids
    )
    .fetch_all(conn)
    .await
}
