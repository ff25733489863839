//! Security headers, embedded static files, and Swedish bodies for the bare
//! error responses produced by middleware (CSRF refusal, time-out, body limit).

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::user::AuthSession;
use crate::state::AppState;
use crate::web::{ErrorPage, ErrorShown, NavUser, render_status};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Adds the security headers of SPEC §8 to every response.
pub(crate) async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        // Pages show personal data: keep them out of shared and back-button caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Draws the error pages of handlers again with the logged-in user's menu and
/// a way back to the page they came from (a same-origin `Referer`), so that a
/// refused action (409, 403, 404) leaves nobody on a dead end. It runs inside
/// the login layer, which has already loaded the user.
pub(crate) async fn error_pages_with_menu(req: Request, next: Next) -> Response {
    let user = req.extensions().get::<AuthSession>().and_then(|a| a.user.clone());
    let path = req.uri().path().to_string();
    let back = same_origin_referer(&req).filter(|b| *b != path || req.method() != axum::http::Method::GET);
    let res = next.run(req).await;
    let Some(shown) = res.extensions().get::<ErrorShown>().cloned() else { return res };
    if user.is_none() && back.is_none() {
        return res;
    }
    let mut page = ErrorPage::new(shown.status, shown.message);
    page.page.user = user.as_ref().map(|u| NavUser::of(u, &path));
    page.page.path = path;
    page.back = back;
    let mut out = render_status(shown.status, &page);
    for (k, v) in res.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().entry(k).or_insert_with(|| v.clone());
        }
    }
    out
}

/// The path and query of the `Referer`, when it is a page of this site.
fn same_origin_referer(req: &Request) -> Option<String> {
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let referer: axum::http::Uri = req.headers().get(header::REFERER)?.to_str().ok()?.parse().ok()?;
    if referer.authority()?.as_str() != host {
        return None;
    }
    let pq = referer.path_and_query()?.as_str();
    pq.starts_with('/').then(|| pq.to_string())
}

/// Gives bare error responses from middleware (empty or plain-text bodies:
/// CSRF 403, 405, 413, time-out 503, session-store 500) the Swedish error page.
/// A 500 while the database is away is shown as 503.
pub(crate) async fn fill_error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let mut status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    // Any 500 while the database does not answer is the outage, whoever
    // noticed it first (a handler, the session store, the login layer): the
    // 503 page tells the user that nothing saved is lost and to try again.
    // A bare 500 (no page of ours) comes from the session or login layer,
    // whose only failure here is its store, the database.
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // The public JSON answers carry their own Swedish error.
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let outage = status == StatusCode::INTERNAL_SERVER_ERROR
        && (!is_html || !crate::health::database_answers(&state.db).await);
    if outage {
        status = StatusCode::SERVICE_UNAVAILABLE;
    }
    if (is_html && !outage) || status == StatusCode::NOT_MODIFIED {
        return res;
    }
    let message = match status.as_u16() {
        403 => Some(
            "Begäran stoppades eftersom den inte kom från Kontoregistrets egna sidor. \
             Gå tillbaka, ladda om sidan och försök igen."
                .to_string(),
        ),
        _ => None,
    };
    let mut out = render_status(status, &ErrorPage::new(status, message));
    // Keep headers such as Allow (405) from the original response.
    for (k, v) in res.headers() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().entry(k).or_insert_with(|| v.clone());
        }
    }
    out
}

const APP_CSS: &str = include_str!("../../static/css/app.css");
const PRINT_CSS: &str = include_str!("../../static/css/print.css");
const LOGO_SVG: &str = include_str!("../../static/img/logo.svg");

/// Static files, embedded in the binary so the server runs from anywhere.
pub(crate) async fn static_files(Path(path): Path<String>) -> Response {
    let (body, ctype) = match path.as_str() {
        "css/app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "css/print.css" => (PRINT_CSS, "text/css; charset=utf-8"),
        "img/logo.svg" => (LOGO_SVG, "image/svg+xml"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Refuse NUL characters in the query string or a form body with a Swedish
/// 422 page: no one can type them, and PostgreSQL refuses them in text.
pub(crate) async fn reject_nul_bytes(req: Request, next: Next) -> Response {
    let has_nul =
        |b: &[u8]| b.contains(&0) || b.windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
    if req.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        return nul_refused();
    }
    if req.method() == axum::http::Method::GET || req.method() == axum::http::Method::HEAD {
        return next.run(req).await;
    }
    // A file upload is binary and read by its handler (`import::upload`), within
    // the upload limit; a form handler refuses a multipart body (415).
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if multipart {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return render_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                &ErrorPage::new(StatusCode::PAYLOAD_TOO_LARGE, None),
            );
        }
    };
    if has_nul(&bytes) {
        return nul_refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn nul_refused() -> Response {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_status(
        status,
        &ErrorPage::new(status, Some("Det du skickade innehöll ett tecken som inte är tillåtet (NUL). Gå tillbaka och försök igen.".into())),
    )
}
