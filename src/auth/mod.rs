//! Authentication: login with e-mail and password (argon2id), sessions stored in
//! PostgreSQL, a new session id at login, per-address throttling and per-account
//! lockout, and the role extractors every other feature uses.

pub mod db;
mod extract;
mod handlers;
pub mod password;
mod user;

use axum::Router;
use axum::routing::{get, post};
use axum_login::AuthManagerLayerBuilder;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::state::AppState;
pub use extract::{
    AccountOwner, Admin, Archivist, CityOffice, Communicator, CurrentUser, Manager, OrgViewer, Strategist,
    require,
};
pub use handlers::auth_error;
pub use user::{Backend, Grant, Role, Scope, User, load_user};

pub type AuthSession = axum_login::AuthSession<Backend>;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "kontoregister_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logga-in", get(handlers::login_form).post(handlers::login))
        .route("/logga-ut", post(handlers::logout))
        .route("/konto/losenord", get(handlers::password_form).post(handlers::change_password))
}

/// The session and login layers: sessions in PostgreSQL, HttpOnly cookie,
/// SameSite=Lax, Secure with `--secure-cookies`, ended after the idle timeout.
pub fn layer(state: &AppState) -> axum_login::AuthManagerLayer<Backend, PostgresStore> {
    let store = PostgresStore::new(state.db.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(state.config.session_timeout_minutes)));
    AuthManagerLayerBuilder::new(Backend { db: state.db.clone() }, sessions).build()
}
