//! The user's own tasks on "Att göra": governing documents to confirm and the
//! city's training to record.

use super::db;
use crate::auth::{Role, User};
use crate::error::AppResult;
use crate::web::Task;

pub(crate) async fn tasks(conn: &mut sqlx::PgConnection, user: &User) -> AppResult<Vec<Task>> {
    let mut tasks = Vec::new();
    for d in db::missing_acknowledgements(conn, user.user_id).await? {
        tasks.push(Task {
            href: "/mina-uppgifter".into(),
            text: format!("Bekräfta att du har läst {}, version {}", d.title, d.version),
            detail: "Styrdokument".into(),
        });
    }
    if user.has(Role::AccountOwner) && db::training(conn, user.user_id).await?.is_empty() {
        tasks.push(Task {
            href: "/mina-uppgifter".into(),
            text: "Registrera stadens utbildning i sociala medier".into(),
            detail: "Utbildning saknas".into(),
        });
    }
    Ok(tasks)
}
