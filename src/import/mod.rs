//! Import of the account list an organisation already keeps (SPEC §5): an
//! XLSX or CSV file is read (`file`), its columns matched to the register's
//! fields (`columns`), each row read into the register's values (`values`)
//! and planned against the register (`plan`)
//! and shown before anything is written (`preview`); the commit writes the
//! valid rows in one transaction (`commit`). The same platform and address
//! is the same account, so importing a file again changes nothing.

mod columns;
mod commit;
pub mod db;
pub(crate) mod file;
mod plan;
mod preview;
pub mod template;
mod upload;
mod values;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sqlx::PgConnection;

pub(crate) use crate::auth::Importer;
use crate::auth::{Role, User};
use crate::state::AppState;

/// The most a request to the upload may carry: the file and the form around it.
pub(crate) const UPLOAD_LIMIT: usize = file::MAX_BYTES * 4;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/konton/import",
            get(upload::form).post(upload::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/konton/import/mall.xlsx", get(template::xlsx))
        .route("/konton/import/mall.csv", get(template::csv))
        .route("/konton/import/{id}", get(preview::show))
        .route("/konton/import/{id}/kolumner", post(preview::set_columns))
        .route("/konton/import/{id}/importera", post(commit::commit))
}

/// The organisations whose lists the user may import.
pub(crate) fn organisations(user: &User) -> Vec<i64> {
    let mut orgs = user.organisations_with(Role::Communicator);
    orgs.extend(user.organisations_with(Role::Strategist));
    orgs.sort_unstable();
    orgs.dedup();
    orgs
}

/// A batch the user may see: one of their organisations', else 404.
async fn batch_in_scope(
    conn: &mut PgConnection,
    user: &User,
    id: i64,
    lock: bool,
) -> crate::error::AppResult<db::Batch> {
    let b = db::batch(conn, id, lock).await?.ok_or(crate::error::AppError::NotFound)?;
    if !organisations(user).contains(&b.organisation_id) {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(b)
}

/// Every row's plan against the register as it is now (on `conn`, the
/// commit's transaction or a pooled connection for the preview).
async fn plan_of(
    conn: &mut PgConnection,
    b: &db::Batch,
    today: time::Date,
) -> sqlx::Result<Vec<plan::RowPlan>> {
    let mut cx = db::context(conn, b.organisation_id).await?;
    cx.today = Some(today);
    let keys = plan::keys(&b.rows, &b.mapping, &cx);
    db::existing(conn, &keys, &mut cx).await?;
    Ok(plan::plan(&b.rows, &b.headers, &b.mapping, &cx))
}
