//! Authentication: login with e-mail and password (argon2id), sessions stored in
//! PostgreSQL, a new session id at login, per-address throttling and per-account
//! lockout, and the role extractors every other feature uses.

mod cache;
pub mod db;
pub(crate) mod extract;
mod handlers;
pub mod password;
mod store;
pub(crate) mod user;

use axum::Router;
use axum::routing::{get, post};
use axum_login::AuthManagerLayerBuilder;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::state::AppState;
pub(crate) use cache::with_version;
pub(crate) use extract::{
    AccountOwner, Acting, Actor, Admin, AdminView, CurrentUser, Importer, Manager, OrgViewer, Viewer, require,
};
pub(crate) use user::{AuthSession, Backend, Role, Scope, User};

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "kontoregister_session";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/logga-in", get(handlers::login_form).post(handlers::login))
        .route("/logga-ut", post(handlers::logout))
        .route("/konto/losenord", get(handlers::password_form).post(handlers::change_password))
}

const SEEN_KEY: &str = "seen";

/// Whether a session last marked active at `seen` should be written back now:
/// often enough that the idle time-out slides with activity, seldom enough
/// that an ordinary request does not write to the database.
pub(crate) fn needs_touch(now: i64, seen: Option<i64>, timeout_minutes: i64) -> bool {
    let interval = (timeout_minutes * 60 / 10).clamp(0, 60);
    seen.is_none_or(|s| now - s >= interval)
}

/// Keeps the idle time-out sliding: an existing session is marked active (and
/// so saved with a new expiry) at most once a minute.
pub(crate) async fn touch_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    auth: AuthSession,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // Only a logged-in session: the user axum-login loaded for this request.
    let session = &auth.session;
    if auth.user.is_some() && session.id().is_some() {
        let now = tower_sessions::cookie::time::OffsetDateTime::now_utc().unix_timestamp();
        let seen = session.get::<i64>(SEEN_KEY).await.ok().flatten();
        if needs_touch(now, seen, state.config.session_timeout_minutes) {
            let _ = session.insert(SEEN_KEY, now).await;
        }
    }
    next.run(req).await
}

/// The session and login layers: sessions in PostgreSQL, HttpOnly cookie,
/// SameSite=Lax, Secure with `--secure-cookies`, ended after the idle timeout.
/// Users are cached per server, exactly (see `cache`); `with_version` must
/// wrap this layer.
pub(crate) fn layer(state: &AppState) -> axum_login::AuthManagerLayer<Backend, store::Sessions> {
    let store = store::Sessions::new(state.db.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(state.config.session_timeout_minutes)));
    let backend = Backend { db: state.db.clone(), users: Default::default() };
    AuthManagerLayerBuilder::new(backend, sessions).build()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sessions_are_touched_at_most_once_a_minute() {
        use super::needs_touch;
        assert!(needs_touch(1000, None, 480));
        assert!(!needs_touch(1059, Some(1000), 480));
        assert!(needs_touch(1060, Some(1000), 480));
        // Short time-outs are touched more often (a tenth of the time-out).
        assert!(needs_touch(1006, Some(1000), 1));
        assert!(!needs_touch(1005, Some(1000), 1));
    }
}
