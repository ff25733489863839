//! What part of the register a user may see: scope is part of every query
//! of the feature, for the whole city (SLK, administrators), organisations
//! (communicator, strategist, archivist), units (managers), and the accounts
//! one owns or is deputy for.

use crate::auth::{Role, User};

/// What part of the register a user may see.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub user_id: i64,
    pub city: bool,
    pub orgs: Vec<i64>,
    pub units: Vec<i64>,
}

impl Scope {
    pub fn of(user: &User) -> Self {
        let mut s = Scope { user_id: user.user_id, ..Default::default() };
        for g in &user.grants {
            match g.role {
                Role::CityOffice | Role::Admin => s.city = true,
                Role::Communicator | Role::Strategist | Role::Archivist => s.orgs.extend(g.organisation_id),
                Role::Manager => s.units.extend(g.unit_id),
                Role::AccountOwner => {}
            }
        }
        s
    }
}
