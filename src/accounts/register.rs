//! The register `/konton`: search, filters, sorting and paging in the user's scope.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::db::{self, Cursor, Filters, RegisterRow, Scope};
use super::rules::AccountState;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::org::db::Choice;
use crate::web::{Page, Paging, render};

pub(crate) const PAGE_SIZE: i64 = 50;

// ---------------------------------------------------------------- register

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct RegisterQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub enhet: String,
    #[serde(default)]
    pub plattform: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub saknar_blankett: String,
    #[serde(default)]
    pub ej_arkiverat: String,
    #[serde(default)]
    pub sortering: String,
    #[serde(default)]
    pub sida: String,
    /// The register as it opens continues after this account (the last row of the page before)…
    #[serde(default)]
    pub efter: String,
    /// …or ends before this one (the first row of the page after).
    #[serde(default)]
    pub fore: String,
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
pub(crate) struct RegisterPage {
    page: Page,
    /// Whether the user may import an account list ("Importera konton").
    can_import: bool,
    q: RegisterQuery,
    rows: Vec<RegisterRow>,
    total: i64,
    paging: Paging,
    year: i32,
    organisations: Vec<Choice>,
    units: Vec<Choice>,
    platforms: Vec<Choice>,
    states: [AccountState; 4],
}

impl RegisterPage {
    fn first_row(&self) -> i64 {
        if self.total == 0 { 0 } else { (self.paging.number - 1) * PAGE_SIZE + 1 }
    }
    fn last_row(&self) -> i64 {
        ((self.paging.number - 1) * PAGE_SIZE + self.rows.len() as i64).max(0)
    }
}

pub(crate) async fn register(
    Viewer { st, page, user }: Viewer,
    Query(mut q): Query<RegisterQuery>,
) -> AppResult<Response> {
    let scope = Scope::of(&user);
    let year = st.today().year();
    let page_no = q.sida.parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let f = Filters {
        q: q.q.trim().chars().take(200).collect(),
        organisation: q.organisation.parse().ok(),
        unit: q.enhet.parse().ok(),
        platform: q.plattform.parse().ok(),
        state: AccountState::from_code(&q.status),
        missing_form: q.saknar_blankett == "1",
        not_archived: q.ej_arkiverat == "1",
        year,
        sort: q.sortering.clone(),
        limit: PAGE_SIZE,
        offset: (page_no - 1) * PAGE_SIZE,
    };
    let mut conn = st.db.acquire().await?;
    let plain = f.is_plain();
    let (total, rows) = if plain {
        // The register as it opens: statements whose cached plans fit any scope of its
        // shape, and a deep page found from its neighbour's row when the link has one.
        let total = db::plain_count(&mut conn, &scope).await?;
        let cursor = q.efter.parse().ok().map(Cursor::Next).or_else(|| q.fore.parse().ok().map(Cursor::Prev));
        let ids = match cursor {
            Some(c) if page_no > 1 => db::plain_page_ids_from(&mut conn, &scope, c, f.limit).await?,
            _ => db::plain_page_ids(&mut conn, &scope, f.limit, f.offset).await?,
        };
        (total, db::rows_by_ids(&mut conn, &ids, year).await?)
    } else {
        // `plan_for_actual_values` holds for this transaction only.
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        filtered(&mut tx, &scope, &f, year).await?
    };

    let organisations = scope_organisations(&mut conn, &scope).await?;
    let units = match f.organisation.or_else(|| (organisations.len() == 1).then(|| organisations[0].id)) {
        Some(o) if organisations.iter().any(|c| c.id == o) => crate::org::db::units(&mut conn, o).await?,
        _ => Vec::new(),
    };
    let platforms = crate::org::db::platforms(&mut conn).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    if !plain {
        // A filtered register pages over its offset; a cursor from the plain one does not apply.
        (q.efter, q.fore) = (String::new(), String::new());
    }
    let paging = if plain {
        let ends = rows.first().zip(rows.last()).map(|(a, b)| (a.account_id, b.account_id));
        Paging::keyset("/konton", &q, "sida", ["fore", "efter"], page_no, Some(pages), ends, page_no < pages)
    } else {
        Paging::new("/konton", &q, "sida", page_no, Some(pages), page_no < pages)
    };
    render(&RegisterPage {
        page,
        can_import: !crate::import::organisations(&user).is_empty(),
        q,
        rows,
        total,
        paging,
        year,
        organisations,
        units,
        platforms,
        states: AccountState::ALL,
    })
}

/// The count and the page of a filtered or sorted register, planned for the
/// actual scope and filters (one catch-all statement each, whose generic plan
/// could not use the indexes behind "city or organisation or unit or owner").
async fn filtered(
    conn: &mut PgConnection,
    scope: &Scope,
    f: &Filters,
    year: i32,
) -> AppResult<(i64, Vec<RegisterRow>)> {
    db::plan_for_actual_values(conn).await?;
    let counters_answer = f.q.is_empty() && f.platform.is_none() && !f.not_archived;
    let total = if counters_answer {
        db::register_count_from_counters(conn, scope, f).await?
    } else {
        db::register_count(conn, scope, f).await?
    };
    let rows = if f.sort.is_empty() || f.sort == "namn" {
        // The default order: the page's ids from `accounts` alone, then their rows.
        let ids = db::page_ids_by_name(conn, scope, f).await?;
        db::plan_normally(conn).await?;
        db::rows_by_ids(conn, &ids, year).await?
    } else {
        let rows = db::register_page(conn, scope, f).await?;
        db::plan_normally(conn).await?;
        rows
    };
    Ok((total, rows))
}

async fn scope_organisations(conn: &mut PgConnection, s: &Scope) -> AppResult<Vec<Choice>> {
    Ok(sqlx::query_as!(
        Choice,
        r#"select organisation_id as id, name as label from organisations o
           where $1 or organisation_id = any($2)
              or exists (select 1 from units u where u.organisation_id = o.organisation_id and u.unit_id = any($3))
              or exists (select 1 from accounts a where a.organisation_id = o.organisation_id
                         and (a.owner_user_id = $4 or a.deputy_user_id = $4))
           order by name"#,
        s.city,
        &s.orgs,
        &s.units,
        s.user_id
    )
    .fetch_all(conn)
    .await?)
}
