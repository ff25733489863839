//! One row of the SLK report, the columns in SPEC §4's order, and what the page
//! shows above the list: counts, warnings and the changes since last year.
//! Pure functions of the rows, so a submitted version is summarised the same way.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// One account as reported. Dates are `ÅÅÅÅ-MM-DD` text and the state is its
/// Swedish label, so a stored version keeps its words whatever the code becomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ReportRow {
    pub account_id: i64,
    pub organisation: String,
    pub unit: String,
    pub platform: String,
    pub name: String,
    pub url: String,
    pub state: String,
    pub start_date: Option<String>,
    pub closed_date: Option<String>,
    pub owner_name: String,
    pub owner_email: String,
    pub deputy: String,
    pub purpose: String,
    pub target_groups: String,
    pub case_number: String,
    pub archived_on: Option<String>,
    pub last_confirmed_on: Option<String>,
    pub followers: Option<i32>,
    pub missing_form: bool,
    pub open_personal_data_incident: bool,
    /// Active, and not answered in the year's yearly review (only when there is one).
    #[serde(default)]
    pub unconfirmed: bool,
}

/// The column headers of the list, in order.
pub const COLUMNS: [&str; 17] = [
    "Organisation",
    "Enhet",
    "Plattform",
    "Kontonamn",
    "Adress",
    "Status",
    "Startdatum",
    "Avslutsdatum",
    "Kontoansvarig",
    "E-post kontoansvarig",
    "Ersättare",
    "Syfte (kort)",
    "Målgrupper",
    "Uppstartsblankett (diarienummer)",
    "Arkiverat för året",
    "Senast bekräftad",
    "Följare",
];

/// One cell of a row, as the exports write it.
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Url(&'a str),
    Date(Option<&'a str>),
    Number(Option<i32>),
}

/// The longest purpose the list shows; the whole text is on the account page.
const PURPOSE_CHARS: usize = 200;

impl ReportRow {
    /// The purpose cut to a short text at a word boundary.
    pub fn purpose_short(&self) -> String {
        let p = self.purpose.split_whitespace().collect::<Vec<_>>().join(" ");
        if p.chars().count() <= PURPOSE_CHARS {
            return p;
        }
        let cut: String = p.chars().take(PURPOSE_CHARS).collect();
        let cut = cut.rsplit_once(' ').map(|(a, _)| a.to_string()).unwrap_or(cut);
        format!("{cut} …")
    }

    /// The cells in the order of `COLUMNS`; `purpose` is `purpose_short()`.
    pub fn cells<'a>(&'a self, purpose: &'a str) -> [Cell<'a>; 17] {
        [
            Cell::Text(&self.organisation),
            Cell::Text(&self.unit),
            Cell::Text(&self.platform),
            Cell::Text(&self.name),
            Cell::Url(&self.url),
            Cell::Text(&self.state),
            Cell::Date(self.start_date.as_deref()),
            Cell::Date(self.closed_date.as_deref()),
            Cell::Text(&self.owner_name),
            Cell::Text(&self.owner_email),
            Cell::Text(&self.deputy),
            Cell::Text(purpose),
            Cell::Text(&self.target_groups),
            Cell::Text(&self.case_number),
            Cell::Date(self.archived_on.as_deref()),
            Cell::Date(self.last_confirmed_on.as_deref()),
            Cell::Number(self.followers),
        ]
    }
}

/// A count of rows by some label, in label order.
pub(crate) type Counts = Vec<(String, usize)>;

fn count_by(rows: &[ReportRow], key: impl Fn(&ReportRow) -> &str) -> Counts {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows {
        *m.entry(key(r).to_string()).or_default() += 1;
    }
    m.into_iter().collect()
}

/// A warning above the list: how many accounts, and where to see them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Warning {
    pub text: String,
    pub count: usize,
    /// The register filtered to these accounts, when it has such a filter.
    pub href: Option<String>,
}

/// What the report page and the summary sheet show above the list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Summary {
    pub total: usize,
    pub by_platform: Counts,
    pub by_state: Counts,
    pub by_unit: Counts,
    pub warnings: Vec<Warning>,
}

/// "1 konto", "2 konton".
pub(crate) fn accounts_noun(n: usize) -> String {
    crate::web::plural(n as i64, "konto", "konton")
}

impl Summary {
    /// Counts and warnings of `rows`, the report of `organisation_id` for `year`.
    /// `current_year` tells whether the register's "not archived this year"
    /// filter shows the same accounts.
    pub fn of(rows: &[ReportRow], organisation_id: i64, year: i32, current_year: bool) -> Summary {
        // An account closed before December had no yearly archive due.
        let december = format!("{year}-12-01");
        let archive_due = |r: &ReportRow| r.closed_date.as_deref().is_none_or(|d| d >= december.as_str());
        let missing_form = rows.iter().filter(|r| r.missing_form).count();
        let not_archived = rows.iter().filter(|r| r.archived_on.is_none() && archive_due(r)).count();
        let incidents = rows.iter().filter(|r| r.open_personal_data_incident).count();
        let unconfirmed = rows.iter().filter(|r| r.unconfirmed).count();
        let mut warnings = Vec::new();
        if missing_form > 0 {
            warnings.push(Warning {
                text: format!("{} utan uppstartsblankett", accounts_noun(missing_form)),
                count: missing_form,
                href: Some(format!("/konton?organisation={organisation_id}&saknar_blankett=1")),
            });
        }
        if not_archived > 0 {
            warnings.push(Warning {
                text: format!(
                    "{} inte {} för {year}",
                    accounts_noun(not_archived),
                    if not_archived == 1 { "arkiverat" } else { "arkiverade" }
                ),
                count: not_archived,
                href: current_year.then(|| format!("/konton?organisation={organisation_id}&ej_arkiverat=1")),
            });
        }
        if incidents > 0 {
            warnings.push(Warning {
                text: format!(
                    "{} med en personuppgiftsincident som inte är avslutad",
                    accounts_noun(incidents)
                ),
                count: incidents,
                href: None,
            });
        }
        if unconfirmed > 0 {
            warnings.push(Warning {
                text: format!(
                    "{} inte {} i den årliga genomgången {year}",
                    accounts_noun(unconfirmed),
                    if unconfirmed == 1 { "bekräftat" } else { "bekräftade" }
                ),
                count: unconfirmed,
                href: Some(format!("/rapporter/genomgang/{year}?organisation={organisation_id}")),
            });
        }
        Summary {
            total: rows.len(),
            by_platform: count_by(rows, |r| &r.platform),
            by_state: count_by(rows, |r| &r.state),
            by_unit: count_by(rows, |r| &r.unit),
            warnings,
        }
    }
}

