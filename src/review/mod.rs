//! The yearly review (årlig genomgång, SPEC §4): the communicator or strategist
//! opens it for a year, every owner and deputy of an active account confirms the
//! account's data (or says it is no longer used, which asks for its closure),
//! and the communicator follows the progress per unit and closes the review.
//! What is confirmed goes into the account's history, the audit log and the
//! SLK report ("senast bekräftad").
//!
//! Who: the review's pages follow the SLK report's access (`reports::access`);
//! confirming is for the account's owner, deputy and the communicator.

mod close;
mod confirm;
pub(crate) mod db;
mod progress;
mod start;

use axum::Router;
use axum::routing::{get, post};

use crate::auth::{Role, User};
use crate::reports::rows::accounts_noun;
use crate::state::AppState;
use crate::web::Task;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/rapporter/genomgang/{year}", get(progress::show))
        .route("/rapporter/genomgang/{year}/starta", post(start::start))
        .route("/rapporter/genomgang/{year}/avsluta", post(close::close))
        .route("/konton/{id}/bekrafta", get(confirm::show).post(confirm::confirm))
}

/// The years a review may be started for on `today`: this year and the one before.
pub(crate) fn may_start(year: i32, today: time::Date) -> bool {
    year == today.year() || year == today.year() - 1
}

/// The review's tasks on "Att göra": owners and deputies confirm each account;
/// communicators follow an open review, and in December and January start one.
pub(crate) async fn tasks(
    conn: &mut sqlx::PgConnection,
    user: &User,
    today: time::Date,
) -> sqlx::Result<Vec<Task>> {
    let mut tasks: Vec<Task> = db::pending_for(conn, user.user_id)
        .await?
        .into_iter()
        .map(|p| Task {
            href: format!("/konton/{}/bekrafta", p.account_id),
            text: format!("Bekräfta kontouppgifter för {}", p.name),
            detail: format!("{}: årlig genomgång {}", p.organisation, p.year),
        })
        .collect();
    let orgs = user.organisations_with(Role::Communicator);
    let several = orgs.len() > 1;
    for org in orgs {
        let q = if several { format!("?organisation={org}") } else { String::new() };
        match db::open_review(conn, org).await? {
            Some(r) => {
                let (total, done) = db::progress_counts(conn, &r).await?;
                tasks.push(Task {
                    href: format!("/rapporter/genomgang/{}{q}", r.year),
                    text: format!("Följ upp den årliga genomgången {}", r.year),
                    detail: format!(
                        "{done} av {} {}",
                        accounts_noun(total as usize),
                        if total == 1 { "bekräftat" } else { "bekräftade" }
                    ),
                });
            }
            None => {
                let year = crate::reports::report_year(today);
                let season = matches!(today.month(), time::Month::December | time::Month::January);
                if season && db::review(conn, org, year).await?.is_none() {
                    tasks.push(Task {
                        href: format!("/rapporter/genomgang/{year}{q}"),
                        text: format!("Starta årlig genomgång {year}"),
                        detail: "Kontoägarna bekräftar sina konton före SLK-rapporten".into(),
                    });
                }
            }
        }
    }
    Ok(tasks)
}
