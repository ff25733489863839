//! "Lämna in till SLK": a confirmation step with the counts and warnings and an
//! optional comment, then the report's rows frozen as the next version.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::db;
use super::report::OrgQuery;
use super::rows::{Summary, accounts_noun};
use super::{parse_year, submit_access};
use crate::audit::{self, Entry};
use crate::auth::Acting;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, FlashKind, Page, flash, render, render_status};

const COMMENT_CHARS: usize = 2000;

#[derive(Template)]
#[template(path = "reports/submit.html")]
pub(crate) struct SubmitPage {
    page: Page,
    year: i32,
    organisation: String,
    summary: Summary,
    next_version: i32,
    comment: String,
    errors: FieldErrors,
    org_param: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    pub comment: String,
}

async fn page_for(
    st: &AppState,
    page: Page,
    user: &crate::auth::User,
    year: i32,
    q: &OrgQuery,
    comment: String,
    errors: FieldErrors,
) -> AppResult<SubmitPage> {
    let acc = submit_access(user, q.id()?)?;
    let mut conn = st.db.acquire().await?;
    let organisation =
        db::organisation_name(&mut conn, acc.organisation_id).await?.ok_or(AppError::NotFound)?;
    let rows = db::live_rows(&mut conn, acc.organisation_id, year).await?;
    let versions = db::versions(&mut conn, acc.organisation_id, year).await?;
    Ok(SubmitPage {
        page,
        year,
        organisation,
        summary: Summary::of(&rows, acc.organisation_id, year, year == st.today().year()),
        next_version: versions.first().map_or(1, |v| v.version + 1),
        comment,
        errors,
        org_param: q.param(),
    })
}

pub(crate) async fn confirm(
    Viewer { st, page, user }: Viewer,
    Path(year): Path<String>,
    Query(q): Query<OrgQuery>,
) -> AppResult<Response> {
    let year = parse_year(&year)?;
    render(&page_for(&st, page, &user, year, &q, String::new(), FieldErrors::default()).await?)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn submit(
    Acting { st, page, user, session, addr }: Acting,
    Path(year): Path<String>,
    Query(q): Query<OrgQuery>,
    Form(f): Form<SubmitForm>,
) -> AppResult<Response> {
    let year = parse_year(&year)?;
    let acc = submit_access(&user, q.id()?)?;
    let comment = f.comment.trim().to_string();
    if comment.chars().count() > COMMENT_CHARS {
        let mut errors = FieldErrors::default();
        errors.add("comment", format!("Kommentaren får ha högst {COMMENT_CHARS} tecken."));
        let p = page_for(&st, page, &user, year, &q, f.comment, errors).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    if year > st.today().year() {
        return Err(AppError::conflict(format!(
            "Rapporten för {year} kan lämnas in först när året har börjat."
        )));
    }
    let mut tx = st.db.begin().await?;
    let rows = db::live_rows(&mut tx, acc.organisation_id, year).await?;
    let v = db::submit(&mut tx, acc.organisation_id, year, user.user_id, &comment, &rows).await?;
    audit::record(
        &mut tx,
        Entry::new("slk_report_submitted", "organisation", acc.organisation_id).by(user.user_id, addr.as_deref()).after(json!({ "year": year, "version": v.version, "accounts": v.account_count, "comment": comment })),
    )
    .await?;
    tx.commit().await?;
    flash(
        &session,
        FlashKind::Success,
        format!(
            "Rapporten för {year} är inlämnad till SLK som version {} med {}.",
            v.version,
            accounts_noun(v.account_count as usize)
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/rapporter/slk/{year}{}", q.param())).into_response())
}
