//! SQL of account addresses: the normalised key that keeps one account from
//! being registered twice, and the history of every address an account has had.

use sqlx::PgConnection;

use crate::accounts::address::{self, Address};

/// Another account that is not closed already has this address.
#[derive(Debug, Clone)]
pub(crate) struct Taken {
    pub account_id: i64,
    pub name: String,
    pub organisation: String,
}

/// The name of a platform, to give an address typed as `@namn` its platform.
pub(crate) async fn platform_name(conn: &mut PgConnection, platform_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("select name from platforms where platform_id = $1", platform_id)
        .fetch_optional(conn)
        .await
}

/// The account (other than `account_id`) that is not closed and has `key`.
pub(crate) async fn taken(
    conn: &mut PgConnection,
    key: &str,
    account_id: i64,
) -> sqlx::Result<Option<Taken>> {
    sqlx::query_as!(
        Taken,
        r#"select a.account_id, a.name, o.name as organisation from accounts a
           join organisations o using (organisation_id)
           where a.url_key = $1 and a.state <> 'closed' and a.account_id <> $2"#,
        key,
        account_id
    )
    .fetch_optional(conn)
    .await
}

/// Record `url` as the account's address: its key on the account, and in the
/// history, where the address it had before is kept as replaced. The caller
/// has checked `taken` in the same transaction, with the account locked.
pub(crate) async fn set_address(
    conn: &mut PgConnection,
    account_id: i64,
    url: &str,
    a: Option<&Address>,
) -> sqlx::Result<()> {
    let key = a.map(|a| a.key.as_str());
    sqlx::query!(
        "update accounts set url = $2, url_key = $3, updated_at = now() where account_id = $1",
        account_id,
        url,
        key
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"update account_addresses set replaced_at = now()
           where account_id = $1 and replaced_at is null and url_key is distinct from $2"#,
        account_id,
        key
    )
    .execute(&mut *conn)
    .await?;
    if let Some(a) = a {
        sqlx::query!(
            r#"insert into account_addresses (account_id, url_key, handle, url) values ($1, $2, $3, $4)
               on conflict (account_id, url_key) do update set replaced_at = null, url = excluded.url"#,
            account_id,
            a.key,
            a.handle,
            a.canonical
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Give every account whose address has no key yet its key and its history
/// row: the rows from before the key existed, the demo's, and any written
/// by SQL. An address that another open account already has is left without
/// a key (and logged), so nothing is lost; returns how many got one.
pub async fn sync_keys(conn: &mut PgConnection) -> sqlx::Result<u64> {
    let rows = sqlx::query!(
        r#"select a.account_id, a.url, p.name as platform, a.state::text as "state!" from accounts a
           join platforms p using (platform_id)
           where a.url <> '' and a.url_key is null order by a.account_id"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut n = 0;
    for r in rows {
        let Some(a) = address::normalize(&r.url, Some(&r.platform)) else { continue };
        if r.state != "closed"
            && let Some(t) = taken(conn, &a.key, r.account_id).await?
        {
            tracing::warn!(
                "account {} has the same address as account {} ({}): left without a key",
                r.account_id,
                t.account_id,
                a.canonical
            );
            continue;
        }
        set_address(conn, r.account_id, &r.url, Some(&a)).await?;
        n += 1;
    }
    Ok(n)
}
