//! The uploaded file as rows of text cells, each with its row number as the
//! spreadsheet shows it. The type is decided by the content, not the name:
//! a zip is XLSX, an OLE container an old `.xls` (or a password-protected
//! XLSX), anything else text is CSV, with its encoding (UTF-8 with or
//! without BOM, UTF-16 from "Unicode-text", else Windows-1252 as Swedish
//! Excel writes "CSV (semikolonavgränsad)") and its separator (`;`, `,` or
//! tab, from the header line) detected.

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use serde::{Deserialize, Serialize};

/// The largest file accepted.
pub(crate) const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most rows accepted, besides the header row.
pub(crate) const MAX_ROWS: usize = 5000;
/// The most an XLSX may unpack to: a real list of 5,000 rows is a few MB.
const MAX_UNPACKED: u64 = 100 * 1024 * 1024;

/// One row of the sheet that is not empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SheetRow {
    /// The row number in the spreadsheet (1 is the first row).
    pub n: u32,
    pub cells: Vec<String>,
}

/// Why a file cannot be read; its message is shown next to the file field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileError {
    Empty,
    TooLarge,
    TooManyRows,
    NotSpreadsheet,
    Password,
    Corrupt,
    Unpacked,
}

impl FileError {
    pub fn message(&self) -> String {
        match self {
            FileError::Empty => "Filen är tom. Välj listan med kontona, sparad som Excel (.xlsx) eller CSV.".into(),
            FileError::TooLarge => format!(
                "Filen är större än {} MB. Dela upp listan i flera filer, eller spara den som CSV.",
                MAX_BYTES / 1024 / 1024
            ),
            FileError::TooManyRows => format!(
                "Filen har fler än {} rader. Dela upp listan i flera filer om högst {} rader var.",
                crate::web::number(MAX_ROWS as i64),
                crate::web::number(MAX_ROWS as i64)
            ),
            FileError::NotSpreadsheet => {
                "Filen är inget kalkylark. Spara listan som Excel-arbetsbok (.xlsx) eller som CSV och välj den filen."
                    .into()
            }
            FileError::Password => {
                "Filen är lösenordsskyddad. Spara en kopia utan lösenord (Arkiv → Info → Skydda arbetsbok) och välj den."
                    .into()
            }
            FileError::Corrupt => {
                "Excel-filen är skadad och kan inte läsas. Öppna den i Excel, spara den igen som .xlsx och försök på nytt."
                    .into()
            }
            FileError::Unpacked => {
                "Excel-filen packas upp till orimligt mycket data och läses därför inte. Spara listan som CSV i stället."
                    .into()
            }
        }
    }
}

/// Read `bytes` into its non-empty rows.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<SheetRow>, FileError> {
    if bytes.len() > MAX_BYTES {
        return Err(FileError::TooLarge);
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        read_ole(bytes)?
    } else {
        read_csv(&decode(bytes)?)
    };
    if rows.is_empty() {
        return Err(FileError::Empty);
    }
    // The header row and MAX_ROWS rows under it.
    if rows.len() > MAX_ROWS + 1 {
        return Err(FileError::TooManyRows);
    }
    Ok(rows)
}

/// Unpack every part once into nothing, counting, so that a zip bomb (or a
/// part whose declared size lies) is refused before calamine builds it.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileError::Corrupt)?;
    let mut left = MAX_UNPACKED;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|_| FileError::Corrupt)?;
        let n =
            std::io::copy(&mut part.take(left + 1), &mut std::io::sink()).map_err(|_| FileError::Corrupt)?;
        if n > left {
            return Err(FileError::Unpacked);
        }
        left -= n;
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetRow>, FileError> {
    check_unpacked_size(bytes)?;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Password => FileError::Password,
            _ => FileError::Corrupt,
        })?;
    let range = book.worksheet_range_at(0).ok_or(FileError::Empty)?.map_err(|_| FileError::Corrupt)?;
    Ok(sheet_rows(&range))
}

/// An OLE container: a password-protected XLSX, or a workbook in the old
/// `.xls` format (which calamine reads as well).
fn read_ole(bytes: &[u8]) -> Result<Vec<SheetRow>, FileError> {
    if let Err(calamine::XlsxError::Password) =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(bytes))
    {
        return Err(FileError::Password);
    }
    let mut book: calamine::Xls<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsError::Password => FileError::Password,
            _ => FileError::NotSpreadsheet,
        })?;
    let range = book.worksheet_range_at(0).ok_or(FileError::Empty)?.map_err(|_| FileError::Corrupt)?;
    Ok(sheet_rows(&range))
}

fn sheet_rows(range: &calamine::Range<Data>) -> Vec<SheetRow> {
    let first = range.start().map(|(r, _)| r).unwrap_or(0);
    range
        .rows()
        .enumerate()
        .map(|(i, row)| SheetRow { n: first + i as u32 + 1, cells: row.iter().map(cell_text).collect() })
        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        .collect()
}

