//! The rules of an account's life as pure functions of the date, so they are
//! tested with injected dates rather than the wall clock: when archiving is due
//! or overdue, the 72-hour IMY deadline, and when a closing account may close.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "account_state", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveStatus {
    /// Not started: nothing is archived before the account exists.
    NotStarted,
    /// Nothing to do now.
    Done,
    /// Not yet December: this year's archiving is ahead.
    NotYet,
    /// December: this year's record is due.
    Due { year: i32 },
    /// A past December passed without a record.
    Overdue { year: i32 },
}

impl ArchiveStatus {
    pub fn label(&self) -> String {
        match self {
            ArchiveStatus::NotStarted => "Inget att arkivera förrän kontot har startat".into(),
            ArchiveStatus::Done => "Arkiverat".into(),
            ArchiveStatus::NotYet => "Arkiveras i december".into(),
            ArchiveStatus::Due { year } => format!("Ska arkiveras i december {year}"),
            ArchiveStatus::Overdue { year } => format!("Försenad: arkiveringen för {year} saknas"),
        }
    }
}

/// The archiving status of an account on `today`. `years` are the years with a
/// yearly archive record. An account must be archived every December in which
/// it was active: from 1 December the task is due, after 31 December overdue.
pub fn archive_status(
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
    let december = |y: i32| Date::from_calendar_date(y, Month::December, 1).expect("valid date");
    // Past Decembers the account lived through, newest first.
    let last_year = today.year() - 1;
    let lived_through = |y: i32| start <= december(y) && closed_date.is_none_or(|c| c >= december(y));
    if lived_through(last_year) && !years.contains(&last_year) && start.year() <= last_year {
        return ArchiveStatus::Overdue { year: last_year };
    }
    let this_year = today.year();
    if today >= december(this_year) {
        if years.contains(&this_year) || !lived_through(this_year) && state == AccountState::Closed {
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

/// IMY must be notified of a personal-data breach within 72 hours of its discovery.
pub fn imy_deadline(discovered_at: OffsetDateTime) -> OffsetDateTime {
    discovered_at + Duration::hours(72)
}

/// Whether a closing account may now be closed: the announcement period is
/// over and there is a final archive record made since closure was decided.
pub fn may_close(
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
            S::Overdue { year: 2026 }
        );
        assert_eq!(
            archive_status(date!(2027 - 06 - 15), A::Active, START, None, &years),
            S::Overdue { year: 2026 }
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
            S::Overdue { year: 2025 }
        );
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
