//! The server's cache of logged-in users, exact across servers.
//!
//! Every request reads its session, and with it (in the same statement) the
//! users' version: one row that every change of a user or a role assignment
//! bumps in its own transaction (migration 0015). A user is cached under the
//! version its request read, and served from the cache only to a request that
//! read the same version. A deactivation, a new password or a removed role
//! therefore holds on the very next request on every server: that request
//! reads the new version and loads the user again. Nothing travels between
//! servers, so nothing can be lost on the way.
//!
//! A user loaded after the version was read is at least as new as that
//! version, so caching it under the version read is safe; a change in between
//! only makes the entry go unused.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::RwLock;

use super::user::User;

/// Users kept at most; a full cache drops the entries of older versions, or
/// all of them.
const MAX_USERS: usize = 10_000;

tokio::task_local! {
    /// The users' version read with this request's session, if it had one.
    static VERSION: Cell<Option<i64>>;
}

/// Runs a request with room for the version its session is read with.
pub(crate) async fn with_version(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    VERSION.scope(Cell::new(None), next.run(req)).await
}

/// The session store read `version` with this request's session.
pub(crate) fn saw_version(version: i64) {
    let _ = VERSION.try_with(|v| v.set(Some(version)));
}

/// The version read with this request's session; `None` outside a request or
/// when no session was read.
pub(crate) fn version() -> Option<i64> {
    VERSION.try_with(Cell::get).ok().flatten()
}

#[derive(Default)]
pub(crate) struct UserCache {
    users: RwLock<HashMap<i64, (i64, User)>>,
}

impl UserCache {
    /// The user as cached under `version`, if it was.
    pub fn get(&self, user_id: i64, version: i64) -> Option<User> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.get(&user_id).filter(|(v, _)| *v == version).map(|(_, u)| u.clone())
    }

    /// Keep `user`, loaded after `version` was read.
    pub fn put(&self, version: i64, user: User) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        if users.get(&user.user_id).is_some_and(|(v, _)| *v > version) {
            return; // a request that read a newer version has been here
        }
        if users.len() >= MAX_USERS {
            users.retain(|_, (v, _)| *v >= version);
            if users.len() >= MAX_USERS {
                users.clear();
            }
        }
        users.insert(user.user_id, (version, user));
    }
}
