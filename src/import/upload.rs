//! `/konton/import`: the upload form, and the upload that reads the file and
//! keeps its rows as a batch for the preview. Nothing in the register changes.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::columns::{self, Field};
use super::db::{self, NewBatch, Recent};
use super::file::{self, MAX_BYTES};
use super::{Importer, organisations};
use crate::audit::{self, Entry};

use crate::error::{AppError, AppResult};
use crate::org::db::Choice;
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, Page, render, render_status};

#[derive(Template)]
#[template(path = "import/upload.html")]
pub(crate) struct UploadPage {
    page: Page,
    organisations: Vec<Choice>,
    organisation: String,
    errors: FieldErrors,
    recent: Vec<Recent>,
    max_mb: usize,
    max_rows: String,
}

async fn upload_page(
    st: &AppState,
    page: Page,
    orgs: &[i64],
    organisation: String,
    errors: FieldErrors,
) -> AppResult<UploadPage> {
    let mut conn = st.db.acquire().await?;
    Ok(UploadPage {
        page,
        organisations: db::organisations(&mut conn, orgs).await?,
        organisation,
        errors,
        recent: db::recent(&mut conn, orgs).await?,
        max_mb: MAX_BYTES / 1024 / 1024,
        max_rows: crate::web::number(file::MAX_ROWS as i64),
    })
}

pub(crate) async fn form(
    State(st): State<AppState>,
    page: Page,
    Importer(user): Importer,
) -> AppResult<Response> {
    let orgs = organisations(&user);
    render(&upload_page(&st, page, &orgs, String::new(), FieldErrors::default()).await?)
}

/// The posted form: the organisation and the file, read to its end (a file
/// over the limit is drained, so the browser gets the answer, not a reset).
struct Upload {
    organisation: String,
    file_name: String,
    bytes: Vec<u8>,
    too_large: bool,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let broken = |_| {
        format!(
            "Filen kom inte fram hela. Den kan vara större än {} MB, eller så bröts överföringen. Försök igen.",
            MAX_BYTES / 1024 / 1024
        )
    };
    let mut u =
        Upload { organisation: String::new(), file_name: String::new(), bytes: Vec::new(), too_large: false };
    let mut had_file = false;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        match field.name() {
            Some("organisation") => u.organisation = field.text().await.map_err(broken)?.trim().to_string(),
            Some("fil") if !had_file => {
                had_file = true;
                u.file_name = field.file_name().unwrap_or("").to_string();
                while let Some(chunk) = field.chunk().await.map_err(broken)? {
                    if u.bytes.len() + chunk.len() > MAX_BYTES {
                        u.too_large = true;
                    } else {
                        u.bytes.extend_from_slice(&chunk);
                    }
                }
            }
            _ => while field.chunk().await.map_err(broken)?.is_some() {},
        }
    }
    Ok(u)
}

/// The file's name as shown: its last path part, at most 200 characters.
fn file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.is_empty() { "fil".into() } else { clean }
}

pub(crate) async fn upload(
    State(st): State<AppState>,
    page: Page,
    Importer(user): Importer,
    ClientAddr(addr): ClientAddr,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let orgs = organisations(&user);
    let fail = |organisation: String, message: String| {
        let st = st.clone();
        let page = page.clone();
        let orgs = orgs.clone();
        async move {
            let mut errors = FieldErrors::default();
            errors.add("fil", message);
            let p = upload_page(&st, page, &orgs, organisation, errors).await?;
            Ok::<_, AppError>(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
    };
    // Not a form with a file at all (a form post, a script): the form again.
    let Ok(multipart) = multipart else {
        return fail(String::new(), "Välj filen med kontolistan.".into()).await;
    };
    let u = match read_upload(multipart).await {
        Ok(u) => u,
        Err(m) => return fail(String::new(), m).await,
    };
    // The organisation is checked against the user's scope before anything else.
    let organisation_id = match u.organisation.parse::<i64>() {
        Ok(id) if orgs.contains(&id) => id,
        Ok(_) => return Err(AppError::NotFound),
        Err(_) if orgs.len() == 1 => orgs[0],
        Err(_) => {
            let mut errors = FieldErrors::default();
            errors.add("organisation", "Välj vilken organisations konton listan gäller.");
            let p = upload_page(&st, page, &orgs, u.organisation, errors).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    let org_text = organisation_id.to_string();
    if u.file_name.is_empty() && u.bytes.is_empty() {
        return fail(org_text, "Välj filen med kontolistan.".into()).await;
    }
    if u.too_large {
        return fail(org_text, file::FileError::TooLarge.message()).await;
    }
    let bytes = u.bytes;
    let parsed = tokio::task::spawn_blocking(move || {
        let hash = format!("{:x}", Sha256::digest(&bytes));
        file::read(&bytes).map(|rows| (rows, hash))
    })
    .await
    .map_err(|e| AppError::Other(e.into()))?;
    let (mut rows, hash) = match parsed {
        Ok(p) => p,
        Err(e) => return fail(org_text, e.message()).await,
    };
    let Some(h) = columns::header_row(&rows) else {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.label()).collect();
        return fail(
            org_text,
            format!(
                "Ingen rubrik i filen känns igen. Första raden ska ha rubriker som {}. Ladda ned mallen för att se hur.",
                crate::web::list_text(&names)
            ),
        )
        .await;
    };
    let data = rows.split_off(h + 1);
    let header = rows.pop().expect("the header row");
    if data.is_empty() {
        return fail(org_text, "Filen har rubriker men inga konton under dem.".into()).await;
    }
    let mapping = columns::mapping(&header.cells);
    let name = file_name(&u.file_name);
    let mut tx = st.db.begin().await?;
    let batch_id = db::create_batch(
        &mut tx,
        &NewBatch {
            organisation_id,
            created_by: user.user_id,
            file_name: &name,
            file_hash: &hash,
            header_row: header.n as i32,
            headers: &header.cells,
            mapping: &mapping,
            rows: &data,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Entry::new("import_uploaded", "import_batch", batch_id).by(user.user_id, addr.as_deref()).after(
            json!({ "file": name, "sha256": hash, "rows": data.len(), "organisation_id": organisation_id }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/konton/import/{batch_id}")).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_shown_without_their_path() {
        assert_eq!(super::file_name("C:\\Users\\kim\\Konton 2025.xlsx"), "Konton 2025.xlsx");
        assert_eq!(super::file_name("/tmp/lista.csv"), "lista.csv");
        assert_eq!(super::file_name(""), "fil");
        assert_eq!(super::file_name("a\u{7}b.csv"), "ab.csv");
    }
}
