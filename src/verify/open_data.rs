//! Open data: the register's public accounts as JSON and CSV, with `ETag`,
//! `Last-Modified` and `Cache-Control`, answering `304` to `If-None-Match`;
//! and `/oppna-data`, which documents the fields and the licence.

use std::hash::{Hash, Hasher};

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{db, limit};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, Page, render};

/// Closed accounts stay in the files for two years after closing.
const CLOSED_YEARS: i32 = 2;

#[derive(Template)]
#[template(path = "verify/open_data.html")]
pub(crate) struct AboutPage {
    page: Page,
    licence: String,
    closed_years: i32,
}

pub(crate) async fn about(State(st): State<AppState>, page: Page) -> AppResult<Response> {
    render(&AboutPage { page, licence: st.config.open_data_licence.clone(), closed_years: CLOSED_YEARS })
}

async fn rows(st: &AppState, addr: Option<&str>) -> AppResult<Vec<db::OpenRow>> {
    if !limit::allow(addr, st.config.public_requests_per_minute) {
        return Err(AppError::TooManyRequests(
            "För många hämtningar från din adress. Vänta en minut och försök igen.".into(),
        ));
    }
    let today = st.today();
    let since = today.replace_year(today.year() - CLOSED_YEARS).unwrap_or(today);
    Ok(db::open_rows(&mut *st.db.acquire().await?, since).await?)
}

/// The file with its validators, or `304` when the client has this version.
fn respond(headers: &HeaderMap, rows: &[db::OpenRow], body: Vec<u8>, content_type: &'static str) -> Response {
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    let etag = format!("\"{:016x}-{}\"", h.finish(), body.len());
    let modified = rows.iter().map(|r| r.updated_at.0).max().map(http_date);
    let mut res = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(m) = modified.and_then(|m| HeaderValue::from_str(&m).ok()) {
        h.insert(header::LAST_MODIFIED, m);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    res
}

/// An HTTP date: "Thu, 03 Dec 2026 12:00:00 GMT".
fn http_date(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap_or_default()
}

pub(crate) async fn json(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> AppResult<Response> {
    let rows = rows(&st, addr.as_deref()).await?;
    #[derive(serde::Serialize)]
    struct File<'a> {
        accounts: &'a [db::OpenRow],
    }
    let body = serde_json::to_vec(&File { accounts: &rows }).map_err(anyhow::Error::from)?;
    Ok(respond(&headers, &rows, body, "application/json"))
}

pub(crate) async fn csv(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> AppResult<Response> {
    let rows = rows(&st, addr.as_deref()).await?;
    let write = || -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["organisation", "enhet", "plattform", "konto", "adress", "startdatum", "avslutat"])?;
        for r in &rows {
            w.write_record([
                r.organisation.as_str(),
                &r.unit,
                &r.platform,
                &r.account_name,
                &r.url,
                r.start_date.as_deref().unwrap_or(""),
                r.closed_date.as_deref().unwrap_or(""),
            ])?;
        }
        Ok(w.into_inner()?)
    };
    let body = write().map_err(|e| anyhow::anyhow!("open data CSV: {e}"))?;
    Ok(respond(&headers, &rows, body, "text/csv; charset=utf-8"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_dates_are_gmt() {
        assert_eq!(
            super::http_date(time::macros::datetime!(2026-12-03 13:05:09 +1)),
            "Thu, 03 Dec 2026 12:05:09 GMT"
        );
    }
}
