//! The startup form's tasks on "Att göra": drafts and returned forms for their
//! owner, signatures for the unit's manager, reviews and decisions.

use super::db;
use crate::auth::{Role, User};
use crate::error::AppResult;
use crate::web::Task;

/// The form tasks of `user`, from their roles.
pub(crate) async fn tasks(conn: &mut sqlx::PgConnection, user: &User) -> AppResult<Vec<Task>> {
    let mut tasks = Vec::new();
    let name = |t: &db::TaskRow| {
        let case = t.case_number.clone().unwrap_or_else(|| "utkast".into());
        if t.account_name.is_empty() { case } else { format!("{case} ({})", t.account_name) }
    };
    for t in db::owner_tasks(conn, user.user_id).await? {
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
        for t in db::manager_tasks(conn, user.user_id).await? {
            tasks.push(Task {
                href: format!("/blanketter/{}", t.form_id),
                text: format!("Skriv under blanketten {}", name(&t)),
                detail: "Väntar på din underskrift".into(),
            });
        }
    }
    if user.has_any(&[Role::Communicator, Role::Strategist]) {
        for t in db::review_tasks(conn, user.user_id).await? {
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
