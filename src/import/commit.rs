//! `POST /konton/import/{id}/importera`: the batch written in one
//! transaction, with the batch locked so that it commits once. The rows are
//! planned again against the register as it is then; rows with errors are
//! skipped only when the user ticked "Hoppa över rader med fel".

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::plan::{Counts, Person, Status};
use super::preview::{ShowQuery, page_of};
use super::{Importer, batch_in_scope, db, plan_of};
use crate::accounts::address;
use crate::accounts::change::Change;
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, violates};
use crate::state::AppState;
use crate::web::{ClientAddr, FlashKind, Page, flash, plural};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CommitInput {
    #[serde(default)]
    hoppa_over: String,
}

pub(crate) async fn commit(
    State(st): State<AppState>,
    page: Page,
    Importer(user): Importer,
    ClientAddr(addr): ClientAddr,
    session: tower_sessions::Session,
    Path(id): Path<i64>,
    Form(input): Form<CommitInput>,
) -> AppResult<Response> {
    let back = format!("/konton/import/{id}");
    let mut tx = st.db.begin().await?;
    let b = batch_in_scope(&mut tx, &user, id, true).await?;
    if b.committed_at.is_some() {
        // A double click, or a second tab: the first commit stands.
        flash(&session, FlashKind::Info, "Filen är redan importerad. Inget importerades en gång till.").await;
        return Ok(Redirect::to(&back).into_response());
    }
    if b.expired {
        return Err(AppError::conflict(
            "Förhandsgranskningen gällde ett dygn och har gått ut. Ladda upp filen igen från Importera konton.",
        ));
    }
    let skip = input.hoppa_over == "ja";
    let plan = plan_of(&mut tx, &b, st.today()).await?;
    let counts = Counts::of(&plan);
    let refusal = if counts.error > 0 && !skip {
        Some(format!(
            "{} fel. Rätta filen och ladda upp den igen, eller kryssa i \"Hoppa över rader med fel\".",
            plural(counts.error as i64, "rad har", "rader har")
        ))
    } else if counts.writes() == 0 {
        Some("Det finns inget att importera: inga rader är nya eller ändrade.".to_string())
    } else {
        None
    };
    if let Some(m) = refusal {
        drop(tx);
        return page_of(&st, page, b, &ShowQuery::default(), Some(m), skip).await;
    }

    let mut created = Vec::new();
    let mut updated = Vec::new();
    let mut skipped = Vec::new();
    let mut unmatched = Vec::new();
    for row in &plan {
        if row.status == Status::Error {
            let errors: Vec<Value> =
                row.errors.iter().map(|e| json!({ "column": e.column, "message": e.message })).collect();
            skipped.push(json!({ "n": row.n, "name": row.name, "errors": errors }));
            continue;
        }
        let Some(v) = &row.values else { continue };
        let account_id = match (&row.status, row.account_id) {
            (Status::New, _) => {
                let account_id = db::create_account(&mut tx, b.organisation_id, v).await?;
                let a = address::normalize(&v.url, Some(&v.platform));
                crate::accounts::db::set_address(&mut tx, account_id, &v.url, a.as_ref())
                    .await
                    .map_err(|e| taken(e, row.n))?;
                Change {
                    account_id,
                    action: "imported",
                    comment: &format!("Importerad från {}, rad {}", b.file_name, row.n),
                    before: Value::Null,
                    after: json!({ "batch_id": id, "row": row.n, "name": v.name, "url": v.url,
                                   "start_date": v.start_date.to_string(), "closed_date": v.closed_date.map(|d| d.to_string()) }),
                }
                .record(&mut tx, user.user_id, addr.as_deref())
                .await?;
                created.push(
                    json!({ "n": row.n, "account_id": account_id, "name": v.name, "platform": v.platform }),
                );
                account_id
            }
            (Status::Update(fields), Some(account_id)) => {
                db::update_account(&mut tx, account_id, v).await?;
                Change {
                    account_id,
                    action: "import_updated",
                    comment: &format!(
                        "Uppdaterad från {}, rad {}: {}",
                        b.file_name,
                        row.n,
                        fields.join(", ")
                    ),
                    before: json!({ "fields": fields }),
                    after: json!({ "batch_id": id, "row": row.n, "name": v.name }),
                }
                .record(&mut tx, user.user_id, addr.as_deref())
                .await?;
                updated
                    .push(json!({ "n": row.n, "account_id": account_id, "name": v.name, "fields": fields }));
                account_id
            }
            _ => continue,
        };
        for (role, p) in [("Kontoansvarig", &v.owner), ("Ersättare", &v.deputy)] {
            if let Person::Text(t) = p {
                unmatched.push(
                    json!({ "n": row.n, "account_id": account_id, "name": v.name, "role": role, "text": t }),
                );
            }
        }
    }
    let result =
        json!({ "created": created, "updated": updated, "skipped": skipped, "unmatched": unmatched });
    db::mark_committed(&mut tx, id, user.user_id, &result).await?;
    audit::record(
        &mut tx,
        Entry::new("import_committed", "import_batch", id)
            .by(user.user_id, addr.as_deref())
            .after(json!({ "file": b.file_name, "created": created.len(), "updated": updated.len(),
                                "skipped": skipped.len(), "organisation_id": b.organisation_id })),
    )
    .await?;
    tx.commit().await?;
    flash(
        &session,
        FlashKind::Success,
        format!(
            "Importen är klar: {} och {}.",
            plural(created.len() as i64, "konto skapat", "konton skapade"),
            plural(updated.len() as i64, "uppdaterat", "uppdaterade")
        ),
    )
    .await;
    Ok(Redirect::to(&back).into_response())
}

/// Someone registered the same address while the file was being committed.
fn taken(e: sqlx::Error, n: u32) -> AppError {
    if violates(&e, "accounts_url_key") {
        AppError::conflict(format!(
            "Kontot på rad {n} registrerades av någon annan under tiden. Öppna förhandsgranskningen igen och importera på nytt."
        ))
    } else {
        e.into()
    }
}
