//! Who may call a handler is in its signature: `CurrentUser` for any logged-in
//! user, and one extractor per role (`Admin`, `Strategist`, …) that answers 403
//! with a Swedish explanation when the role is missing. Object-level scope is
//! checked in each feature's SQL, which answers 404 outside it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::user::{AuthSession, Role, User};
use crate::error::{AppError, AppResult};

/// Paths a user who must change their password may still use.
const PASSWORD_PATHS: [&str; 2] = ["/konto/losenord", "/logga-ut"];

/// Any logged-in user. Not logged in: redirect to the login page.
/// A user with a one-time password is sent to change it first.
#[derive(Debug, Clone)]
pub(crate) struct CurrentUser(pub User);

impl std::ops::Deref for CurrentUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Self> {
        let auth = AuthSession::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Other(anyhow::anyhow!("auth layer missing")))?;
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
        let Some(user) = auth.user else {
            let next = if parts.method == axum::http::Method::GET { next } else { String::new() };
            return Err(AppError::Unauthorized { next });
        };
        if user.must_change_password && !PASSWORD_PATHS.contains(&parts.uri.path()) {
            return Err(AppError::MustChangePassword);
        }
        Ok(CurrentUser(user))
    }
}

/// Who does a state change: the logged-in user (as `CurrentUser`), their
/// session (for the flash message after it) and the client's address (for the
/// audit log). Every action handler takes this instead of the three.
pub(crate) struct Actor {
    pub user: User,
    pub session: tower_sessions::Session,
    pub addr: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Self> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let session = tower_sessions::Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Other(anyhow::anyhow!("session layer missing")))?;
        let crate::web::ClientAddr(addr) =
            crate::web::ClientAddr::from_request_parts(parts, state).await.unwrap_or_default();
        Ok(Actor { user, session, addr })
    }
}

/// Who views a page: the logged-in user (as `CurrentUser`), the layout's page,
/// and the app state. The page handlers that need no role of their own take
/// this instead of the three.
pub(crate) struct Viewer {
    pub st: crate::state::AppState,
    pub page: crate::web::Page,
    pub user: User,
}

impl FromRequestParts<crate::state::AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &crate::state::AppState) -> AppResult<Self> {
        let Ok(page) = crate::web::Page::from_request_parts(parts, st).await;
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, st).await?;
        Ok(Viewer { st: st.clone(), page, user })
    }
}

/// An action posted from a page: the app state, the page to show a refusal
/// on, and who acts (as `Actor`). The action handlers that need no role of
/// their own take this instead of the three.
pub(crate) struct Acting {
    pub st: crate::state::AppState,
    pub page: crate::web::Page,
    pub user: User,
    pub session: tower_sessions::Session,
    pub addr: Option<String>,
}

impl FromRequestParts<crate::state::AppState> for Acting {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &crate::state::AppState) -> AppResult<Self> {
        let Ok(page) = crate::web::Page::from_request_parts(parts, st).await;
        let Actor { user, session, addr } = Actor::from_request_parts(parts, st).await?;
        Ok(Acting { st: st.clone(), page, user, session, addr })
    }
}

/// An administration page as its handlers take it: the page, and a
/// connection to read what it shows. Only an administrator gets it.
pub(crate) struct AdminView {
    pub page: crate::web::Page,
    pub conn: sqlx::pool::PoolConnection<sqlx::Postgres>,
}

impl FromRequestParts<crate::state::AppState> for AdminView {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &crate::state::AppState) -> AppResult<Self> {
        Admin::from_request_parts(parts, st).await?;
        let Ok(page) = crate::web::Page::from_request_parts(parts, st).await;
        Ok(AdminView { page, conn: st.db.acquire().await? })
    }
}

/// Require one of `roles`, else 403.
pub(crate) fn require(user: &User, roles: &[Role]) -> AppResult<()> {
    if user.has_any(roles) {
        Ok(())
    } else {
        let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        Err(AppError::forbidden(format!(
            "Det här kräver rollen {}. Kontakta din administratör om du behöver behörigheten.",
            names.join(" eller ")
        )))
    }
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $roles:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub(crate) struct $name(pub User);

        impl std::ops::Deref for $name {
            type Target = User;
            fn deref(&self) -> &User {
                &self.0
            }
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Self> {
                let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
                require(&user, $roles)?;
                Ok($name(user))
            }
        }
    };
}

role_extractor!(
    /// Administratör: organisations, units, users, roles.
    Admin, &[Role::Admin]
);
role_extractor!(
    /// Kontoansvarig.
    AccountOwner, &[Role::AccountOwner]
);
role_extractor!(
    /// Chef of one or more units.
    Manager, &[Role::Manager]
);
role_extractor!(
    /// Who may import an organisation's account list: communicator or strategist.
    Importer, Role::ORG_EDITORS
);
role_extractor!(
    /// Anyone who may look at an organisation's register: communicator,
    /// strategist, archivist, SLK or administrator.
    OrgViewer, Role::ORG_VIEWERS
);
