//! Application state shared by all handlers.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
}

impl FromRef<AppState> for PgPool {
    fn from_ref(s: &AppState) -> PgPool {
        s.db.clone()
    }
}

impl AppState {
    /// Today's date in Stockholm (or the configured `--today`).
    pub fn today(&self) -> time::Date {
        self.config.today.unwrap_or_else(crate::web::time::stockholm_now_date)
    }

    /// The current moment: with `--today`, that day at the current Stockholm
    /// time of day, so every check (dates and times alike) uses one clock.
    pub fn now(&self) -> time::OffsetDateTime {
        let now = time::OffsetDateTime::now_utc();
        match self.config.today {
            None => now,
            Some(day) => crate::web::time::local_to_utc(time::PrimitiveDateTime::new(
                day,
                crate::web::time::to_stockholm(now).time(),
            )),
        }
    }
}
