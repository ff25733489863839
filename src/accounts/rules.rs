//! The rules of an account's life as pure functions of the date, so they are
//! tested with injected dates rather than the wall clock: when archiving is due
//! or overdue, the 72-hour IMY deadline, and when a closing account may close.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "account_state", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccountState {
    Approved,
    Active,
    Closing,
    Closed,
}

impl AccountState {
    pub const ALL: [AccountState; 4] =
        [AccountState::Approved, AccountState::Active, AccountState::Closing, AccountState::Closed];

    pub fn label(&self) -> &'static str {
        match self {
            AccountState::Approved => "Godkänt, ej startat",
            AccountState::Active => "Aktivt",
            AccountState::Closing => "Avslutas",
            AccountState::Closed => "Avslutat",
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            AccountState::Approved => "approved",
            AccountState::Active => "active",
            AccountState::Closing => "closing",
            AccountState::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// Where an account stands with its yearly archiving on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArchiveStatus {
    /// Not started: nothing is archived before the account exists.
    NotStarted,
    /// Nothing to do now.
    Done,
    /// Not yet December: this year's archiving is ahead.
    NotYet,
    /// December: this year's record is due.
    Due { year: i32 },
    /// Past Decembers passed without a record, oldest first.
    Overdue { years: Vec<i32> },
}

impl ArchiveStatus {
    pub fn label(&self) -> String {
        match self {
            ArchiveStatus::NotStarted => "Inget att arkivera förrän kontot har startat".into(),
            ArchiveStatus::Done => "Arkiverat".into(),
            ArchiveStatus::NotYet => "Arkiveras i december".into(),
            ArchiveStatus::Due { year } => format!("Ska arkiveras i december {year}"),
            ArchiveStatus::Overdue { years } => {
                format!("Försenad: arkiveringen för {} saknas", years_text(years))
            }
        }
    }
}

/// "2024", "2024 och 2025", "2023, 2024 och 2025".
pub(crate) fn years_text(years: &[i32]) -> String {
    crate::web::list_text(years)
}

/// Whether an account that started on `start` (and closed on `closed`) was
/// active on 1 December of `year`, so that a yearly archive is owed for it.
fn lived_through(year: i32, start: Date, closed: Option<Date>) -> bool {
    let december = Date::from_calendar_date(year, Month::December, 1).expect("valid date");
    start <= december && closed.is_none_or(|c| c >= december)
}

/// The past years, oldest first, whose December the account lived through
/// without a yearly archive record. They stay missing until recorded.
pub(crate) fn missing_years(
    today: Date,
    state: AccountState,
    start_date: Option<Date>,
    closed_date: Option<Date>,
    years: &[i32],
) -> Vec<i32> {
    match (state, start_date) {
        (AccountState::Approved, _) | (_, None) => Vec::new(),
        (_, Some(start)) => (start.year()..today.year())
            .filter(|y| lived_through(*y, start, closed_date) && !years.contains(y))
            .collect(),
    }
}

/// The year a new yearly archive record is most likely for: the oldest missing
/// year, else this year.
pub(crate) fn archive_year_due(
    today: Date,
    state: AccountState,
    start_date: Option<Date>,
    closed_date: Option<Date>,
    years: &[i32],
) -> i32 {
    missing_years(today, state, start_date, closed_date, years).first().copied().unwrap_or(today.year())
}

/// The archiving status of an account on `today`. `years` are the years with a
/// yearly archive record. An account must be archived every December in which
/// it was active: from 1 December the task is due, after 31 December overdue.
pub(crate) fn archive_status(
    today: Date,
    state: AccountState,
    start_date: Option<Date>,
    closed_date: Option<Date>,
    years: &[i32],
) -> ArchiveStatus {
    let Some(start) = start_date else { return ArchiveStatus::NotStarted };
    if state == AccountState::Approved {
        return ArchiveStatus::NotStarted;
    }
    let missing = missing_years(today, state, start_date, closed_date, years);
    if !missing.is_empty() {
        return ArchiveStatus::Overdue { years: missing };
    }
    let this_year = today.year();
    let december = Date::from_calendar_date(this_year, Month::December, 1).expect("valid date");
    if today >= december {
        if years.contains(&this_year)
            || !lived_through(this_year, start, closed_date) && state == AccountState::Closed
        {
            return ArchiveStatus::Done;
        }
        if start <= today {
            return ArchiveStatus::Due { year: this_year };
        }
    }
    if state == AccountState::Closed || years.contains(&this_year) {
        ArchiveStatus::Done
    } else {
        ArchiveStatus::NotYet
    }
}

/// The Swedish words for a history code, as the account page shows it.
pub(crate) fn event_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "imported" => "Kontot registrerat från förvaltningens tidigare lista",
        "import_updated" => "Kontots uppgifter ändrade av en import",
        "started" => "Kontot startat",
        "checklist" => "Startchecklistan uppdaterad",
        "credentials_confirmed" => "Inloggningsuppgifterna bekräftade",
        "archived" => "Arkivering registrerad",
        "closure_requested" => "Avslut begärt",
        "closure_approved" => "Avslut beviljat",
        "closure_denied" => "Avslut avslaget",
        "closure_announced" => "Avslutet annonserat på kontot",
        "closed" => "Kontot avslutat",
        "incident_reported" => "Avvikelse rapporterad",
        "incident_followed_up" => "Avvikelse följd upp",
        "people_changed" => "Kontoansvarig eller ersättare ändrad",
        "updated" => "Kontots uppgifter ändrade",
        "open_data_changed" => "Visning i öppna data ändrad",
        "confirmed" => "Kontouppgifterna bekräftade i den årliga genomgången",
        "review_not_in_use" => "Markerat som inte använt i den årliga genomgången",
        _ => return None,
    })
}

