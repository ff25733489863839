//! Downloads of what was submitted: version n of an organisation's report
//! (`v{n}.xlsx`, `v{n}.csv`) from its stored rows, and SLK's city-wide
//! compilation of every organisation's newest version (`sammanstallning.*`).

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::db;
use super::export::{Meta, Section, Writer};
use super::report::{OrgQuery, download, export_file, sections};
use super::rows::Summary;
use super::{access, parse_year};
use crate::auth::{CurrentUser, Role, require};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub(crate) async fn download_file(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((year, name)): Path<(String, String)>,
    Query(q): Query<OrgQuery>,
) -> AppResult<Response> {
    let year = parse_year(&year)?;
    let (stem, kind) = match name.rsplit_once('.') {
        Some((s, k @ ("xlsx" | "csv"))) => (s, k),
        _ => return Err(AppError::NotFound),
    };
    if stem == "sammanstallning" {
        require(&user, &[Role::CityOffice])?;
        return compilation(&st, year, kind).await;
    }
    let n = stem.strip_prefix('v').and_then(|n| n.parse::<i32>().ok()).ok_or(AppError::NotFound)?;
    let acc = access(&user, q.id()?)?;
    let mut conn = st.db.acquire().await?;
    let v = db::version(&mut conn, acc.organisation_id, year, Some(n)).await?.ok_or(AppError::NotFound)?;
    let i = &v.info;
    let name = format!("SLK-rapport {year} {} v{}", i.organisation_name, i.version);
    let summary = Summary::of(&v.rows, i.organisation_id, year, false);
    let about = vec![
        ("Organisation".into(), i.organisation_name.clone()),
        ("År".into(), year.to_string()),
        ("Version".into(), i.version.to_string()),
        ("Inlämnad".into(), i.submitted_at.to_string()),
        ("Inlämnad av".into(), i.submitted_by_name.clone()),
        ("Kommentar".into(), i.comment.clone()),
        ("Antal konton".into(), i.account_count.to_string()),
    ];
    let meta = Meta {
        title: name.clone(),
        organisation: i.organisation_name.clone(),
        year,
        created: i.submitted_at.0,
    };
    export_file(kind, &name, &meta, &v.rows, &sections(&summary, about))
}

/// Every organisation's newest version for `year`, one organisation at a time,
/// with a summary per organisation and the organisations without a submission.
async fn compilation(st: &AppState, year: i32, kind: &str) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let status = db::city_status(&mut conn, year).await?;
    let latest = db::latest_version_ids(&mut conn, year).await?;
    let name = format!("SLK-sammanställning {year}");
    // The newest submission is the file's time, so the same versions give the same file.
    let created = status
        .iter()
        .filter_map(|s| s.submitted_at)
        .map(|d| d.0)
        .max()
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    let meta = Meta { title: name.clone(), organisation: "Stockholms stad".into(), year, created };
    let mut summary = vec![Section {
        heading: format!("Sammanställning {year}"),
        lines: vec![
            ("Organisationer som har lämnat in".into(), latest.len().to_string()),
            (
                "Organisationer som inte har lämnat in".into(),
                status.iter().filter(|s| s.latest.is_none()).count().to_string(),
            ),
        ],
    }];
    let mut w = Writer::new(kind, &meta)?;
    for s in &status {
        let Some(n) = s.latest else { continue };
        let v = db::version(&mut conn, s.organisation_id, year, Some(n)).await?.ok_or(AppError::NotFound)?;
        w.write_rows(&v.rows)?;
        let sum = Summary::of(&v.rows, s.organisation_id, year, false);
        let mut lines = vec![
            ("Version".into(), n.to_string()),
            ("Inlämnad".into(), v.info.submitted_at.to_string()),
            ("Inlämnad av".into(), v.info.submitted_by_name.clone()),
            ("Antal konton".into(), v.rows.len().to_string()),
        ];
        lines.extend(sum.by_state.iter().map(|(k, n)| (format!("Status: {k}"), n.to_string())));
        lines.extend(sum.warnings.iter().map(|w| (format!("Varning: {}", w.text), w.count.to_string())));
        summary.push(Section { heading: v.info.organisation_name.clone(), lines });
    }
    let missing: Vec<(String, String)> = status
        .iter()
        .filter(|s| s.latest.is_none())
        .map(|s| (s.organisation.clone(), "Ej inlämnad".into()))
        .collect();
    if !missing.is_empty() {
        summary.push(Section { heading: "Har inte lämnat in".into(), lines: missing });
    }
    Ok(download(kind, &name, w.finish(&summary)?))
}
