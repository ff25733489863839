//! Whether the account is listed in the open-data files: the communicator's
//! choice, shown by default. Public verification answers either way.

use axum::Form;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::action::OnAccount;
use super::change::Change;
use super::db;
use crate::error::{AppError, AppResult};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OpenDataInput {
    /// "ja" to list the account in open data, "nej" to leave it out.
    #[serde(default)]
    visas: String,
}

pub(crate) async fn set_open_data(on: OnAccount, Form(input): Form<OpenDataInput>) -> AppResult<Response> {
    let (mut tx, a) = on
        .begin(
            |can| can.communicator,
            AppError::forbidden("Kommunikatören bestämmer om kontot visas i öppna data."),
        )
        .await?;
    let shown = match input.visas.as_str() {
        "ja" => true,
        "nej" => false,
        _ => return Err(AppError::Invalid("Välj om kontot ska visas i öppna data.".into())),
    };
    db::set_open_data(&mut tx, on.id, shown).await?;
    let message = if shown {
        "Kontot visas i stadens öppna data."
    } else {
        "Kontot visas inte längre i stadens öppna data. Verifieringen svarar fortfarande att kontot är stadens."
    };
    on.done(
        tx,
        Change {
            account_id: on.id,
            action: "open_data_changed",
            comment: if shown { "Visas i öppna data" } else { "Visas inte i öppna data" },
            before: json!({ "open_data": a.open_data }),
            after: json!({ "open_data": shown }),
        },
        message,
    )
    .await
}