/// IMY must be notified of a personal-data breach within 72 hours of its discovery.
pub(crate) fn imy_deadline(discovered_at: OffsetDateTime) -> OffsetDateTime {
    discovered_at + Duration::hours(72)
}

/// Whether a closing account may now be closed: the announcement period is
/// over and there is a final archive record made since closure was decided.
pub(crate) fn may_close(
    today: Date,
    announcement_end: Option<Date>,
    has_final_archive: bool,
) -> Result<(), &'static str> {
    match announcement_end {
        Some(end) if today < end => Err("Annonseringsperioden i kanalen är inte slut än."),
        None => Err("Avslutet har inte beslutats."),
        _ if !has_final_archive => {
            Err("Kontot behöver en slutlig arkivering (\"Före avslut\") innan det kan avslutas.")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountState as A;
    use ArchiveStatus as S;
    use time::macros::{date, datetime};

    const START: Option<Date> = Some(date!(2024 - 03 - 01));

    #[test]
    fn archiving_becomes_due_on_1_december_and_overdue_after_31_december() {
        let years = [2024, 2025];
        assert_eq!(archive_status(date!(2026 - 11 - 30), A::Active, START, None, &years), S::NotYet);
        assert_eq!(
            archive_status(date!(2026 - 12 - 01), A::Active, START, None, &years),
            S::Due { year: 2026 }
        );
        assert_eq!(
            archive_status(date!(2026 - 12 - 31), A::Active, START, None, &years),
            S::Due { year: 2026 }
        );
        assert_eq!(
            archive_status(date!(2027 - 01 - 01), A::Active, START, None, &years),
            S::Overdue { years: vec![2026] }
        );
        assert_eq!(
            archive_status(date!(2027 - 06 - 15), A::Active, START, None, &years),
            S::Overdue { years: vec![2026] }
        );
        let with_2026 = [2024, 2025, 2026];
        assert_eq!(archive_status(date!(2026 - 12 - 02), A::Active, START, None, &with_2026), S::Done);
        assert_eq!(archive_status(date!(2027 - 01 - 01), A::Active, START, None, &with_2026), S::NotYet);
    }

    #[test]
    fn accounts_started_after_december_or_not_started_owe_nothing() {
        // Started 10 December 2026: not active on 1 December, so no 2026 record is owed… but it is due in December.
        let start = Some(date!(2026 - 12 - 10));
        assert_eq!(archive_status(date!(2026 - 12 - 05), A::Active, start, None, &[]), S::NotYet);
        assert_eq!(archive_status(date!(2026 - 12 - 15), A::Active, start, None, &[]), S::Due { year: 2026 });
        assert_eq!(archive_status(date!(2027 - 01 - 05), A::Active, start, None, &[]), S::NotYet);
        assert_eq!(archive_status(date!(2026 - 12 - 15), A::Approved, None, None, &[]), S::NotStarted);
    }

    #[test]
    fn closed_accounts_owe_only_the_decembers_they_lived_through() {
        let closed = Some(date!(2026 - 06 - 30));
        assert_eq!(archive_status(date!(2026 - 12 - 15), A::Closed, START, closed, &[2024, 2025]), S::Done);
        assert_eq!(
            archive_status(date!(2026 - 12 - 15), A::Closed, START, closed, &[2024]),
            S::Overdue { years: vec![2025] }
        );
    }

    #[test]
    fn every_missed_year_stays_overdue_until_it_is_recorded() {
        // Started 2024, nothing archived: on 2027-03-01 the years 2024, 2025 and 2026 are all missing.
        let today = date!(2027 - 03 - 01);
        assert_eq!(
            archive_status(today, A::Active, START, None, &[]),
            S::Overdue { years: vec![2024, 2025, 2026] }
        );
        assert_eq!(
            archive_status(today, A::Active, START, None, &[2024, 2026]),
            S::Overdue { years: vec![2025] }
        );
        assert_eq!(archive_year_due(today, A::Active, START, None, &[2024]), 2025);
        assert_eq!(archive_year_due(today, A::Active, START, None, &[2024, 2025, 2026]), 2027);
        // 2025 missing in December 2026: the overdue year is shown, not hidden by this year's due one.
        assert_eq!(
            archive_status(date!(2026 - 12 - 02), A::Active, START, None, &[2024, 2026]),
            S::Overdue { years: vec![2025] }
        );
        assert_eq!(
            ArchiveStatus::Overdue { years: vec![2024, 2025, 2026] }.label(),
            "Försenad: arkiveringen för 2024, 2025 och 2026 saknas"
        );
        assert!(missing_years(today, A::Approved, START, None, &[]).is_empty());
    }

    #[test]
    fn imy_deadline_is_72_hours_after_discovery() {
        assert_eq!(imy_deadline(datetime!(2026-12-01 09:15 UTC)), datetime!(2026-12-04 09:15 UTC));
    }

    #[test]
    fn closing_needs_the_period_over_and_a_final_archive() {
        let end = Some(date!(2026 - 12 - 31));
        assert!(may_close(date!(2026 - 12 - 30), end, true).is_err());
        assert!(may_close(date!(2026 - 12 - 31), end, false).is_err());
        assert!(may_close(date!(2026 - 12 - 31), end, true).is_ok());
        assert!(may_close(date!(2027 - 01 - 31), None, true).is_err());
    }
}
