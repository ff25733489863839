//! The start page "Att göra": a task list built from the user's roles, and the
//! accessibility statement that the Swedish law on digital public services requires.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::auth::{Role, Viewer};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{Page, Task, render};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/", get(start)).route("/tillganglighet", get(accessibility))
}

#[derive(Template)]
#[template(path = "home/start.html")]
pub(crate) struct StartPage {
    page: Page,
    name: String,
    roles: String,
    tasks: Vec<Task>,
    shortcuts: Vec<(&'static str, &'static str)>,
}

pub(crate) async fn start(Viewer { st: state, page, user }: Viewer) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    // Each feature says what the user has to do; the start page only joins them.
    let mut tasks = crate::forms::tasks(&mut conn, &user).await?;
    tasks.extend(crate::accounts::tasks::tasks(&mut conn, &user, state.today(), state.now()).await?);
    tasks.extend(crate::reports::tasks(&mut conn, &user, state.today()).await?);
    tasks.extend(crate::review::tasks(&mut conn, &user, state.today()).await?);
    tasks.extend(crate::org::tasks(&mut conn, &user).await?);
    tasks.extend(crate::people::tasks(&mut conn, &user).await?);
    let mut shortcuts = Vec::new();
    if user.has(Role::Admin) {
        shortcuts.push(("/admin/organisationer", "Organisationer och enheter"));
        shortcuts.push(("/admin/anvandare", "Användare och roller"));
        shortcuts.push(("/admin/logg", "Granskningslogg"));
    }
    if user.has(Role::AccountOwner) {
        shortcuts.push(("/blanketter/ny", "Ny uppstartsblankett"));
    }
    if user.has_any(Role::FORM_USERS) {
        shortcuts.push(("/blanketter", "Uppstartsblanketter"));
    }
    shortcuts.push(("/konton", "Kontoregistret"));
    if user.has(Role::Manager) {
        shortcuts.push(("/min-verksamhet", "Min verksamhet"));
    }
    if Role::ORG_VIEWERS.iter().any(|r| *r != Role::Admin && user.has(*r)) {
        shortcuts.push(("/arkivering", "Arkivering per enhet"));
        shortcuts.push(("/organisationer", "Organisationer, enheter och personer"));
    }
    if user.has(Role::Admin) {
        shortcuts.push(("/admin/dokument", "Styrdokument"));
    }
    render(&StartPage { page, name: user.name.clone(), roles: user.role_labels(), tasks, shortcuts })
}

#[derive(Template)]
#[template(path = "home/accessibility.html")]
pub(crate) struct AccessibilityPage {
    page: Page,
}

pub(crate) async fn accessibility(page: Page) -> AppResult<Response> {
    render(&AccessibilityPage { page })
}