/// What changed since the organisation's last submitted report of the year before.
#[derive(Debug, Clone, Default)]
pub(crate) struct Changes {
    pub new: Vec<String>,
    pub closed: Vec<String>,
    pub changed_owner: Vec<String>,
}

impl Changes {
    pub fn between(previous: &[ReportRow], now: &[ReportRow]) -> Changes {
        let before: HashMap<i64, &ReportRow> = previous.iter().map(|r| (r.account_id, r)).collect();
        let mut c = Changes::default();
        for r in now {
            let label = format!("{} ({})", r.name, r.platform);
            match before.get(&r.account_id) {
                None => c.new.push(label.clone()),
                Some(b) if b.owner_email != r.owner_email => c.changed_owner.push(format!(
                    "{label}: {} → {}",
                    if b.owner_name.is_empty() { "ingen" } else { &b.owner_name },
                    if r.owner_name.is_empty() { "ingen" } else { &r.owner_name }
                )),
                _ => {}
            }
            let was_closed = before.get(&r.account_id).is_some_and(|b| b.closed_date.is_some());
            if r.closed_date.is_some() && !was_closed {
                c.closed.push(label);
            }
        }
        c
    }
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.closed.is_empty() && self.changed_owner.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, name: &str, owner: &str) -> ReportRow {
        ReportRow {
            account_id: id,
            organisation: "Org".into(),
            unit: "Enhet".into(),
            platform: "Instagram".into(),
            name: name.into(),
            url: String::new(),
            state: "Aktivt".into(),
            start_date: Some("2024-01-01".into()),
            closed_date: None,
            owner_name: owner.into(),
            owner_email: format!("{owner}@example.se"),
            deputy: String::new(),
            purpose: String::new(),
            target_groups: String::new(),
            case_number: String::new(),
            archived_on: None,
            last_confirmed_on: None,
            followers: None,
            missing_form: false,
            open_personal_data_incident: false,
            unconfirmed: false,
        }
    }

    #[test]
    fn changes_since_last_year() {
        let before = vec![row(1, "A", "x"), row(2, "B", "x")];
        let mut b = row(2, "B", "y");
        b.closed_date = Some("2026-03-01".into());
        let now = vec![row(1, "A", "x"), b, row(3, "C", "x")];
        let c = Changes::between(&before, &now);
        assert_eq!(c.new, vec!["C (Instagram)"]);
        assert_eq!(c.closed, vec!["B (Instagram)"]);
        assert_eq!(c.changed_owner, vec!["B (Instagram): x → y"]);
        assert!(Changes::between(&now, &now).is_empty());
    }

    #[test]
    fn warnings_count_and_link_to_the_register() {
        let mut a = row(1, "A", "x");
        a.missing_form = true;
        let mut b = row(2, "B", "x");
        b.archived_on = Some("2026-12-02".into());
        b.open_personal_data_incident = true;
        a.unconfirmed = true;
        b.unconfirmed = true;
        // Closed before December: no yearly archive was due.
        let mut c = row(3, "C", "x");
        c.state = "Avslutat".into();
        c.closed_date = Some("2026-05-01".into());
        let s = Summary::of(&[a, b, c], 7, 2026, true);
        let texts: Vec<&str> = s.warnings.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "1 konto utan uppstartsblankett",
                "1 konto inte arkiverat för 2026",
                "1 konto med en personuppgiftsincident som inte är avslutad",
                "2 konton inte bekräftade i den årliga genomgången 2026"
            ]
        );
        assert_eq!(s.warnings[3].href.as_deref(), Some("/rapporter/genomgang/2026?organisation=7"));
        assert_eq!(s.warnings[0].href.as_deref(), Some("/konton?organisation=7&saknar_blankett=1"));
        assert_eq!(s.by_state, vec![("Aktivt".to_string(), 2), ("Avslutat".to_string(), 1)]);
        assert!(Summary::of(&[], 7, 2025, false).warnings.is_empty());
    }

    #[test]
    fn a_long_purpose_is_cut_at_a_word() {
        let mut r = row(1, "A", "x");
        r.purpose = "ord ".repeat(100);
        let p = r.purpose_short();
        assert!(p.ends_with("ord …") && p.chars().count() <= PURPOSE_CHARS + 2, "{p}");
        r.purpose = "Kort\n  syfte".into();
        assert_eq!(r.purpose_short(), "Kort syfte");
    }
}
