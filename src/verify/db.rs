//! SQL of the public pages: addresses looked up in every address accounts have
//! had, and the open-data rows. Only public fields are selected.

use sqlx::PgConnection;
use time::Date;

use crate::accounts::rules::AccountState;
use crate::web::Dt;

/// An account whose address (current or former) matches what was asked.
#[derive(Debug, Clone)]
pub(crate) struct Match {
    pub organisation: String,
    pub unit: String,
    pub platform: String,
    pub name: String,
    pub state: AccountState,
    pub start_date: Option<Date>,
    pub closed_date: Option<Date>,
    /// The account's address now, written out canonically.
    pub current_url: String,
    /// The address that matched, and when the account stopped using it.
    pub matched_url: String,
    pub replaced_at: Option<Dt>,
}

/// Accounts that have or had the address `key`, or (without a key) the
/// handle `handle` on any platform. Approved accounts that have not started
/// are not public. One query per case, so that each uses its own index.
pub(crate) async fn find(
    conn: &mut PgConnection,
    key: Option<&str>,
    handle: Option<&str>,
) -> sqlx::Result<Vec<Match>> {
    match key {
        Some(key) => {
            sqlx::query_as!(
                Match,
                r#"select o.name as organisation, un.name as unit, p.name as platform, a.name,
                          a.state as "state: AccountState", a.start_date, a.closed_date,
                          coalesce(c.url, a.url) as "current_url!",
                          aa.url as matched_url, aa.replaced_at as "replaced_at: Dt"
                   from account_addresses aa
                   join accounts a on a.account_id = aa.account_id
                   join organisations o on o.organisation_id = a.organisation_id
                   join units un on un.unit_id = a.unit_id
                   join platforms p on p.platform_id = a.platform_id
                   left join account_addresses c on c.account_id = a.account_id and c.replaced_at is null
                   where aa.url_key = $1 and a.state <> 'approved'
                   order by (a.state <> 'closed' and aa.replaced_at is null) desc, a.closed_date desc nulls first, p.name
                   limit 20"#,
                key
            )
            .fetch_all(conn)
            .await
        }
        None => {
            sqlx::query_as!(
                Match,
                r#"select o.name as organisation, un.name as unit, p.name as platform, a.name,
                          a.state as "state: AccountState", a.start_date, a.closed_date,
                          coalesce(c.url, a.url) as "current_url!",
                          aa.url as matched_url, aa.replaced_at as "replaced_at: Dt"
                   from account_addresses aa
                   join accounts a on a.account_id = aa.account_id
                   join organisations o on o.organisation_id = a.organisation_id
                   join units un on un.unit_id = a.unit_id
                   join platforms p on p.platform_id = a.platform_id
                   left join account_addresses c on c.account_id = a.account_id and c.replaced_at is null
                   where aa.handle = $1 and a.state <> 'approved'
                   order by (a.state <> 'closed' and aa.replaced_at is null) desc, a.closed_date desc nulls first, p.name
                   limit 20"#,
                handle
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// Where the public reports a suspected fake account: the organisations that
/// have set a contact address.
pub(crate) async fn contacts(conn: &mut PgConnection) -> sqlx::Result<Vec<(String, String)>> {
    Ok(sqlx::query!(
        "select name, public_contact from organisations where active and public_contact <> '' order by name"
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.name, r.public_contact))
    .collect())
}

/// One account in the open-data files.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct OpenRow {
    pub organisation: String,
    pub unit: String,
    pub platform: String,
    pub account_name: String,
    pub url: String,
    /// ÅÅÅÅ-MM-DD.
    pub start_date: Option<String>,
    pub closed_date: Option<String>,
    #[serde(skip)]
    pub updated_at: Dt,
}

/// The open-data rows: active and closing accounts, and those closed on or
/// after `closed_since`, that are shown in open data.
pub(crate) async fn open_rows(conn: &mut PgConnection, closed_since: Date) -> sqlx::Result<Vec<OpenRow>> {
    sqlx::query_as!(
        OpenRow,
        r#"select o.name as organisation, un.name as unit, p.name as platform, a.name as account_name,
                  coalesce((select c.url from account_addresses c
                            where c.account_id = a.account_id and c.replaced_at is null), a.url) as "url!",
                  to_char(a.start_date, 'YYYY-MM-DD') as start_date, to_char(a.closed_date, 'YYYY-MM-DD') as closed_date,
                  a.updated_at as "updated_at: Dt"
           from accounts a
           join organisations o on o.organisation_id = a.organisation_id
           join units un on un.unit_id = a.unit_id
           join platforms p on p.platform_id = a.platform_id
           where a.open_data and a.url <> ''
             and (a.state in ('active', 'closing') or (a.state = 'closed' and a.closed_date >= $1))
           order by o.name, un.name, p.name, lower(a.name), a.account_id"#,
        closed_since
    )
    .fetch_all(conn)
    .await
}
