//! "Starta årlig genomgång {år}": opens the review of a year for the organisation.

use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::progress::ReviewChange;
use super::{db, may_start};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::web::{FlashKind, flash};

pub(crate) async fn start(
    ReviewChange { st, user, session, addr, year, acc, q }: ReviewChange,
) -> AppResult<Response> {
    if !may_start(year, st.today()) {
        return Err(AppError::conflict(format!(
            "En årlig genomgång kan startas för i år eller förra året, inte för {year}."
        )));
    }
    let mut tx = st.db.begin().await?;
    // A refused start returns at once, so the whole transaction rolls back: no savepoint needed.
    let review_id = match db::start(&mut tx, acc.organisation_id, year, user.user_id).await {
        Ok(id) => id,
        Err(sqlx::Error::Database(d)) if d.constraint() == Some("yearly_reviews_year_key") => {
            return Err(AppError::conflict(format!("Den årliga genomgången för {year} är redan startad.")));
        }
        Err(sqlx::Error::Database(d)) if d.constraint() == Some("yearly_reviews_one_open") => {
            return Err(AppError::conflict(
                "En annan årlig genomgång pågår. Avsluta den innan du startar en ny.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        Entry::new("review_started", "yearly_review", review_id)
            .by(user.user_id, addr.as_deref())
            .after(json!({ "organisation_id": acc.organisation_id, "year": year })),
    )
    .await?;
    tx.commit().await?;
    flash(
        &session,
        FlashKind::Success,
        format!(
            "Den årliga genomgången {year} är startad. Kontoansvariga och ersättare ser nu uppgiften att bekräfta sina konton på Att göra."
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/rapporter/genomgang/{year}{}", q.param())).into_response())
}
