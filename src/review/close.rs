//! "Avsluta genomgången": closes the year's review; the owners' tasks end.

use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::db;
use super::progress::ReviewChange;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::web::{FlashKind, flash};

pub(crate) async fn close(
    ReviewChange { st, user, session, addr, year, acc, q }: ReviewChange,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let review = db::review(&mut tx, acc.organisation_id, year).await?.ok_or(AppError::NotFound)?;
    if !db::close(&mut tx, review.review_id, user.user_id).await? {
        return Err(AppError::conflict(format!("Den årliga genomgången {year} är redan avslutad.")));
    }
    let rows = db::progress(&mut tx, &review).await?;
    let confirmed = rows.iter().filter(|p| p.confirmed_at.is_some()).count();
    audit::record(
        &mut tx,
        Entry::new("review_closed", "yearly_review", review.review_id)
            .by(user.user_id, addr.as_deref())
            .after(json!({ "year": year, "accounts": rows.len(), "confirmed": confirmed })),
    )
    .await?;
    tx.commit().await?;
    flash(&session, FlashKind::Success, format!("Den årliga genomgången {year} är avslutad.")).await;
    Ok(Redirect::to(&format!("/rapporter/genomgang/{year}{}", q.param())).into_response())
}
