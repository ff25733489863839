//! Whether the account is listed in the open-data files: the communicator's
//! choice, shown by default. Public verification answers either way.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::{done, load_locked};
use super::db;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct OpenDataInput {
    /// "ja" to list the account in open data, "nej" to leave it out.
    #[serde(default)]
    visas: String,
}

pub async fn set_open_data(
    State(st): State<AppState>,
    Actor { user, session, addr }: Actor,
    Path(id): Path<i64>,
    Form(input): Form<OpenDataInput>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let (a, can) = load_locked(&mut tx, &user, id).await?;
    if !can.communicator {
        return Err(AppError::forbidden("Kommunikatören bestämmer om kontot visas i öppna data."));
    }
    let shown = match input.visas.as_str() {
        "ja" => true,
        "nej" => false,
        _ => return Err(AppError::Invalid("Välj om kontot ska visas i öppna data.".into())),
    };
    db::set_open_data(&mut tx, id, shown).await?;
    let message = if shown {
        "Kontot visas i stadens öppna data."
    } else {
        "Kontot visas inte längre i stadens öppna data. Verifieringen svarar fortfarande att kontot är stadens."
    };
    done(
        tx,
        &session,
        &user,
        &addr,
        id,
        "open_data_changed",
        if shown { "Visas i öppna data" } else { "Visas inte i öppna data" },
        json!({ "open_data": a.open_data }),
        json!({ "open_data": shown }),
        message,
    )
    .await
}