/// A cell as text: a date cell as ÅÅÅÅ-MM-DD, a whole number without decimals.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "Ja" } else { "Nej" }.into(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// The text of a CSV file in whichever encoding it came.
fn decode(bytes: &[u8]) -> Result<String, FileError> {
    let (text, malformed) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        encoding_rs::UTF_8.decode_without_bom_handling(rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        encoding_rs::UTF_16LE.decode_without_bom_handling(rest)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        encoding_rs::UTF_16BE.decode_without_bom_handling(rest)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.into(), false)
    } else {
        encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes)
    };
    // Text has no NUL and few control characters; an image or a PDF has many.
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')).count();
    if malformed || text.contains('\0') || controls * 100 > text.chars().count().max(1) {
        return Err(FileError::NotSpreadsheet);
    }
    Ok(text.into_owned())
}

/// The separator the header line uses most: `;`, tab or `,`.
fn separator(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| line.matches(c).count();
    [b';', b'\t', b','].into_iter().max_by_key(|&s| (count(s as char), s == b';')).unwrap_or(b';')
}

fn read_csv(text: &str) -> Vec<SheetRow> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // A spreadsheet shows a quoted line break as one row, and counts blank
    // lines: a record's row is one more than the line breaks before its
    // first character, less those inside the quoted cells before it.
    let bytes = text.as_bytes();
    let (mut counted_to, mut breaks, mut breaks_inside) = (0usize, 0u64, 0u64);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // A stray quote or a broken line: the rest is read as it stands.
            Err(_) => continue,
        }
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(0).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > counted_to {
            breaks += bytes[counted_to..start].iter().filter(|&&b| b == b'\n').count() as u64;
            counted_to = start;
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        let n = (breaks + 1 - breaks_inside) as u32;
        breaks_inside += cells.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(SheetRow { n, cells });
        }
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[SheetRow]) -> Vec<(u32, Vec<&str>)> {
        rows.iter().map(|r| (r.n, r.cells.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn csv_in_every_encoding_and_separator() {
        let expected =
            vec![(1, vec!["Kanal", "Kontonamn"]), (2, vec!["Facebook", "Äldreomsorg på Östermalm"])];
        let utf8 = "Kanal;Kontonamn\r\nFacebook;Äldreomsorg på Östermalm\r\n";
        assert_eq!(cells(&read(utf8.as_bytes()).unwrap()), expected);
        let bom = [&[0xEF, 0xBB, 0xBF][..], utf8.as_bytes()].concat();
        assert_eq!(cells(&read(&bom).unwrap()), expected);
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(utf8);
        assert!(std::str::from_utf8(&cp1252).is_err(), "å, ä, ö are single bytes in Windows-1252");
        assert_eq!(cells(&read(&cp1252).unwrap()), expected);
        let comma = "Kanal,Kontonamn\nFacebook,\"Äldreomsorg på Östermalm\"\n";
        assert_eq!(cells(&read(comma.as_bytes()).unwrap()), expected);
        let tab: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "Kanal\tKontonamn\nFacebook\tÄldreomsorg på Östermalm\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(cells(&read(&tab).unwrap()), expected);
    }

    #[test]
    fn csv_row_numbers_are_the_spreadsheets() {
        let text = "Kanal;Syfte\n\nFacebook;\"två\nrader\"\nX;tre\n";
        let rows = read(text.as_bytes()).unwrap();
        assert_eq!(rows.iter().map(|r| r.n).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(rows[1].cells[1], "två\nrader");
    }

    #[test]
    fn separator_follows_the_header_line() {
        assert_eq!(separator("a;b;c\n1,5;2"), b';');
        assert_eq!(separator("a,b,c\n1;2"), b',');
        assert_eq!(separator("a\tb\n"), b'\t');
        assert_eq!(separator("ensam\n"), b';');
    }

    #[test]
    fn what_is_not_a_readable_spreadsheet() {
        assert_eq!(read(b""), Err(FileError::Empty));
        assert_eq!(read(b" \r\n;;\n"), Err(FileError::Empty));
        assert_eq!(read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0"), Err(FileError::NotSpreadsheet));
        assert_eq!(read(b"PK\x03\x04 not really a zip"), Err(FileError::Corrupt));
        assert_eq!(read(&vec![b'a'; MAX_BYTES + 1]), Err(FileError::TooLarge));
        let many = "Kanal\n".to_string() + &"X\n".repeat(MAX_ROWS + 1);
        assert_eq!(read(many.as_bytes()), Err(FileError::TooManyRows));
        let exactly = "Kanal\n".to_string() + &"X\n".repeat(MAX_ROWS);
        assert_eq!(read(exactly.as_bytes()).unwrap().len(), MAX_ROWS + 1);
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let block = vec![b' '; 1024 * 1024];
            for _ in 0..(MAX_UNPACKED / block.len() as u64 + 2) {
                std::io::Write::write_all(&mut zip, &block).unwrap();
            }
            zip.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < MAX_BYTES, "the bomb is small: {} bytes", bytes.len());
        assert_eq!(read(&bytes), Err(FileError::Unpacked));
    }
}
