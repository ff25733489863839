//! The report as files: an XLSX workbook (sheet "Konton" with a bold, frozen,
//! filtered header, real dates and links; sheet "Sammanfattning") written by
//! rust_xlsxwriter's constant-memory worksheet, and a CSV the way Swedish Excel
//! reads it (UTF-8 with BOM, `;`, CRLF). Every timestamp in a file comes from
//! `Meta::created`, so a submitted version gives the same bytes every time.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use time::OffsetDateTime;

use super::rows::{COLUMNS, Cell, ReportRow};

/// What the file says about itself.
pub(crate) struct Meta {
    pub title: String,
    pub organisation: String,
    pub year: i32,
    /// The submission's time for a version; now for the live report.
    pub created: OffsetDateTime,
}

/// One block of the summary sheet: a heading and its lines (label, value).
pub(crate) struct Section {
    pub heading: String,
    pub lines: Vec<(String, String)>,
}

/// Column widths in characters, in the order of `COLUMNS`.
const WIDTHS: [f64; 17] =
    [30.0, 24.0, 12.0, 30.0, 40.0, 18.0, 12.0, 12.0, 24.0, 30.0, 24.0, 50.0, 30.0, 18.0, 12.0, 14.0, 10.0];

/// Excel accepts at most 65,530 links on a sheet; after that addresses are text.
const MAX_LINKS: u32 = 65_000;

fn excel_date(d: &str) -> Option<ExcelDateTime> {
    let mut p = d.splitn(3, '-');
    let (y, m, d) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    ExcelDateTime::from_ymd(y, m, d).ok()
}

/// An XLSX report being written: rows first, in order, then `finish`.
pub(crate) struct Xlsx {
    book: Workbook,
    row: u32,
    date: Format,
    link: Format,
}

impl Xlsx {
    pub fn new(meta: &Meta) -> Result<Xlsx, XlsxError> {
        let mut book = Workbook::new();
        let created = ExcelDateTime::from_timestamp(meta.created.unix_timestamp())?;
        book.set_properties(
            &DocProperties::new()
                .set_title(&meta.title)
                .set_subject(format!("Sociala medier-konton {}", meta.year))
                .set_company(&meta.organisation)
                .set_author("Kontoregistret")
                .set_keywords(format!("SLK, sociala medier, {}", meta.year))
                .set_creation_datetime(&created),
        );
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name("Konton")?;
        for (c, w) in WIDTHS.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        for (c, h) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Xlsx {
            book,
            row: 1,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            link: Format::new()
                .set_font_color("#0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
        })
    }

    pub fn write_rows(&mut self, rows: &[ReportRow]) -> Result<(), XlsxError> {
        let sheet = self.book.worksheet_from_index(0)?;
        for r in rows {
            let purpose = r.purpose_short();
            for (c, cell) in r.cells(&purpose).into_iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(self.row, c, t)?;
                    }
                    Cell::Url(u) if u.starts_with("https://") || u.starts_with("http://") => {
                        let linked = self.row <= MAX_LINKS
                            && sheet.write_url_with_format(self.row, c, u, &self.link).is_ok();
                        if !linked {
                            sheet.write_string(self.row, c, u)?;
                        }
                    }
                    Cell::Url(u) => {
                        sheet.write_string(self.row, c, u)?;
                    }
                    Cell::Date(d) => {
                        if let Some(d) = d.and_then(excel_date) {
                            sheet.write_datetime_with_format(self.row, c, &d, &self.date)?;
                        }
                    }
                    Cell::Number(Some(n)) => {
                        sheet.write_number(self.row, c, n)?;
                    }
                    Cell::Number(None) => {}
                }
            }
            self.row += 1;
        }
        Ok(())
    }

    /// Add the autofilter and the summary sheet, and give the bytes.
    pub fn finish(mut self, summary: &[Section]) -> Result<Vec<u8>, XlsxError> {
        let last = self.row.saturating_sub(1).max(1);
        self.book.worksheet_from_index(0)?.autofilter(0, 0, last, COLUMNS.len() as u16 - 1)?;
        let bold = Format::new().set_bold();
        let sheet = self.book.add_worksheet();
        sheet.set_name("Sammanfattning")?;
        sheet.set_column_width(0, 50.0)?;
        sheet.set_column_width(1, 40.0)?;
        let mut row = 0;
        for s in summary {
            sheet.write_string_with_format(row, 0, &s.heading, &bold)?;
            row += 1;
            for (label, value) in &s.lines {
                sheet.write_string(row, 0, label)?;
                match value.parse::<u32>() {
                    Ok(n) => sheet.write_number(row, 1, n)?,
                    Err(_) => sheet.write_string(row, 1, value)?,
                };
                row += 1;
            }
            row += 1;
        }
        self.book.save_to_buffer()
    }
}

/// The CSV form: UTF-8 with BOM, `;`, CRLF, quoted where needed; the same
/// columns and rows as the XLSX, dates as ÅÅÅÅ-MM-DD.
pub(crate) struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl Csv {
    pub fn new() -> csv::Result<Csv> {
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(b"\xEF\xBB\xBF");
        let mut w =
            csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(out);
        w.write_record(COLUMNS)?;
        Ok(Csv { w })
    }

    pub fn write_rows(&mut self, rows: &[ReportRow]) -> csv::Result<()> {
        for r in rows {
            let purpose = r.purpose_short();
            let followers = r.followers.map(|n| n.to_string()).unwrap_or_default();
            let record = r.cells(&purpose).map(|c| match c {
                Cell::Text(t) | Cell::Url(t) => t,
                Cell::Date(d) => d.unwrap_or(""),
                Cell::Number(_) => followers.as_str(),
            });
            self.w.write_record(record)?;
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<Vec<u8>> {
        self.w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
    }
}

/// `Content-Disposition` of a download: an ASCII name and the real one.
pub(crate) fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'Å' | 'Ä' => 'A',
            'ö' => 'o',
            'Ö' => 'O',
            'é' => 'e',
            'É' => 'E',
            c if c.is_ascii_alphanumeric() || " .-_()".contains(c) => c,
            _ => '_',
        })
        .collect();
    let encoded = crate::web::url_encode(name).replace('/', "%2F");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Either file kind, chosen by the download's extension.
pub(crate) enum Writer {
    Xlsx(Box<Xlsx>),
    Csv(Box<Csv>),
}

impl Writer {
    pub fn new(kind: &str, meta: &Meta) -> anyhow::Result<Writer> {
        Ok(if kind == "xlsx" {
            Writer::Xlsx(Box::new(Xlsx::new(meta)?))
        } else {
            Writer::Csv(Box::new(Csv::new()?))
        })
    }

    pub fn write_rows(&mut self, rows: &[ReportRow]) -> anyhow::Result<()> {
        match self {
            Writer::Xlsx(x) => x.write_rows(rows)?,
            Writer::Csv(c) => c.write_rows(rows)?,
        }
        Ok(())
    }

    /// The bytes; `summary` becomes the XLSX's second sheet (CSV has only the rows).
    pub fn finish(self, summary: &[Section]) -> anyhow::Result<Vec<u8>> {
        match self {
            Writer::Xlsx(x) => Ok(x.finish(summary)?),
            Writer::Csv(c) => (*c).finish(),
        }
    }
}
