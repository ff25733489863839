//! The import template ("Ladda ned mall": the headers and one example row)
//! and the example list `examples/kontolista.{xlsx,csv}` for the demo, both
//! written here so that they stay in step with what the import reads.
//! `cargo run --example kontolista` writes the example files again.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::Importer;
use super::columns::Field;
use super::plan::cell_date;

/// The template's columns, in its order.
pub(crate) const COLUMNS: [Field; 12] = [
    Field::Platform,
    Field::Name,
    Field::Url,
    Field::Unit,
    Field::Owner,
    Field::Email,
    Field::Start,
    Field::Purpose,
    Field::TargetGroups,
    Field::Status,
    Field::Closed,
    Field::Deputy,
];

type Row = [&'static str; 12];

/// The template's one example row.
const TEMPLATE_ROW: Row = [
    "Instagram",
    "Förskolan Lärkan",
    "https://www.instagram.com/forskolan_larkan",
    "Förskola",
    "Anna Andersson",
    "anna.andersson@example.se",
    "2021-08-16",
    "Visa vardagen på förskolan för vårdnadshavare",
    "Vårdnadshavare",
    "Aktivt",
    "",
    "",
];

/// The demo organisation Östermalm's old list: written the way such lists
/// are (aliases, another spelling of an address already in the register, a
/// year for a date, an owner who is not a user, a closed account).
pub const EXAMPLE: [Row; 7] = [
    [
        "FB",
        "Östermalms bibliotek",
        "http://m.facebook.com/OstermalmsBibliotek/?ref=bookmarks",
        "Kultur och fritid",
        "Oskar Ägare",
        "agare@example.se",
        "2021-03-01",
        "",
        "",
        "Aktivt",
        "",
        "",
    ],
    [
        "Instagram",
        "Förskolan Humlan",
        "https://www.instagram.com/forskolan_humlan/",
        "Förskola",
        "Oskar Ägare",
        "agare@example.se",
        "2020-08-17",
        "Visa vardagen på förskolan för vårdnadshavare",
        "Vårdnadshavare",
        "Aktivt",
        "",
        "",
    ],
    [
        "IG",
        "",
        "instagram.com/ostermalms_aldreomsorg",
        "Äldreomsorg",
        "Lena Lind",
        "lena.lind@example.se",
        "2019",
        "Berätta om aktiviteter på äldreboendena",
        "Anhöriga och äldre",
        "Aktivt",
        "",
        "",
    ],
    [
        "",
        "Östermalms parker",
        "https://twitter.com/OstermalmsParker",
        "Stadsmiljö",
        "Oskar Ägare",
        "agare@example.se",
        "2018-05-02",
        "Information om parker och lekplatser",
        "Boende på Östermalm",
        "",
        "",
        "",
    ],
    [
        "YouTube",
        "Kultur på Östermalm",
        "https://www.youtube.com/@kulturostermalm",
        "Kultur och fritid",
        "Oskar Ägare",
        "agare@example.se",
        "2022-01",
        "Filmer från evenemang",
        "Allmänheten",
        "Aktivt",
        "",
        "Kim Kommunikatör <kommunikator@example.se>",
    ],
    [
        "LinkedIn",
        "Östermalms stadsdelsförvaltning",
        "https://www.linkedin.com/company/ostermalms-sdf",
        "Stadsmiljö",
        "Kim Kommunikatör",
        "kommunikator@example.se",
        "2017-09-01",
        "Rekrytering och arbetsgivarvarumärke",
        "Arbetssökande",
        "Aktivt",
        "",
        "",
    ],
    [
        "Facebook",
        "Sommarlov på Östermalm",
        "https://www.facebook.com/sommarlovostermalm",
        "Kultur och fritid",
        "Oskar Ägare",
        "agare@example.se",
        "2016-05-01",
        "Sommarlovsaktiviteter",
        "Barn och unga",
        "Avslutat",
        "2023-09-30",
        "",
    ],
];

/// An XLSX of `rows` under the headers; dates as Excel date cells.
pub fn xlsx_of(rows: &[Row]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("Konton")?;
    for (c, f) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, f.label(), &bold)?;
        sheet
            .set_column_width(c as u16, if matches!(f, Field::Url | Field::Purpose) { 45.0 } else { 20.0 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, (f, v)) in COLUMNS.iter().zip(row).enumerate() {
            let c = c as u16;
            // A full date is a date cell, as Excel keeps it; a year or a month stays text.
            match (f, cell_date(v)) {
                (Field::Start | Field::Closed, Some(d)) if v.len() == 10 => {
                    let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day())?;
                    sheet.write_datetime_with_format(r, c, &dt, &date)?;
                }
                _ if v.is_empty() => {}
                _ => {
                    sheet.write_string(r, c, *v)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// A CSV of `rows` the way Swedish Excel opens it: UTF-8 with BOM, `;`, CRLF.
pub fn csv_of(rows: &[Row]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w =
            csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let headers = COLUMNS.map(|f| f.label());
        let _ = w.write_record(headers);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, crate::reports::export::attachment(name)),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) async fn xlsx(_: Importer) -> crate::error::AppResult<Response> {
    let bytes = xlsx_of(&[TEMPLATE_ROW]).map_err(|e| anyhow::anyhow!("template: {e}"))?;
    Ok(download(
        "Mall för kontolista.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

pub(crate) async fn csv(_: Importer) -> Response {
    download("Mall för kontolista.csv", "text/csv; charset=utf-8", csv_of(&[TEMPLATE_ROW]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::columns;
    use crate::import::file;

    /// The committed example files are what this module writes: a change
    /// here without `cargo run --example kontolista` fails.
    #[test]
    fn the_example_files_are_in_step_with_the_code() {
        let root = env!("CARGO_MANIFEST_DIR");
        for ext in ["xlsx", "csv"] {
            let bytes = std::fs::read(format!("{root}/examples/kontolista.{ext}")).expect("example file");
            let rows = file::read(&bytes).expect("readable");
            assert_eq!(rows.len(), EXAMPLE.len() + 1, "{ext}");
            let headers: Vec<&str> = rows[0].cells.iter().map(String::as_str).collect();
            assert_eq!(headers, COLUMNS.map(|f| f.label()), "{ext}");
            assert!(columns::mapping(&rows[0].cells).iter().all(Option::is_some));
            for (read, written) in rows[1..].iter().zip(EXAMPLE) {
                let cells: Vec<&str> = read.cells.iter().map(String::as_str).collect();
                assert_eq!(cells, written, "{ext} row {}", read.n);
            }
        }
        assert_eq!(
            file::read(&csv_of(&EXAMPLE)).unwrap(),
            file::read(&std::fs::read(format!("{root}/examples/kontolista.csv")).unwrap()).unwrap()
        );
    }

    #[test]
    fn the_template_reads_back_with_its_date_cell() {
        let rows = file::read(&xlsx_of(&[TEMPLATE_ROW]).unwrap()).unwrap();
        assert_eq!(rows[1].cells[6], "2021-08-16");
        assert_eq!(rows[1].n, 2);
        let rows = file::read(&csv_of(&[TEMPLATE_ROW])).unwrap();
        assert_eq!(rows[1].cells, TEMPLATE_ROW.map(String::from));
    }
}
