//! The organisation's tasks on "Att göra": units without a manager, whose
//! startup forms nobody can sign.

use crate::auth::{Role, User};
use crate::error::AppResult;
use crate::web::Task;

/// Units whose startup forms nobody can sign: for the administrator (every
/// organisation) and the communicator (their own), at most 20 by name.
pub(crate) async fn tasks(conn: &mut sqlx::PgConnection, user: &User) -> AppResult<Vec<Task>> {
    const SHOWN: usize = 20;
    let admin = user.has(Role::Admin);
    let orgs = user.organisations_with(Role::Communicator);
    if !admin && orgs.is_empty() {
        return Ok(Vec::new());
    }
    let units = super::db::units_without_manager(conn, admin, &orgs).await?;
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
