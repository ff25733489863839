//! One row of an imported list read into the register's values: its
//! platform (by name, alias or the address's host), address, unit, dates,
//! status and people, each problem reported with its column. Pure: the
//! register's present state comes in a `Context`.

use std::collections::HashMap;

use time::{Date, Month};

use super::columns::{Field, fold};
use super::file::SheetRow;
use crate::accounts::address;
use crate::accounts::rules::AccountState;
use crate::web::list_text;

/// What the register has, for the rows of one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    pub organisation_id: i64,
    pub today: Option<Date>,
    /// Active platforms: id and name.
    pub platforms: Vec<(i64, String)>,
    /// Active units of the organisation: id and name.
    pub units: Vec<(i64, String)>,
    /// Users with a role in the organisation, by lower-case e-mail: id and name.
    pub people: HashMap<String, (i64, String)>,
    /// Accounts with one of the file's addresses, by address key.
    pub existing: HashMap<String, Existing>,
}

/// An account of the register that a row may be.
#[derive(Debug, Clone)]
pub(crate) struct Existing {
    pub account_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub platform_id: i64,
    pub unit_id: i64,
    pub name: String,
    pub purpose: String,
    pub target_groups: String,
    pub owner_user_id: Option<i64>,
    pub owner_text: String,
    pub deputy_user_id: Option<i64>,
    pub deputy_text: String,
    pub start_date: Option<Date>,
    pub state: AccountState,
    pub closed_date: Option<Date>,
}

/// A person from the list: a user of the organisation, found by e-mail, or
/// the text the list has, kept on the account for the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Person {
    None,
    User { user_id: i64, name: String },
    Text(String),
}

/// A valid row's values, ready to be written.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    pub platform_id: i64,
    pub platform: String,
    pub name: String,
    pub url: String,
    pub key: String,
    pub unit_id: i64,
    pub start_date: Date,
    pub purpose: String,
    pub target_groups: String,
    pub owner: Person,
    pub deputy: Person,
    pub closed_date: Option<Date>,
}

/// Common names of the platforms, folded, to the platform's name in the register.
const ALIASES: &[(&str, &str)] = &[
    ("fb", "Facebook"),
    ("facebook", "Facebook"),
    ("ig", "Instagram"),
    ("insta", "Instagram"),
    ("instagram", "Instagram"),
    ("twitter", "X"),
    ("x", "X"),
    ("xtwitter", "X"),
    ("twitterx", "X"),
    ("yt", "YouTube"),
    ("youtube", "YouTube"),
    ("li", "LinkedIn"),
    ("linkedin", "LinkedIn"),
    ("tiktok", "TikTok"),
    ("threads", "Threads"),
    ("bsky", "Bluesky"),
    ("bluesky", "Bluesky"),
    ("mastodon", "Mastodon"),
    ("snap", "Snapchat"),
    ("snapchat", "Snapchat"),
    ("flickr", "Flickr"),
    ("vimeo", "Vimeo"),
    ("pinterest", "Pinterest"),
];

pub(crate) struct Cells<'a> {
    pub row: &'a SheetRow,
    pub mapping: &'a [Option<Field>],
}

impl Cells<'_> {
    pub fn get(&self, field: Field) -> &str {
        self.mapping
            .iter()
            .position(|m| *m == Some(field))
            .and_then(|i| self.row.cells.get(i))
            .map(|c| c.trim())
            .unwrap_or("")
    }
}

