//! The logged-in user, the seven roles, and the axum-login backend that loads
//! a user (with role assignments) for every request.

use axum_login::{AuthUser, AuthnBackend, UserId};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

pub(crate) type AuthSession = axum_login::AuthSession<Backend>;

/// The seven roles of SPEC §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "role_code", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    AccountOwner,
    Manager,
    Communicator,
    Strategist,
    Archivist,
    CityOffice,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::AccountOwner,
        Role::Manager,
        Role::Communicator,
        Role::Strategist,
        Role::Archivist,
        Role::CityOffice,
        Role::Admin,
    ];

    /// Who work with startup forms ("Blanketter").
    pub const FORM_USERS: &'static [Role] =
        &[Role::AccountOwner, Role::Manager, Role::Communicator, Role::Strategist];
    /// Who see their organisations' pages and the archiving overview (`OrgViewer`);
    /// the administrator has its own organisation pages under `/admin`.
    pub const ORG_VIEWERS: &'static [Role] =
        &[Role::Communicator, Role::Strategist, Role::Archivist, Role::CityOffice, Role::Admin];
    /// Who submit an organisation's SLK report and import its account list (`Importer`).
    pub const ORG_EDITORS: &'static [Role] = &[Role::Communicator, Role::Strategist];
    /// Who read the SLK reports ("Rapporter").
    pub const REPORT_READERS: &'static [Role] = &[Role::Communicator, Role::Strategist, Role::CityOffice];

    /// The Swedish label shown in the interface.
    pub fn label(&self) -> &'static str {
        match self {
            Role::AccountOwner => "Kontoansvarig",
            Role::Manager => "Chef",
            Role::Communicator => "Kommunikatör",
            Role::Strategist => "Kommunikationsstrateg",
            Role::Archivist => "Arkivarie",
            Role::CityOffice => "SLK",
            Role::Admin => "Administratör",
        }
    }

    /// The code used in forms and URLs.
    pub fn code(&self) -> &'static str {
        match self {
            Role::AccountOwner => "account_owner",
            Role::Manager => "manager",
            Role::Communicator => "communicator",
            Role::Strategist => "strategist",
            Role::Archivist => "archivist",
            Role::CityOffice => "city_office",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// What a role assignment is scoped to.
    pub fn scope(&self) -> Scope {
        match self {
            Role::Manager => Scope::Unit,
            Role::CityOffice | Role::Admin => Scope::City,
            _ => Scope::Organisation,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    City,
    Organisation,
    Unit,
}

/// One active role assignment of the user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Grant {
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub unit_id: Option<i64>,
}

/// The logged-in user as loaded for each request.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct User {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub grants: Vec<Grant>,
    /// What a session is bound to: the password hash and the session
    /// generation, so a new password or a deactivation ends the sessions.
    session_key: String,
}

impl std::fmt::Debug for User {
    // Never print the password hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("user_id", &self.user_id).field("email", &self.email).finish()
    }
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// Organisations where the user holds `role`.
    pub fn organisations_with(&self, role: Role) -> Vec<i64> {
        self.grants.iter().filter(|g| g.role == role).filter_map(|g| g.organisation_id).collect()
    }

    /// "Kommunikatör, Chef" — the distinct roles, in the canonical order.
    pub fn role_labels(&self) -> String {
        Role::ALL.iter().filter(|r| self.has(**r)).map(|r| r.label()).collect::<Vec<_>>().join(", ")
    }
}

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> i64 {
        self.user_id
    }

    /// The password hash and the session generation: changing the password
    /// ends every other session, deactivating the user ends all of them.
    fn session_auth_hash(&self) -> &[u8] {
        self.session_key.as_bytes()
    }
}

/// Loads users for axum-login. Passwords are checked in the login handler,
/// which also handles throttling and lockout; `authenticate` takes a user id
/// that handler has already verified.
#[derive(Clone)]
pub(crate) struct Backend {
    pub db: PgPool,
    /// This server's users, each under the users' version it was loaded at.
    pub users: std::sync::Arc<super::cache::UserCache>,
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = i64;
    type Error = sqlx::Error;

    async fn authenticate(&self, user_id: i64) -> Result<Option<User>, sqlx::Error> {
        load_user(&self.db, user_id).await
    }

    /// From the cache when it holds the user at the version this request's
    /// session was read with, else from the database (and then cached).
    async fn get_user(&self, user_id: &UserId<Self>) -> Result<Option<User>, sqlx::Error> {
        let version = super::cache::version();
        if let Some(user) = version.and_then(|v| self.users.get(*user_id, v)) {
            return Ok(Some(user));
        }
        let user = load_user(&self.db, *user_id).await?;
        if let (Some(v), Some(u)) = (version, &user) {
            self.users.put(v, u.clone());
        }
        Ok(user)
    }
}

/// An active user with their active role assignments; a deactivated user is
/// `None`, which ends their sessions.
pub(crate) async fn load_user(db: &PgPool, user_id: i64) -> sqlx::Result<Option<User>> {
    let row = sqlx::query!(
        r#"select u.user_id, u.email, u.name, u.password_hash, u.must_change_password, u.session_generation,
                  coalesce(array_agg(ra.role) filter (where ra.role is not null), '{}') as "roles!: Vec<Role>",
                  coalesce(array_agg(coalesce(ra.organisation_id, 0)) filter (where ra.role is not null), '{}') as "orgs!: Vec<i64>",
                  coalesce(array_agg(coalesce(ra.unit_id, 0)) filter (where ra.role is not null), '{}') as "units!: Vec<i64>"
           from users u
           left join role_assignments ra on ra.user_id = u.user_id and ra.active
           where u.user_id = $1 and u.active
           group by u.user_id"#,
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let grants = r
            .roles
            .iter()
            .zip(r.orgs.iter().zip(r.units.iter()))
            .map(|(role, (o, u))| Grant {
                role: *role,
                organisation_id: (*o != 0).then_some(*o),
                unit_id: (*u != 0).then_some(*u),
            })
            .collect();
        User {
            session_key: format!("{}#{}", r.password_hash, r.session_generation),
            user_id: r.user_id,
            email: r.email,
            name: r.name,
            password_hash: r.password_hash,
            must_change_password: r.must_change_password,
            grants,
        }
    }))
}
