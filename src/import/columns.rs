//! The fields an imported list can fill, and its columns matched to them by
//! header name regardless of case, spaces and diacritics, in the common
//! Swedish and English spellings. A header that is not recognised goes to
//! the mapping step, where the user picks its field or "Ignorera".

use serde::{Deserialize, Serialize};

use super::file::SheetRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Field {
    Platform,
    Name,
    Url,
    Owner,
    Email,
    Unit,
    Start,
    Purpose,
    TargetGroups,
    Status,
    Closed,
    Deputy,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Platform,
        Field::Name,
        Field::Url,
        Field::Owner,
        Field::Email,
        Field::Unit,
        Field::Start,
        Field::Purpose,
        Field::TargetGroups,
        Field::Status,
        Field::Closed,
        Field::Deputy,
    ];

    /// The header in the template, and the field's name on the pages.
    pub fn label(&self) -> &'static str {
        match self {
            Field::Platform => "Kanal",
            Field::Name => "Kontonamn",
            Field::Url => "Länk",
            Field::Owner => "Kontoansvarig",
            Field::Email => "E-post",
            Field::Unit => "Verksamhet",
            Field::Start => "Startdatum",
            Field::Purpose => "Syfte",
            Field::TargetGroups => "Målgrupp",
            Field::Status => "Status",
            Field::Closed => "Avslutad",
            Field::Deputy => "Ersättare",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Field::Platform => "platform",
            Field::Name => "name",
            Field::Url => "url",
            Field::Owner => "owner",
            Field::Email => "email",
            Field::Unit => "unit",
            Field::Start => "start",
            Field::Purpose => "purpose",
            Field::TargetGroups => "target_groups",
            Field::Status => "status",
            Field::Closed => "closed",
            Field::Deputy => "deputy",
        }
    }

    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The header spellings, folded (see `fold`).
    fn names(&self) -> &'static [&'static str] {
        match self {
            Field::Platform => {
                &["kanal", "plattform", "platform", "channel", "socialtmedium", "medium", "tjanst"]
            }
            Field::Name => &["kontonamn", "namn", "konto", "name", "account", "accountname", "kontotsnamn"],
            Field::Url => {
                &["lank", "url", "adress", "webbadress", "webadress", "link", "address", "lanktillkontot"]
            }
            Field::Owner => &[
                "kontoansvarig",
                "ansvarig",
                "agare",
                "owner",
                "accountowner",
                "kontoagare",
                "ansvarigperson",
            ],
            Field::Email => &[
                "epost",
                "epostadress",
                "mejl",
                "mejladress",
                "mail",
                "email",
                "emailaddress",
                "epostkontoansvarig",
                "ansvarigsepost",
            ],
            Field::Unit => &["verksamhet", "enhet", "avdelning", "unit", "department", "verksamhetsomrade"],
            Field::Start => {
                &["startdatum", "start", "startad", "startat", "startdate", "started", "datumforstart"]
            }
            Field::Purpose => &["syfte", "purpose", "syftemedkontot"],
            Field::TargetGroups => &["malgrupp", "malgrupper", "targetgroup", "targetgroups", "audience"],
            Field::Status => &["status", "state"],
            Field::Closed => {
                &["avslutad", "avslutat", "avslutsdatum", "stangd", "closed", "closeddate", "enddate"]
            }
            Field::Deputy => &["ersattare", "deputy", "stallforetradare", "backup"],
        }
    }
}

/// A header or a value for comparison: lower case, å/ä → a, ö → o, é → e and
/// the like, and nothing but letters and digits.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            'í' | 'ï' => 'i',
            c => c,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The field a header names, if it is a known spelling.
pub(crate) fn recognise(header: &str) -> Option<Field> {
    let f = fold(header);
    Field::ALL.into_iter().find(|field| field.names().contains(&f.as_str()))
}

/// The header row: of the first ten rows, the one with the most recognised
/// headers (a title row above the table is skipped). `None` when no row has one.
pub(crate) fn header_row(rows: &[SheetRow]) -> Option<usize> {
    rows.iter()
        .take(10)
        .enumerate()
        .map(|(i, r)| (i, r.cells.iter().filter(|c| recognise(c).is_some()).count()))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(i, n)| (*n, std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
}

/// Each column's field from its header; a field named twice goes to the first column.
pub(crate) fn mapping(headers: &[String]) -> Vec<Option<Field>> {
    let mut seen = Vec::new();
    headers
        .iter()
        .map(|h| {
            let f = recognise(h).filter(|f| !seen.contains(f))?;
            seen.push(f);
            Some(f)
        })
        .collect()
}

/// Whether some column with a header has no field: the mapping step asks.
pub(crate) fn needs_mapping(headers: &[String], mapping: &[Option<Field>]) -> bool {
    headers.iter().zip(mapping).any(|(h, m)| !h.trim().is_empty() && m.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_every_common_spelling() {
        for (header, field) in [
            ("Kanal", Field::Platform),
            ("PLATTFORM", Field::Platform),
            ("Platform", Field::Platform),
            ("Konto", Field::Name),
            ("Kontonamn ", Field::Name),
            ("Name", Field::Name),
            ("Länk", Field::Url),
            ("URL", Field::Url),
            ("Webbadress", Field::Url),
            ("Ägare", Field::Owner),
            ("Kontoansvarig", Field::Owner),
            ("E-post", Field::Email),
            ("E-postadress", Field::Email),
            ("Mejl", Field::Email),
            ("e-mail", Field::Email),
            ("Avdelning", Field::Unit),
            ("Enhet", Field::Unit),
            ("Start datum", Field::Start),
            ("Startad", Field::Start),
            ("Målgrupper", Field::TargetGroups),
            ("målgrupp", Field::TargetGroups),
            ("Avslutsdatum", Field::Closed),
            ("Ersättare", Field::Deputy),
            ("Syfte", Field::Purpose),
            ("Status", Field::Status),
        ] {
            assert_eq!(recognise(header), Some(field), "{header}");
        }
        assert_eq!(recognise("Antal följare"), None);
        assert_eq!(recognise(""), None);
    }

    #[test]
    fn a_title_row_above_the_table_is_skipped() {
        let row =
            |n: u32, cells: &[&str]| SheetRow { n, cells: cells.iter().map(|c| c.to_string()).collect() };
        let rows = [
            row(1, &["Sociala medier-konton 2025"]),
            row(3, &["Kanal", "Namn", "Länk", "Antal följare"]),
            row(4, &["Facebook", "Bibliotek", "https://facebook.com/bibl", "120"]),
        ];
        assert_eq!(header_row(&rows), Some(1));
        let headers = rows[1].cells.clone();
        let m = mapping(&headers);
        assert_eq!(m, [Some(Field::Platform), Some(Field::Name), Some(Field::Url), None]);
        assert!(needs_mapping(&headers, &m));
        assert_eq!(header_row(&[row(1, &["a", "b"])]), None);
        // Two columns for one field: the second is left for the mapping step.
        assert_eq!(mapping(&["Namn".into(), "Kontonamn".into()]), [Some(Field::Name), None]);
    }
}
