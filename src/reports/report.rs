//! The report of one organisation's year: the page at `/rapporter/slk/{år}`
//! with counts, warnings, changes since last year, the list and the submitted
//! versions; and the live data as `{år}.xlsx` and `{år}.csv`.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::db::{self, VersionInfo};
use super::export::{self, Meta, Section, Writer};
use super::rows::{Changes, Counts, ReportRow, Summary, accounts_noun};
use super::{access, parse_year};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::web::{Page, render};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrgQuery {
    #[serde(default)]
    pub organisation: String,
}

impl OrgQuery {
    pub fn id(&self) -> AppResult<Option<i64>> {
        match self.organisation.trim() {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| AppError::NotFound),
        }
    }

    /// `?organisation=…` for the page's links when the request named one.
    pub fn param(&self) -> String {
        match self.id() {
            Ok(Some(id)) => format!("?organisation={id}"),
            _ => String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "reports/report.html")]
pub(crate) struct ReportPage {
    page: Page,
    year: i32,
    organisation: String,
    rows: Vec<ReportRow>,
    summary: Summary,
    changes: Option<Changes>,
    versions: Vec<VersionInfo>,
    may_submit: bool,
    /// `?organisation=…` for links, when the report is not the user's own.
    org_param: String,
}

/// The summary sheet of a report: counts and warnings.
pub(crate) fn sections(s: &Summary, about: Vec<(String, String)>) -> Vec<Section> {
    let mut v = vec![Section { heading: "Rapporten".into(), lines: about }];
    v.push(Section {
        heading: "Varningar".into(),
        lines: if s.warnings.is_empty() {
            vec![("Inga varningar".into(), String::new())]
        } else {
            s.warnings.iter().map(|w| (w.text.clone(), w.count.to_string())).collect()
        },
    });
    for (heading, counts) in
        [("Per plattform", &s.by_platform), ("Per status", &s.by_state), ("Per enhet", &s.by_unit)]
    {
        v.push(Section {
            heading: heading.into(),
            lines: counts.iter().map(|(k, n)| (k.clone(), n.to_string())).collect(),
        });
    }
    v
}

pub(crate) fn download(kind: &str, name: &str, bytes: Vec<u8>) -> Response {
    let content_type = if kind == "xlsx" {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, export::attachment(&format!("{name}.{kind}"))),
        ],
        bytes,
    )
        .into_response()
}

/// Write `rows` as an XLSX or CSV download named `name`.
pub(crate) fn export_file(
    kind: &str,
    name: &str,
    meta: &Meta,
    rows: &[ReportRow],
    summary: &[Section],
) -> AppResult<Response> {
    let mut w = Writer::new(kind, meta)?;
    w.write_rows(rows)?;
    Ok(download(kind, name, w.finish(summary)?))
}

/// `/rapporter/slk/2026`, `/rapporter/slk/2026.xlsx`, `/rapporter/slk/2026.csv`.
pub(crate) async fn show(
    Viewer { st, page, user }: Viewer,
    Path(file): Path<String>,
    Query(q): Query<OrgQuery>,
) -> AppResult<Response> {
    let (year, kind) = match file.split_once('.') {
        None => (parse_year(&file)?, None),
        Some((y, k @ ("xlsx" | "csv"))) => (parse_year(y)?, Some(k)),
        _ => return Err(AppError::NotFound),
    };
    let asked = q.id()?;
    if asked.is_none() && user.has(Role::CityOffice) && !user.has_any(&[Role::Communicator, Role::Strategist])
    {
        return Ok(Redirect::to(&format!("/rapporter?ar={year}")).into_response());
    }
    let acc = access(&user, asked)?;
    let mut conn = st.db.acquire().await?;
    let organisation =
        db::organisation_name(&mut conn, acc.organisation_id).await?.ok_or(AppError::NotFound)?;
    let rows = db::live_rows(&mut conn, acc.organisation_id, year).await?;
    let summary = Summary::of(&rows, acc.organisation_id, year, year == st.today().year());
    if let Some(kind) = kind {
        let name = format!("SLK-rapport {year} {organisation}");
        let about = vec![
            ("Organisation".into(), organisation.clone()),
            ("År".into(), year.to_string()),
            ("Utdrag".into(), "Aktuella uppgifter, inte inlämnade".into()),
            ("Antal konton".into(), rows.len().to_string()),
        ];
        let meta = Meta { title: name.clone(), organisation, year, created: time::OffsetDateTime::now_utc() };
        return export_file(kind, &name, &meta, &rows, &sections(&summary, about));
    }
    let previous = db::version(&mut conn, acc.organisation_id, year - 1, None).await?;
    let changes = previous.map(|p| Changes::between(&p.rows, &rows));
    let versions = db::versions(&mut conn, acc.organisation_id, year).await?;
    let org_param = q.param();
    render(&ReportPage {
        page,
        year,
        organisation,
        rows,
        summary,
        changes,
        versions,
        may_submit: acc.may_submit,
        org_param,
    })
}

impl ReportPage {
    /// "1 konto som var aktivt", "3 konton som var aktiva".
    fn total_text(&self) -> String {
        let n = self.summary.total;
        format!("{} som var {}", accounts_noun(n), if n == 1 { "aktivt" } else { "aktiva" })
    }
    fn count_blocks(&self) -> [(&'static str, &Counts); 3] {
        [
            ("Per plattform", &self.summary.by_platform),
            ("Per status", &self.summary.by_state),
            ("Per enhet", &self.summary.by_unit),
        ]
    }
}
