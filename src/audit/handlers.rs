//! The administrator's view of the audit log, newest first, with filters.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::auth::extract::AdminView;
use crate::error::AppResult;
use crate::web::{Dt, Page, Paging, parse_date, render};

const PAGE_SIZE: i64 = 100;

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct Filters {
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

pub(crate) struct Row {
    pub at: Dt,
    pub actor: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub client_addr: Option<String>,
}

impl Row {
    pub fn action_label(&self) -> &str {
        super::action_label(&self.action)
    }
    pub fn before_text(&self) -> String {
        self.before.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
    pub fn after_text(&self) -> String {
        self.after.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
pub(crate) struct LogPage {
    page: Page,
    f: Filters,
    rows: Vec<Row>,
    paging: Paging,
    date_error: bool,
}

pub(crate) async fn list(
    AdminView { page, mut conn }: AdminView,
    Query(f): Query<Filters>,
) -> AppResult<Response> {
    let from = parse_date(&f.from);
    let to = parse_date(&f.to);
    let date_error =
        (!f.from.trim().is_empty() && from.is_none()) || (!f.to.trim().is_empty() && to.is_none());
    let page_no = f.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let rows = sqlx::query_as!(
        Row,
        r#"select a.at as "at: Dt", u.email as "actor?", a.action, a.entity_type, a.entity_id,
                  a.before, a.after, a.client_addr
           from audit_log a left join users u on u.user_id = a.actor_user_id
           where ($1 = '' or a.action = $1)
             and ($2 = '' or a.entity_type = $2)
             and ($3 = '' or u.email ilike '%' || $3 || '%')
             and ($4::date is null or a.at >= ($4::date::timestamp at time zone 'Europe/Stockholm'))
             and ($5::date is null or a.at < (($5::date + 1)::timestamp at time zone 'Europe/Stockholm'))
           order by a.audit_id desc limit $6 offset $7"#,
        f.action.trim(),
        f.entity.trim(),
        crate::web::like_escape(f.actor.trim()),
        from,
        to,
        PAGE_SIZE + 1,
        (page_no - 1) * PAGE_SIZE
    )
    .fetch_all(&mut *conn)
    .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let rows = rows.into_iter().take(PAGE_SIZE as usize).collect();
    let paging = Paging::new("/admin/logg", &f, "page", page_no, None, has_next);
    render(&LogPage { page, f, rows, paging, date_error })
}
