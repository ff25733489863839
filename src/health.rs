//! `GET /healthz`: 200 `ok` when the database answers, 503 otherwise.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use sqlx::PgPool;

pub(crate) async fn healthz(State(db): State<PgPool>) -> (StatusCode, &'static str) {
    if database_answers(&db).await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// One `select 1`, bounded to two seconds.
pub(crate) async fn database_answers(db: &PgPool) -> bool {
    let q = sqlx::query_scalar!("select 1 as \"one!\"").fetch_one(db);
    matches!(tokio::time::timeout(Duration::from_secs(2), q).await, Ok(Ok(1)))
}