/// The row's values, or `None` after reporting what is wrong with it.
pub(crate) fn values(c: &Cells, cx: &Context, err: &mut impl FnMut(Field, String)) -> Option<Values> {
    let mut ok = true;
    let mut fail = |f: Field, m: String| {
        ok = false;
        err(f, m);
    };
    let typed_platform = match platform(c.get(Field::Platform), cx) {
        Ok(p) => p,
        Err(m) => {
            fail(Field::Platform, m);
            None
        }
    };
    let url = c.get(Field::Url);
    let addr = if url.is_empty() {
        fail(
            Field::Url,
            "Länken till kontot saknas. Den behövs för att känna igen kontot, också vid nästa import.".into(),
        );
        None
    } else {
        let a = address::normalize(url, typed_platform.as_ref().map(|(_, n)| n.as_str()));
        if a.is_none() {
            fail(
                Field::Url,
                format!(
                    "\"{url}\" är ingen webbadress. Skriv till exempel https://www.instagram.com/kontonamn."
                ),
            );
        }
        a
    };
    // The platform from the address's host, when the platform is known by it.
    let platform = match (&typed_platform, &addr) {
        (Some((id, name)), Some(a)) if !a.platform.is_empty() && !a.platform.eq_ignore_ascii_case(name) => {
            fail(Field::Platform, format!("Länken går till {}, men kanalen är {name}.", a.platform));
            Some((*id, name.clone()))
        }
        (Some(p), _) => Some(p.clone()),
        (None, Some(a)) if !a.platform.is_empty() => {
            match cx.platforms.iter().find(|(_, n)| n.eq_ignore_ascii_case(a.platform)) {
                Some(p) => Some(p.clone()),
                None => {
                    fail(Field::Platform, unknown_platform(a.platform));
                    None
                }
            }
        }
        (None, Some(_)) if c.get(Field::Platform).is_empty() => {
            fail(
                Field::Platform,
                "Kanalen saknas och går inte att se på länken. Skriv vilken kanal kontot finns i.".into(),
            );
            None
        }
        _ => None,
    };

    let name = match (c.get(Field::Name), addr.as_ref().and_then(|a| a.handle.as_ref())) {
        ("", Some(h)) => h.clone(),
        ("", None) => {
            fail(Field::Name, "Kontonamnet saknas.".into());
            String::new()
        }
        (n, _) if n.chars().count() > 200 => {
            fail(Field::Name, "Kontonamnet är längre än 200 tecken.".into());
            String::new()
        }
        (n, _) => n.to_string(),
    };

    let unit = c.get(Field::Unit);
    let units = || list_text(&cx.units.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>());
    let unit_id = if unit.is_empty() {
        fail(Field::Unit, format!("Verksamheten saknas. Skriv en av: {}.", units()));
        None
    } else {
        let found = cx.units.iter().find(|(_, n)| fold(n) == fold(unit)).map(|(id, _)| *id);
        if found.is_none() {
            fail(
                Field::Unit,
                format!("Verksamheten \"{unit}\" finns inte i organisationen. Skriv en av: {}.", units()),
            );
        }
        found
    };

    let today = cx.today.unwrap_or(Date::MIN);
    let start = c.get(Field::Start);
    let start_date = if start.is_empty() {
        fail(
            Field::Start,
            "Startdatumet saknas. Skriv när kontot startade; året räcker, till exempel 2019.".into(),
        );
        None
    } else {
        match cell_date(start) {
            Some(d) if cx.today.is_some() && d > today => {
                fail(Field::Start, format!("Startdatumet {d} har inte varit än."));
                None
            }
            Some(d) => Some(d),
            None => {
                fail(Field::Start, bad_date(start));
                None
            }
        }
    };

    let closed_cell = c.get(Field::Closed);
    let closed_date = if closed_cell.is_empty() {
        None
    } else {
        match cell_date(closed_cell) {
            Some(d) if cx.today.is_some() && d > today => {
                fail(Field::Closed, format!("Avslutsdatumet {d} har inte varit än."));
                None
            }
            Some(d) if start_date.is_some_and(|s| d < s) => {
                fail(Field::Closed, "Avslutsdatumet är före startdatumet.".into());
                None
            }
            Some(d) => Some(d),
            None => {
                fail(Field::Closed, bad_date(closed_cell));
                None
            }
        }
    };
    let status = c.get(Field::Status);
    let closed = match closed_status(status) {
        Some(closed) => closed,
        None => {
            fail(
                Field::Status,
                format!("Statusen \"{status}\" känns inte igen. Skriv Aktivt eller Avslutat."),
            );
            false
        }
    };
    if closed && closed_date.is_none() && closed_cell.is_empty() {
        fail(Field::Closed, "Kontot är avslutat men avslutsdatumet saknas.".into());
    }
    let closed = closed || (status.is_empty() && closed_date.is_some());
    if !closed && closed_date.is_some() {
        fail(Field::Status, "Kontot har ett avslutsdatum men statusen är Aktivt.".into());
    }

    let owner = match person(c.get(Field::Owner), c.get(Field::Email), cx) {
        Ok(p) => p,
        Err(m) => {
            fail(Field::Email, m);
            Person::None
        }
    };
    let deputy = match person(c.get(Field::Deputy), "", cx) {
        Ok(p) => p,
        Err(m) => {
            fail(Field::Deputy, m);
            Person::None
        }
    };
    let purpose = c.get(Field::Purpose).to_string();
    let target_groups = c.get(Field::TargetGroups).to_string();
    for (f, v) in [(Field::Purpose, &purpose), (Field::TargetGroups, &target_groups)] {
        if v.chars().count() > 5000 {
            fail(f, "Texten är längre än 5 000 tecken.".into());
        }
    }
    if !ok {
        return None;
    }
    let (addr, (platform_id, platform)) = (addr?, platform?);
    Some(Values {
        platform_id,
        platform,
        name,
        url: addr.canonical,
        key: addr.key,
        unit_id: unit_id?,
        start_date: start_date?,
        purpose,
        target_groups,
        owner,
        deputy,
        closed_date: if closed { closed_date } else { None },
    })
}

