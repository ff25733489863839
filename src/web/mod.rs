//! The web layer shared by every feature: the page layout context, flash
//! messages, rendering, the Swedish error pages, security headers, static files.

mod client;
pub(crate) mod confirm;
mod headers;
mod paging;
pub mod time;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::auth::user::{AuthSession, Role, User};

pub(crate) use client::{ResolvedAddr, client_addr};
pub(crate) use confirm::Confirm;
pub(crate) use headers::{
    error_pages_with_menu, fill_error_pages, reject_nul_bytes, security_headers, static_files,
};
pub(crate) use paging::Paging;
pub use time::{Dt, local_to_utc, stockholm_now_date, to_stockholm};
pub(crate) use time::{YEARS, parse_date, parse_datetime};

/// One task on the start page, linking to where it is done.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub href: String,
    pub text: String,
    pub detail: String,
}

/// What the base layout needs on every page: who is logged in, their
/// navigation, and the flash messages left by the previous request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    pub user: Option<NavUser>,
    pub flashes: Vec<Flash>,
    pub path: String,
}

#[derive(Debug, Clone)]
pub(crate) struct NavUser {
    pub name: String,
    pub roles: String,
    pub links: Vec<NavLink>,
}

#[derive(Debug, Clone)]
pub(crate) struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Page {
    /// A page for someone not logged in (error pages, the login page).
    pub fn anonymous() -> Self {
        Self::default()
    }
}

impl NavUser {
    /// The name, roles and menu of `u` on the page at `path`.
    pub fn of(u: &User, path: &str) -> Self {
        let links = nav_links(u)
            .into_iter()
            .map(|(href, label)| NavLink {
                href,
                label,
                current: if href == "/" { path == "/" } else { path.starts_with(href) },
            })
            .collect();
        NavUser { name: u.name.clone(), roles: u.role_labels(), links }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_string();
        let flashes = match Session::from_request_parts(parts, state).await {
            Ok(session) => take_flashes(&session).await,
            Err(_) => Vec::new(),
        };
        let user = match AuthSession::from_request_parts(parts, state).await {
            Ok(auth) => auth.user.as_ref().map(|u| NavUser::of(u, &path)),
            Err(_) => None,
        };
        Ok(Page { user, flashes, path })
    }
}

/// The navigation a user sees, by role.
pub(crate) fn nav_links(user: &User) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![("/", "Att göra")];
    if user.has_any(Role::FORM_USERS) {
        links.push(("/blanketter", "Blanketter"));
    }
    links.push(("/konton", "Konton"));
    if user.has(Role::Manager) {
        links.push(("/min-verksamhet", "Min verksamhet"));
    }
    if user.has_any(Role::ORG_VIEWERS) {
        links.push(("/arkivering", "Arkivering"));
    }
    if Role::ORG_VIEWERS.iter().any(|r| *r != Role::Admin && user.has(*r)) {
        links.push(("/organisationer", "Organisationer"));
    }
    if user.has_any(Role::REPORT_READERS) {
        links.push(("/rapporter", "Rapporter"));
    }
    links.push(("/mina-uppgifter", "Mina uppgifter"));
    if user.has(Role::Admin) {
        links.push(("/admin", "Administration"));
    }
    links.push(("/konto/losenord", "Byt lösenord"));
    links
}

/// A one-time message shown on the next page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FlashKind {
    Success,
    Info,
    Error,
}

impl FlashKind {
    pub fn css(&self) -> &'static str {
        match self {
            FlashKind::Success => "success",
            FlashKind::Info => "info",
            FlashKind::Error => "error",
        }
    }
}

const FLASH_KEY: &str = "flash";

/// Leave a message for the next page the user sees.
pub(crate) async fn flash(session: &Session, kind: FlashKind, text: impl Into<String>) {
    let mut list: Vec<Flash> = session.get(FLASH_KEY).await.ok().flatten().unwrap_or_default();
    list.push(Flash { kind, text: text.into() });
    if let Err(e) = session.insert(FLASH_KEY, list).await {
        tracing::warn!("could not store flash message: {e}");
    }
}

/// Take the flash messages. Only a session that has some is modified, so an
/// ordinary page view does not write the session back.
async fn take_flashes(session: &Session) -> Vec<Flash> {
    match session.get::<Vec<Flash>>(FLASH_KEY).await {
        Ok(Some(list)) => {
            let _ = session.remove::<Vec<Flash>>(FLASH_KEY).await;
            list
        }
        _ => Vec::new(),
    }
}

/// Render a template as a 200 HTML page. The error is the caller's own
/// (`AppError` in the handlers), so this module does not depend on it.
pub(crate) fn render<T: Template, E: From<askama::Error>>(t: &T) -> Result<Response, E> {
    Ok(Html(t.render()?).into_response())
}

/// Render a template with a status (422 for a form with errors, error pages).
pub(crate) fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("rendering failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Ett oväntat fel inträffade.",
            )
                .into_response()
        }
    }
}

/// The Swedish error page.
#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub page: Page,
    pub status: u16,
    pub heading: &'static str,
    pub message: String,
    /// The page the user came from, for "Tillbaka".
    pub back: Option<String>,
}

