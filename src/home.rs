//! The start page "Att göra": a task list built from the user's roles, and the
//! accessibility statement that the Swedish law on digital public services requires.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(start)).route("/tillganglighet", get(accessibility))
}

/// One task on the start page, linking to where it is done.
#[derive(Debug, Clone)]
pub struct Task {
    pub href: String,
    pub text: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "home/start.html")]
pub struct StartPage {
    page: Page,
    name: String,
    roles: String,
    tasks: Vec<Task>,
    shortcuts: Vec<(&'static str, &'static str)>,
}

pub async fn start(page: Page, CurrentUser(user): CurrentUser) -> AppResult<Response> {
    let tasks = Vec::new();
    let mut shortcuts = Vec::new();
    if user.has(Role::Admin) {
        shortcuts.push(("/admin/organisationer", "Organisationer och enheter"));
        shortcuts.push(("/admin/anvandare", "Användare och roller"));
        shortcuts.push(("/admin/logg", "Granskningslogg"));
    }
    if user.has_any(&[Role::Communicator, Role::Strategist, Role::Archivist, Role::CityOffice]) {
        shortcuts.push(("/organisationer", "Organisationer, enheter och personer"));
    }
    render(&StartPage { page, name: user.name.clone(), roles: user.role_labels(), tasks, shortcuts })
}

#[derive(Template)]
#[template(path = "home/accessibility.html")]
pub struct AccessibilityPage {
    page: Page,
}

pub async fn accessibility(page: Page) -> AppResult<Response> {
    render(&AccessibilityPage { page })
}