/// The platform a cell names, by name or common alias; `None` for an empty cell.
pub(crate) fn platform(cell: &str, cx: &Context) -> Result<Option<(i64, String)>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    let f = fold(cell);
    let name = ALIASES.iter().find(|(a, _)| *a == f).map(|(_, n)| *n);
    cx.platforms
        .iter()
        .find(|(_, n)| fold(n) == f || name.is_some_and(|name| n.eq_ignore_ascii_case(name)))
        .cloned()
        .map(Some)
        .ok_or_else(|| unknown_platform(cell))
}

fn unknown_platform(name: &str) -> String {
    format!(
        "Kanalen \"{name}\" finns inte i Kontoregistret. En administratör lägger till kanaler under Administration → Plattformar (/admin/plattformar)."
    )
}

/// A date as the list may have it: ÅÅÅÅ-MM-DD (an Excel date cell is read
/// so), ÅÅÅÅ-MM (its first day) or ÅÅÅÅ (1 January).
pub(crate) fn cell_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.chars().all(|c| c.is_ascii_digit())).then(|| p.parse::<i32>().ok()).flatten()
    };
    let (y, m, d) = match parts[..] {
        [y] => (num(y, 4)?, 1, 1),
        [y, m] => (num(y, 4)?, num(m, 2)?, 1),
        [y, m, d] => (num(y, 4)?, num(m, 2)?, num(d, 2)?),
        _ => return None,
    };
    let date =
        Date::from_calendar_date(y, Month::try_from(u8::try_from(m).ok()?).ok()?, u8::try_from(d).ok()?)
            .ok()?;
    crate::web::YEARS.contains(&date.year()).then_some(date)
}

fn bad_date(s: &str) -> String {
    format!("\"{s}\" är inget datum. Skriv ÅÅÅÅ-MM-DD, ÅÅÅÅ-MM eller bara året, ÅÅÅÅ.")
}

/// Whether a status cell says the account is closed; `None` when it is not understood.
fn closed_status(s: &str) -> Option<bool> {
    match fold(s).as_str() {
        "" | "aktiv" | "aktivt" | "active" | "igang" | "oppen" | "oppet" | "publicerat" | "pagaende" => {
            Some(false)
        }
        "avslutad" | "avslutat" | "stangd" | "stangt" | "nedlagd" | "nedlagt" | "closed" | "inaktiv"
        | "inaktivt" | "inactive" => Some(true),
        _ => None,
    }
}

/// A person from a name cell and an e-mail cell; an address may also stand
/// in the name cell ("Anna Andersson <anna@…>").
fn person(name_cell: &str, email_cell: &str, cx: &Context) -> Result<Person, String> {
    let in_name = name_cell
        .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';'))
        .find(|w| w.contains('@'));
    let email = if email_cell.is_empty() { in_name.unwrap_or("") } else { email_cell };
    if !email.is_empty() && !crate::org::valid_email(email) {
        return Err(format!("\"{email}\" är ingen e-postadress."));
    }
    if let Some((id, name)) = cx.people.get(&email.to_lowercase()) {
        return Ok(Person::User { user_id: *id, name: name.clone() });
    }
    let name = match in_name {
        Some(e) => name_cell
            .replace(e, "")
            .trim_matches(|c: char| c.is_whitespace() || "<>(),;".contains(c))
            .to_string(),
        None => name_cell.to_string(),
    };
    Ok(match (name.is_empty(), email.is_empty()) {
        (true, true) => Person::None,
        (false, true) => Person::Text(name),
        (true, false) => Person::Text(email.to_string()),
        (false, false) => Person::Text(format!("{name} <{email}>")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_as_lists_have_them() {
        assert_eq!(cell_date("2019-03-07"), Some(date!(2019 - 03 - 07)));
        assert_eq!(cell_date("2019-03-07 00:00:00"), Some(date!(2019 - 03 - 07)));
        assert_eq!(cell_date("2019-03"), Some(date!(2019 - 03 - 01)));
        assert_eq!(cell_date(" 2019 "), Some(date!(2019 - 01 - 01)));
        for bad in ["19-03-07", "2019-3-7", "2019-02-30", "7 mars 2019", "2019/03/07", "abc", "0201"] {
            assert_eq!(cell_date(bad), None, "{bad}");
        }
    }
}