/// Left on an error response by `AppError`, so that `error_pages_with_menu`
/// can draw the same page again with the user's menu.
#[derive(Debug, Clone)]
pub(crate) struct ErrorShown {
    pub status: StatusCode,
    pub message: Option<String>,
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: Option<String>) -> Self {
        let (heading, default) = match status.as_u16() {
            400 => ("Felaktig begäran", "Begäran kunde inte tolkas."),
            401 | 403 => ("Åtkomst nekad", "Du har inte behörighet att göra det här."),
            404 => ("Sidan finns inte", "Sidan du söker finns inte, eller så har du inte tillgång till den."),
            405 => ("Åtgärden stöds inte", "Sidan kan inte användas på det sättet."),
            409 => (
                "Det gick inte att genomföra",
                "Någon annan har redan ändrat uppgifterna. Ladda om sidan och försök igen.",
            ),
            413 => (
                "För mycket data",
                "Det du skickade var för stort. En fil som importeras får vara högst 5 MB.",
            ),
            415 => (
                "Begäran kunde inte tolkas",
                "Formuläret skickades i ett format som Kontoregistret inte tar emot. Gå tillbaka och försök igen från sidan.",
            ),
            422 => (
                "Uppgifterna kunde inte tas emot",
                "Formuläret innehöll uppgifter som inte kunde tolkas. Gå tillbaka och försök igen.",
            ),
            429 => ("För många försök", "Du har gjort för många försök. Vänta en stund och försök igen."),
            503 => (
                "Tjänsten är tillfälligt otillgänglig",
                "Kontoregistret kan inte nå sin databas just nu. Försök igen om en liten stund; det du redan sparat finns kvar.",
            ),
            _ => (
                "Ett oväntat fel inträffade",
                "Något gick fel hos oss. Felet är loggat. Försök igen om en stund.",
            ),
        };
        Self {
            page: Page::anonymous(),
            status: status.as_u16(),
            heading,
            message: message.unwrap_or_else(|| default.to_string()),
            back: None,
        }
    }
}

/// The answer to a request whose handler panicked: logged, and the generic 500 page.
pub(crate) fn panic_page(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!("a request handler panicked: {what}");
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    render_status(status, &ErrorPage::new(status, None))
}

/// The client's address, when the server knows it (not under `oneshot` tests).
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Decided by `client_addr` (a trusted proxy's X-Forwarded-For), else the peer.
        if let Some(ResolvedAddr(ip)) = parts.extensions.get::<ResolvedAddr>() {
            return Ok(ClientAddr(Some(ip.to_string())));
        }
        Ok(ClientAddr(
            parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|ci| ci.0.ip().to_string()),
        ))
    }
}

/// The address as a link target, when it is a plain `http(s)://` address;
/// anything else (`@namn`, `javascript:`) is shown as text only.
pub(crate) fn web_link(url: &str) -> Option<&str> {
    let u = url.trim();
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"))?;
    let plain =
        !rest.is_empty() && !u.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'<>`".contains(c));
    plain.then_some(u)
}

/// A count with its noun in the right number: `plural(1, "dag", "dagar")` is
/// "1 dag", `plural(30, "dag", "dagar")` is "30 dagar".
pub(crate) fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", number(n), if n == 1 { one } else { many })
}

/// A search term for `LIKE '%' || $1 || '%'`: its `%`, `_` and `\` match
/// themselves, not any text (PostgreSQL's default escape character is `\`).
pub(crate) fn like_escape(term: &str) -> String {
    term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A Swedish enumeration: "A", "A och B", "A, B och C".
pub(crate) fn list_text<T: std::fmt::Display>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => {
            format!("{} och {last}", rest.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "))
        }
    }
}

/// "1 dag", "30 dagar".
pub(crate) fn days(n: i32) -> String {
    plural(n.into(), "dag", "dagar")
}

/// A number as Swedish text: "12 500", grouped by a no-break space.
pub(crate) fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    if n < 0 { format!("−{out}") } else { out }
}

/// Percent-encode a string (RFC 3986, keeping `/`), where a form's `+` for a
/// space would be wrong: a `mailto:` link, a file name in a header, the
/// `next` of the login page.
pub fn url_encode(s: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');
    percent_encoding::utf8_percent_encode(s, KEEP).to_string()
}

/// A redirect target from user input, accepted only if it is a local path
/// (`/x`, not `//host`, `/\host` or a full URL).
pub(crate) fn local_path(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.starts_with("/\\")
        && !n.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| n.to_string())
}

/// Trim a typed value; empty means missing.
pub(crate) fn clean(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_terms_match_their_wildcards_literally() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(like_escape("Förskola"), "Förskola");
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(web_link("https://www.instagram.com/larkan"), Some("https://www.instagram.com/larkan"));
        assert_eq!(web_link(" http://example.se/a "), Some("http://example.se/a"));
        for bad in [
            "@larkan",
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "ftp://x",
            "https://x\"onmouseover=1",
        ] {
            assert_eq!(web_link(bad), None, "{bad}");
        }
    }

    #[test]
    fn plurals() {
        assert_eq!(days(1), "1 dag");
        assert_eq!(days(30), "30 dagar");
        assert_eq!(plural(0, "konto", "konton"), "0 konton");
        assert_eq!(plural(1, "konto", "konton"), "1 konto");
    }

    #[test]
    fn numbers_grouped_the_swedish_way() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(12_500), "12\u{a0}500");
        assert_eq!(number(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(number(-4_000), "−4\u{a0}000");
    }

    #[test]
    fn only_local_redirects() {
        assert_eq!(local_path(Some("/admin")), Some("/admin".into()));
        assert_eq!(local_path(Some("/konton?q=a")), Some("/konton?q=a".into()));
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil", "", "/a\r\nb"] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
        assert_eq!(local_path(None), None);
    }

    #[test]
    fn a_panic_gets_the_swedish_500_page() {
        let r = panic_page(Box::new("boom"));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
    }

    #[test]
    fn url_encoding() {
        assert_eq!(url_encode("/a b?c=d&e"), "/a%20b%3Fc%3Dd%26e");
        assert_eq!(url_encode("å"), "%C3%A5");
    }
}

/// Validation messages keyed by field id, in the order of the form.
#[derive(Debug, Default, Clone)]
pub(crate) struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
