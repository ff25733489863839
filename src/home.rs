//! The start page "Att göra": a task list built from the user's roles, and the
//! accessibility statement that the Swedish law on digital public services requires.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::auth::{CurrentUser, Role, User};
use crate::error::AppResult;
use crate::forms::db as forms_db;
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

/// The form tasks of the start page, from the user's roles.
async fn form_tasks(conn: &mut sqlx::PgConnection, user: &User) -> AppResult<Vec<Task>> {
    let mut tasks = Vec::new();
    let name = |t: &forms_db::TaskRow| {
        let case = t.case_number.clone().unwrap_or_else(|| "utkast".into());
        if t.account_name.is_empty() { case } else { format!("{case} ({})", t.account_name) }
    };
    for t in forms_db::owner_tasks(conn, user.user_id).await? {
        let (text, detail) = if t.case_number.is_some() {
            (format!("Komplettera blanketten {}", name(&t)), "Skickad tillbaka till dig")
        } else {
            let what = if t.account_name.is_empty() {
                "Fyll i och skicka utkastet till startblankett".to_string()
            } else {
                format!("Fyll i och skicka blanketten för {}", t.account_name)
            };
            (what, "Utkast")
        };
        tasks.push(Task { href: format!("/blanketter/{}", t.form_id), text, detail: detail.into() });
    }
    if user.has(Role::Manager) {
        for t in forms_db::manager_tasks(conn, user.user_id).await? {
            tasks.push(Task {
                href: format!("/blanketter/{}", t.form_id),
                text: format!("Skriv under blanketten {}", name(&t)),
                detail: "Väntar på din underskrift".into(),
            });
        }
    }
    if user.has_any(&[Role::Communicator, Role::Strategist]) {
        for t in forms_db::review_tasks(conn, user.user_id).await? {
            let (text, detail) = match (&t.meeting_at, user.has(Role::Strategist)) {
                (Some(at), _) => (format!("Möte om blanketten {}", name(&t)), format!("Möte bokat {at}")),
                (None, true) => {
                    (format!("Granska och besluta om blanketten {}", name(&t)), "Granskas".into())
                }
                (None, false) => (format!("Granska blanketten {}", name(&t)), "Granskas".into()),
            };
            tasks.push(Task { href: format!("/blanketter/{}", t.form_id), text, detail });
        }
    }
    Ok(tasks)
}

/// Units whose startup forms nobody can sign: for the administrator (every
/// organisation) and the communicator (their own), at most 20 by name.
async fn units_without_manager(conn: &mut sqlx::PgConnection, user: &User) -> AppResult<Vec<Task>> {
    const SHOWN: usize = 20;
    let admin = user.has(Role::Admin);
    let orgs = user.organisations_with(Role::Communicator);
    if !admin && orgs.is_empty() {
        return Ok(Vec::new());
    }
    let units = crate::org::db::units_without_manager(conn, admin, &orgs).await?;
    let mut tasks: Vec<Task> = units
        .iter()
        .take(SHOWN)
        .map(|u| Task {
            href: if admin {
                format!("/admin/enheter/{}", u.unit_id)
            } else {
                format!("/organisationer/{}", u.organisation_id)
            },
            text: format!("Enheten {} ({}) saknar chef", u.name, u.organisation),
            detail: "Ingen kan skriva under enhetens blanketter".into(),
        })
        .collect();
    if units.len() > SHOWN {
        tasks.push(Task {
            href: if admin { "/admin/organisationer".into() } else { "/organisationer".into() },
            text: format!(
                "{} till saknar chef",
                crate::web::plural((units.len() - SHOWN) as i64, "enhet", "enheter")
            ),
            detail: "Ingen kan skriva under enhetens blanketter".into(),
        });
    }
    Ok(tasks)
}

pub async fn start(
    axum::extract::State(state): axum::extract::State<AppState>,
    page: Page,
    CurrentUser(user): CurrentUser,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let mut tasks = form_tasks(&mut conn, &user).await?;
    tasks.extend(crate::accounts::tasks::tasks(&mut conn, &user, state.today(), state.now()).await?);
    tasks.extend(crate::reports::tasks(&mut conn, &user, state.today()).await?);
    tasks.extend(crate::review::tasks(&mut conn, &user, state.today()).await?);
    tasks.extend(units_without_manager(&mut conn, &user).await?);
    for d in crate::people::db::missing_acknowledgements(&mut conn, user.user_id).await? {
        tasks.push(Task {
            href: "/mina-uppgifter".into(),
            text: format!("Bekräfta att du har läst {}, version {}", d.title, d.version),
            detail: "Styrdokument".into(),
        });
    }
    if user.has(Role::AccountOwner) && crate::people::db::training(&mut conn, user.user_id).await?.is_empty()
    {
        tasks.push(Task {
            href: "/mina-uppgifter".into(),
            text: "Registrera stadens utbildning i sociala medier".into(),
            detail: "Utbildning saknas".into(),
        });
    }
    let mut shortcuts = Vec::new();
    if user.has(Role::Admin) {
        shortcuts.push(("/admin/organisationer", "Organisationer och enheter"));
        shortcuts.push(("/admin/anvandare", "Användare och roller"));
        shortcuts.push(("/admin/logg", "Granskningslogg"));
    }
    if user.has(Role::AccountOwner) {
        shortcuts.push(("/blanketter/ny", "Ny uppstartsblankett"));
    }
    if user.has_any(&[Role::AccountOwner, Role::Manager, Role::Communicator, Role::Strategist]) {
        shortcuts.push(("/blanketter", "Uppstartsblanketter"));
    }
    shortcuts.push(("/konton", "Kontoregistret"));
    if user.has(Role::Manager) {
        shortcuts.push(("/min-verksamhet", "Min verksamhet"));
    }
    if user.has_any(&[Role::Communicator, Role::Strategist, Role::Archivist, Role::CityOffice]) {
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
pub struct AccessibilityPage {
    page: Page,
}

pub async fn accessibility(page: Page) -> AppResult<Response> {
    render(&AccessibilityPage { page })
}
