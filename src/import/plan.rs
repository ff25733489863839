//! What each row of an imported list would do: create an account, update
//! some of its fields, nothing, or nothing because of its errors. Pure: the
//! register's present state comes in a `Context`, so the preview and the
//! commit (in its transaction) decide alike.

use std::collections::HashMap;

use time::{Date, Month};

use super::columns::{Field, fold};
use super::file::SheetRow;
use crate::accounts::address;
use crate::accounts::rules::AccountState;
use crate::web::list_text;

/// What the register has, for the rows of one file.
#[derive(Debug, Clone, Default)]
pub struct Context {
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
pub struct Existing {
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
pub enum Person {
    None,
    User { user_id: i64, name: String },
    Text(String),
}

/// A valid row's values, ready to be written.
#[derive(Debug, Clone)]
pub struct Values {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    New,
    /// The Swedish names of the fields that change.
    Update(Vec<&'static str>),
    Unchanged,
    Error,
}

#[derive(Debug, Clone)]
pub struct RowError {
    /// The column's header as in the file (or the field's name).
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct RowPlan {
    pub n: u32,
    /// What identifies the row on the page: its name and its address, as typed.
    pub name: String,
    pub url: String,
    pub status: Status,
    pub errors: Vec<RowError>,
    pub values: Option<Values>,
    pub account_id: Option<i64>,
}

impl RowPlan {
    pub fn status_text(&self) -> String {
        match &self.status {
            Status::New => "Ny".into(),
            Status::Update(fields) => format!("Uppdateras: {}", fields.join(", ")),
            Status::Unchanged => "Oförändrad".into(),
            Status::Error => "Fel".into(),
        }
    }
    pub fn status_css(&self) -> &'static str {
        match self.status {
            Status::New => "new",
            Status::Update(_) => "update",
            Status::Unchanged => "unchanged",
            Status::Error => "error",
        }
    }
}

/// The counts of a plan, for the preview and the button.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: usize,
    pub update: usize,
    pub unchanged: usize,
    pub error: usize,
}

impl Counts {
    pub fn of(plan: &[RowPlan]) -> Self {
        let mut c = Counts::default();
        for r in plan {
            match r.status {
                Status::New => c.new += 1,
                Status::Update(_) => c.update += 1,
                Status::Unchanged => c.unchanged += 1,
                Status::Error => c.error += 1,
            }
        }
        c
    }
    /// The rows a commit writes.
    pub fn writes(&self) -> usize {
        self.new + self.update
    }
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

/// The address keys of the rows, to load the accounts they may be.
pub fn keys(rows: &[SheetRow], mapping: &[Option<Field>], cx: &Context) -> Vec<String> {
    rows.iter()
        .filter_map(|r| {
            let cells = Cells { row: r, mapping };
            let platform = platform(cells.get(Field::Platform), cx).ok().flatten();
            address::normalize(cells.get(Field::Url), platform.as_ref().map(|(_, n)| n.as_str()))
                .map(|a| a.key)
        })
        .collect()
}

struct Cells<'a> {
    row: &'a SheetRow,
    mapping: &'a [Option<Field>],
}

impl Cells<'_> {
    fn get(&self, field: Field) -> &str {
        self.mapping
            .iter()
            .position(|m| *m == Some(field))
            .and_then(|i| self.row.cells.get(i))
            .map(|c| c.trim())
            .unwrap_or("")
    }
}

/// Every row's plan. `headers` name the columns in the errors.
pub fn plan(rows: &[SheetRow], headers: &[String], mapping: &[Option<Field>], cx: &Context) -> Vec<RowPlan> {
    let column = |f: Field| {
        mapping
            .iter()
            .position(|m| *m == Some(f))
            .and_then(|i| headers.get(i))
            .filter(|h| !h.trim().is_empty())
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|| f.label().to_string())
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.iter()
        .map(|row| {
            let cells = Cells { row, mapping };
            let mut errors = Vec::new();
            let mut err = |f: Field, m: String| errors.push(RowError { column: column(f), message: m });
            let values = values(&cells, cx, &mut err);
            let mut plan = RowPlan {
                n: row.n,
                name: cells.get(Field::Name).to_string(),
                url: cells.get(Field::Url).to_string(),
                status: Status::Error,
                errors: Vec::new(),
                values: None,
                account_id: None,
            };
            if let Some(v) = values {
                if let Some(first) = seen.get(&v.key) {
                    err(Field::Url, format!("Samma konto som rad {first}."));
                } else {
                    seen.insert(v.key.clone(), row.n);
                    match cx.existing.get(&v.key) {
                        None => plan.status = Status::New,
                        Some(e) => match compare(e, &v, cx) {
                            Ok(fields) => {
                                plan.account_id = Some(e.account_id);
                                plan.status = if fields.is_empty() {
                                    Status::Unchanged
                                } else {
                                    Status::Update(fields)
                                };
                            }
                            Err((f, m)) => err(f, m),
                        },
                    }
                    if plan.name.is_empty() {
                        plan.name = v.name.clone();
                    }
                    plan.values = Some(v);
                }
            }
            if !errors.is_empty() {
                plan.status = Status::Error;
                plan.values = None;
                plan.account_id = None;
            }
            plan.errors = errors;
            plan
        })
        .collect()
}

/// The row's values, or `None` after reporting what is wrong with it.
fn values(c: &Cells, cx: &Context, err: &mut impl FnMut(Field, String)) -> Option<Values> {
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
fn platform(cell: &str, cx: &Context) -> Result<Option<(i64, String)>, String> {
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
pub fn cell_date(s: &str) -> Option<Date> {
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

/// The fields the row changes on `e`, or why it may not be imported over it.
/// An empty cell leaves the field as it is.
fn compare(e: &Existing, v: &Values, cx: &Context) -> Result<Vec<&'static str>, (Field, String)> {
    if e.organisation_id != cx.organisation_id {
        return Err((Field::Url, format!("Kontot finns redan i registret hos {}.", e.organisation)));
    }
    match (e.state, v.closed_date) {
        (AccountState::Closed, None) => {
            let when = e.closed_date.map(|d| format!(" den {d}")).unwrap_or_default();
            return Err((
                Field::Status,
                format!(
                    "Kontot avslutades i registret{when}. Ett avslutat konto öppnas inte igen genom en import."
                ),
            ));
        }
        (AccountState::Closed, Some(_)) => {}
        (_, Some(_)) => {
            return Err((
                Field::Status,
                "Kontot är inte avslutat i registret. Avsluta det på kontosidan, så att det arkiveras först."
                    .into(),
            ));
        }
        _ => {}
    }
    let mut fields = Vec::new();
    if e.platform_id != v.platform_id {
        fields.push("Kanal");
    }
    if e.name != v.name {
        fields.push("Kontonamn");
    }
    if e.unit_id != v.unit_id {
        fields.push("Verksamhet");
    }
    if e.start_date != Some(v.start_date) {
        fields.push("Startdatum");
    }
    if !v.purpose.is_empty() && e.purpose != v.purpose {
        fields.push("Syfte");
    }
    if !v.target_groups.is_empty() && e.target_groups != v.target_groups {
        fields.push("Målgrupp");
    }
    if person_changes(&v.owner, e.owner_user_id, &e.owner_text) {
        fields.push("Kontoansvarig");
    }
    if person_changes(&v.deputy, e.deputy_user_id, &e.deputy_text) {
        fields.push("Ersättare");
    }
    Ok(fields)
}

/// A user replaces anyone else; a text only fills in for a missing user.
fn person_changes(p: &Person, user: Option<i64>, text: &str) -> bool {
    match p {
        Person::None => false,
        Person::User { user_id, .. } => user != Some(*user_id),
        Person::Text(t) => user.is_none() && text != t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cx() -> Context {
        Context {
            organisation_id: 1,
            today: Some(date!(2026 - 12 - 03)),
            platforms: vec![
                (1, "Facebook".into()),
                (2, "Instagram".into()),
                (3, "X".into()),
                (9, "Annan".into()),
            ],
            units: vec![(10, "Förskola".into()), (11, "Kultur och fritid".into())],
            people: [("anna@example.se".to_string(), (100, "Anna Andersson".to_string()))].into(),
            existing: HashMap::new(),
        }
    }

    const HEADERS: [&str; 9] = [
        "Kanal",
        "Kontonamn",
        "Länk",
        "Verksamhet",
        "Startdatum",
        "Kontoansvarig",
        "E-post",
        "Status",
        "Avslutad",
    ];

    fn run(rows: &[[&str; 9]], cx: &Context) -> Vec<RowPlan> {
        let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        let mapping = super::super::columns::mapping(&headers);
        let rows: Vec<SheetRow> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| SheetRow { n: i as u32 + 2, cells: r.iter().map(|c| c.to_string()).collect() })
            .collect();
        plan(&rows, &headers, &mapping, cx)
    }

    #[test]
    fn a_valid_row_is_new_with_its_values() {
        let p = run(
            &[[
                "FB",
                "Förskolan Lärkan",
                "facebook.com/Larkan/?fbclid=x",
                "förskola",
                "2019",
                "",
                "anna@example.se",
                "",
                "",
            ]],
            &cx(),
        );
        assert_eq!(p[0].status, Status::New, "{:?}", p[0].errors);
        let v = p[0].values.as_ref().unwrap();
        assert_eq!((v.platform_id, v.unit_id, v.start_date), (1, 10, date!(2019 - 01 - 01)));
        assert_eq!(v.url, "https://www.facebook.com/larkan");
        assert_eq!(v.owner, Person::User { user_id: 100, name: "Anna Andersson".into() });
        assert_eq!(v.closed_date, None);
    }

    #[test]
    fn the_platform_comes_from_the_address_when_the_cell_is_empty() {
        let p =
            run(&[["", "", "https://twitter.com/Ostermalm", "Förskola", "2020-05", "", "", "", ""]], &cx());
        let v = p[0].values.as_ref().expect("valid");
        assert_eq!(
            (v.platform.as_str(), v.name.as_str(), v.start_date),
            ("X", "ostermalm", date!(2020 - 05 - 01))
        );
        let p =
            run(&[["Instagram", "A", "https://facebook.com/a", "Förskola", "2020", "", "", "", ""]], &cx());
        assert_eq!(p[0].errors[0].message, "Länken går till Facebook, men kanalen är Instagram.");
    }

    #[test]
    fn every_error_names_its_column_and_says_what_to_do() {
        let p = run(
            &[
                ["Myspace", "A", "https://myspace.com/a", "Förskola", "2020", "", "", "", ""],
                [
                    "Facebook",
                    "B",
                    "inte en adress",
                    "Skolan",
                    "1/3 2020",
                    "",
                    "anna@",
                    "Pausad",
                    "2021-13-01",
                ],
                ["Facebook", "C", "", "", "", "", "", "Avslutat", ""],
                ["Facebook", "D", "https://facebook.com/d", "Förskola", "2030", "", "", "", ""],
            ],
            &cx(),
        );
        assert!(p.iter().all(|r| r.status == Status::Error && r.values.is_none()));
        assert_eq!(p[0].n, 2);
        assert!(p[0].errors[0].message.contains("/admin/plattformar"), "{:?}", p[0].errors);
        let cols: Vec<&str> = p[1].errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            ["Länk", "Verksamhet", "Startdatum", "Avslutad", "Status", "E-post"],
            "{:?}",
            p[1].errors
        );
        assert!(p[1].errors[1].message.contains("Förskola och Kultur och fritid"));
        let cols: Vec<&str> = p[2].errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["Länk", "Verksamhet", "Startdatum", "Avslutad"]);
        assert_eq!(p[3].errors[0].message, "Startdatumet 2030-01-01 har inte varit än.");
    }

    #[test]
    fn a_closed_account_needs_its_date() {
        let p = run(
            &[["Facebook", "A", "fb.com/a", "Förskola", "2018", "", "", "Avslutat", "2024-06-30"]],
            &cx(),
        );
        assert_eq!(p[0].values.as_ref().unwrap().closed_date, Some(date!(2024 - 06 - 30)));
        let p = run(&[["Facebook", "A", "fb.com/a", "Förskola", "2018", "", "", "", "2024-06"]], &cx());
        assert_eq!(p[0].values.as_ref().unwrap().closed_date, Some(date!(2024 - 06 - 01)));
        let p = run(&[["Facebook", "A", "fb.com/a", "Förskola", "2018", "", "", "Aktiv", "2017"]], &cx());
        assert_eq!(p[0].status, Status::Error);
    }

    #[test]
    fn owners_not_found_are_kept_as_text() {
        let p = run(
            &[["Facebook", "A", "fb.com/a", "Förskola", "2018", "Bo Ek", "bo@example.se", "", ""]],
            &cx(),
        );
        assert_eq!(p[0].values.as_ref().unwrap().owner, Person::Text("Bo Ek <bo@example.se>".into()));
        let p = run(
            &[["Facebook", "A", "fb.com/a", "Förskola", "2018", "Anna <ANNA@example.se>", "", "", ""]],
            &cx(),
        );
        assert_eq!(
            p[0].values.as_ref().unwrap().owner,
            Person::User { user_id: 100, name: "Anna Andersson".into() }
        );
        let p = run(&[["Facebook", "A", "fb.com/a", "Förskola", "2018", "Bo Ek", "", "", ""]], &cx());
        assert_eq!(p[0].values.as_ref().unwrap().owner, Person::Text("Bo Ek".into()));
    }

    #[test]
    fn the_same_account_twice_and_the_register_s_accounts() {
        let mut cx = cx();
        let row = [
            "Facebook",
            "Lärkan",
            "https://www.facebook.com/larkan",
            "Förskola",
            "2019-01-01",
            "",
            "",
            "",
            "",
        ];
        let p = run(
            &[
                row,
                ["Facebook", "Lärkan", "http://m.facebook.com/LARKAN/", "Förskola", "2019", "", "", "", ""],
            ],
            &cx,
        );
        assert_eq!(p[1].errors[0].message, "Samma konto som rad 2.");
        let existing = Existing {
            account_id: 7,
            organisation_id: 1,
            organisation: "Östermalm".into(),
            platform_id: 1,
            unit_id: 10,
            name: "Lärkan".into(),
            purpose: "Info".into(),
            target_groups: String::new(),
            owner_user_id: None,
            owner_text: String::new(),
            deputy_user_id: None,
            deputy_text: String::new(),
            start_date: Some(date!(2019 - 01 - 01)),
            state: AccountState::Active,
            closed_date: None,
        };
        cx.existing.insert("facebook:larkan".into(), existing.clone());
        let p = run(&[row], &cx);
        assert_eq!((p[0].status.clone(), p[0].account_id), (Status::Unchanged, Some(7)));
        let p = run(
            &[["Facebook", "Lärkan!", "facebook.com/larkan", "Kultur och fritid", "2019", "Bo", "", "", ""]],
            &cx,
        );
        assert_eq!(p[0].status, Status::Update(vec!["Kontonamn", "Verksamhet", "Kontoansvarig"]));
        assert_eq!(p[0].status_text(), "Uppdateras: Kontonamn, Verksamhet, Kontoansvarig");
        cx.existing.get_mut("facebook:larkan").unwrap().organisation_id = 2;
        let p = run(&[row], &cx);
        assert_eq!(p[0].errors[0].message, "Kontot finns redan i registret hos Östermalm.");
        let e = cx.existing.get_mut("facebook:larkan").unwrap();
        (e.organisation_id, e.state, e.closed_date) = (1, AccountState::Closed, Some(date!(2025 - 01 - 31)));
        let p = run(&[row], &cx);
        assert!(p[0].errors[0].message.starts_with("Kontot avslutades i registret den 2025-01-31."));
    }

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
