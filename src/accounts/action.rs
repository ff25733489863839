//! What every action on an account shares: the action itself (`OnAccount`:
//! who acts, on which account, its transaction and its end), who may do what
//! (`Can`), and the account loaded and locked in scope.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{PgConnection, Postgres, Transaction};
use tower_sessions::Session;

use super::change::Change;
use super::db::{self, Account, Scope};
use super::rules::AccountState;
use crate::auth::{Actor, Role, User};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, FlashKind, Page, clean, flash};

/// One action on one account, as every action handler of the feature takes
/// it: who acts (their session and address), the account's id from the path,
/// and the page to show a refusal on.
pub(super) struct OnAccount {
    pub st: AppState,
    pub page: Page,
    pub user: User,
    pub session: Session,
    pub addr: Option<String>,
    pub id: i64,
}

/// The account's id in the path (`/konton/{id}/…`, also under an incident).
#[derive(Deserialize)]
struct AccountPath {
    id: i64,
}

impl FromRequestParts<AppState> for OnAccount {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Ok(page) = Page::from_request_parts(parts, st).await;
        let Actor { user, session, addr } =
            Actor::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        let Path(AccountPath { id }) =
            Path::<AccountPath>::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        Ok(OnAccount { st: st.clone(), page, user, session, addr, id })
    }
}

impl OnAccount {
    /// The action's transaction, with the account locked in the user's scope;
    /// `refusal` unless the user `may`.
    pub(super) async fn begin(
        &self,
        may: impl Fn(&Can) -> bool,
        refusal: AppError,
    ) -> AppResult<(Transaction<'static, Postgres>, Account)> {
        let (tx, a, can) = self.lock().await?;
        if !may(&can) {
            return Err(refusal);
        }
        Ok((tx, a))
    }

    /// The action's transaction, with the account locked in the user's scope,
    /// for an action that checks the user's capacities itself.
    pub(super) async fn lock(&self) -> AppResult<(Transaction<'static, Postgres>, Account, Can)> {
        let mut tx = self.st.db.begin().await?;
        let (a, can) = load_locked(&mut tx, &self.user, self.id).await?;
        Ok((tx, a, can))
    }

    /// Everything after a successful change: its history and audit rows,
    /// commit, the flash `message`, back to the account's page.
    pub(super) async fn done(
        &self,
        mut tx: Transaction<'static, Postgres>,
        change: Change<'_>,
        message: &str,
    ) -> AppResult<Response> {
        change.record(&mut tx, self.user.user_id, self.addr.as_deref()).await?;
        tx.commit().await?;
        flash(&self.session, FlashKind::Success, message).await;
        Ok(Redirect::to(&format!("/konton/{}", self.id)).into_response())
    }
}

/// In what capacities the user acts on this account.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Can {
    pub owner: bool,
    pub manager: bool,
    pub communicator: bool,
    pub strategist: bool,
    pub archivist: bool,
    pub decider: bool,
}

impl Can {
    pub fn of(user: &User, a: &Account) -> Self {
        let me = Some(user.user_id);
        let in_org =
            |r: Role| user.grants.iter().any(|g| g.role == r && g.organisation_id == Some(a.organisation_id));
        Can {
            owner: a.owner_user_id == me || a.deputy_user_id == me,
            manager: user.grants.iter().any(|g| g.role == Role::Manager && g.unit_id == Some(a.unit_id)),
            communicator: in_org(Role::Communicator),
            strategist: in_org(Role::Strategist),
            archivist: in_org(Role::Archivist),
            decider: in_org(a.delegated_role),
        }
    }
    pub fn start(&self) -> bool {
        self.owner || self.communicator
    }
    pub fn archive(&self) -> bool {
        self.owner || self.communicator || self.archivist
    }
    pub fn request_closure(&self) -> bool {
        self.owner || self.communicator || self.strategist
    }
    pub fn incident(&self) -> bool {
        self.owner || self.communicator || self.strategist
    }
    pub fn change_people(&self) -> bool {
        self.manager || self.communicator
    }
}

pub(super) fn deny(what: &str) -> AppError {
    AppError::forbidden(format!("Du har inte behörighet att {what} för det här kontot."))
}

/// The account in the user's scope, locked for the rest of the transaction:
/// every action checks and writes under this lock, so a concurrent closure
/// cannot slip between the check and the write.
pub(super) async fn load_locked(conn: &mut PgConnection, user: &User, id: i64) -> AppResult<(Account, Can)> {
    db::lock(conn, id).await?;
    load(conn, user, id).await
}

pub(super) async fn load(conn: &mut PgConnection, user: &User, id: i64) -> AppResult<(Account, Can)> {
    let a = db::account_in_scope(conn, &Scope::of(user), id).await?.ok_or(AppError::NotFound)?;
    let can = Can::of(user, &a);
    Ok((a, can))
}

/// A closed account stays in the register as it was when it closed.
pub(super) fn refuse_closed(a: &Account) -> AppResult<()> {
    if a.state == AccountState::Closed {
        return Err(AppError::conflict(
            "Kontot är avslutat. Ett avslutat kontos uppgifter ändras inte, så att registret visar det som det var.",
        ));
    }
    Ok(())
}

pub(super) fn stale() -> AppError {
    AppError::conflict(
        "Kontot har ändrats sedan du öppnade sidan. Öppna kontot igen för att se hur det ser ut nu.",
    )
}

pub(super) fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    msg: &str,
    max: usize,
) -> Option<String> {
    let v = clean(value);
    if v.is_none() {
        errors.add(field, msg);
    } else if value.chars().count() > max {
        errors.add(field, format!("Texten får ha högst {max} tecken."));
        return None;
    }
    v
}

/// Why the account cannot be closed on `today`, if it cannot: the account
/// page shows it instead of the button, and a post is refused with it.
pub(super) async fn close_blocker(
    conn: &mut sqlx::PgConnection,
    a: &Account,
    today: time::Date,
) -> AppResult<Option<String>> {
    if a.state != AccountState::Closing {
        return Ok(Some("Kontot håller inte på att avslutas.".into()));
    }
    if a.announced_at.is_none() {
        return Ok(Some("Registrera först att avslutet är annonserat i kanalen.".into()));
    }
    if let Some(end) = a.announcement_end.filter(|e| today < *e) {
        return Ok(Some(format!(
            "Kontot kan avslutas från {end}, när annonseringsperioden i kanalen är slut."
        )));
    }
    let since = a.announcement_start.unwrap_or(today);
    let final_archive = db::has_final_archive(conn, a.account_id, since).await?;
    Ok(super::rules::may_close(today, a.announcement_end, final_archive).err().map(str::to_string))
}
