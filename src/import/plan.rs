//! What each row of an imported list would do: create an account, update
//! some of its fields, nothing, or nothing because of its errors. Pure: the
//! register's present state comes in a `Context`, so the preview and the
//! commit (in its transaction) decide alike.

use std::collections::HashMap;

use super::columns::Field;
use super::file::SheetRow;
use super::values::{Cells, platform, values};
pub(crate) use super::values::{Context, Existing, Person, Values, cell_date};
use crate::accounts::address;
use crate::accounts::rules::AccountState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    New,
    /// The Swedish names of the fields that change.
    Update(Vec<&'static str>),
    Unchanged,
    Error,
}

#[derive(Debug, Clone)]
pub(crate) struct RowError {
    /// The column's header as in the file (or the field's name).
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub(crate) struct RowPlan {
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
pub(crate) struct Counts {
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

/// The address keys of the rows, to load the accounts they may be.
pub(crate) fn keys(rows: &[SheetRow], mapping: &[Option<Field>], cx: &Context) -> Vec<String> {
    rows.iter()
        .filter_map(|r| {
            let cells = Cells { row: r, mapping };
            let platform = platform(cells.get(Field::Platform), cx).ok().flatten();
            address::normalize(cells.get(Field::Url), platform.as_ref().map(|(_, n)| n.as_str()))
                .map(|a| a.key)
        })
        .collect()
}

/// Every row's plan. `headers` name the columns in the errors.
pub(crate) fn plan(
    rows: &[SheetRow],
    headers: &[String],
    mapping: &[Option<Field>],
    cx: &Context,
) -> Vec<RowPlan> {
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
}
