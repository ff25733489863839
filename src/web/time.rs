//! Times are stored as `timestamptz` and shown in Europe/Stockholm.
//! Sweden follows the EU rule: summer time (UTC+2) from 01:00 UTC on the last
//! Sunday of March to 01:00 UTC on the last Sunday of October, else UTC+1.

use std::fmt;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// A point in time that displays as Stockholm local time, `2026-12-01 14:05`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct Dt(pub OffsetDateTime);

impl fmt::Display for Dt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = to_stockholm(self.0);
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year(),
            u8::from(l.month()),
            l.day(),
            l.hour(),
            l.minute()
        )
    }
}

impl Dt {
    /// The Stockholm calendar date, `2026-12-01`.
    pub fn date(&self) -> Date {
        to_stockholm(self.0).date()
    }
}

fn last_sunday(year: i32, month: Month) -> Date {
    let mut d = Date::from_calendar_date(year, month, month.length(year)).expect("valid date");
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().expect("valid date");
    }
    d
}

/// Convert a UTC instant to Stockholm local time.
pub fn to_stockholm(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let one = Time::from_hms(1, 0, 0).expect("valid time");
    let start = PrimitiveDateTime::new(last_sunday(year, Month::March), one).assume_utc();
    let end = PrimitiveDateTime::new(last_sunday(year, Month::October), one).assume_utc();
    let hours = if utc >= start && utc < end { 2 } else { 1 };
    utc.to_offset(UtcOffset::from_hms(hours, 0, 0).expect("valid offset"))
}

/// A Stockholm wall-clock time as a UTC instant (in the autumn hour that occurs
/// twice, the first one).
/// The years a typed date may have. Outside them it is a typing mistake, and
/// neither PostgreSQL nor the conversion to Stockholm time takes every year.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The one parser of typed dates, `ÅÅÅÅ-MM-DD`, within `YEARS`.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

/// A typed Stockholm date and time, `ÅÅÅÅ-MM-DD TT:MM`, within `YEARS`.
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .ok()
    .filter(|d| YEARS.contains(&d.year()))
    .map(local_to_utc)
}

pub fn local_to_utc(local: PrimitiveDateTime) -> OffsetDateTime {
    for hours in [2, 1] {
        let guess = local.assume_offset(UtcOffset::from_hms(hours, 0, 0).expect("valid offset"));
        let back = to_stockholm(guess);
        if back.date() == local.date() && back.time() == local.time() {
            return guess.to_offset(UtcOffset::UTC);
        }
    }
    // A time skipped in spring: read it as winter time.
    local.assume_offset(UtcOffset::from_hms(1, 0, 0).expect("valid offset")).to_offset(UtcOffset::UTC)
}

/// Today's date in Stockholm.
pub fn stockholm_now_date() -> Date {
    to_stockholm(OffsetDateTime::now_utc()).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn winter_and_summer_time() {
        assert_eq!(Dt(datetime!(2026-01-15 12:00 UTC)).to_string(), "2026-01-15 13:00");
        assert_eq!(Dt(datetime!(2026-07-01 12:00 UTC)).to_string(), "2026-07-01 14:00");
        // 2026: summer time starts 29 March 01:00 UTC, ends 25 October 01:00 UTC.
        assert_eq!(Dt(datetime!(2026-03-29 00:59 UTC)).to_string(), "2026-03-29 01:59");
        assert_eq!(Dt(datetime!(2026-03-29 01:00 UTC)).to_string(), "2026-03-29 03:00");
        assert_eq!(Dt(datetime!(2026-10-25 00:59 UTC)).to_string(), "2026-10-25 02:59");
        assert_eq!(Dt(datetime!(2026-10-25 01:00 UTC)).to_string(), "2026-10-25 02:00");
        // New Year's Eve late evening UTC is already next year in Stockholm.
        assert_eq!(Dt(datetime!(2026-12-31 23:30 UTC)).date().year(), 2027);
    }

    #[test]
    fn local_times_to_utc() {
        use time::macros::datetime as dt;
        assert_eq!(local_to_utc(dt!(2026-12-01 13:30)), dt!(2026-12-01 12:30 UTC));
        assert_eq!(local_to_utc(dt!(2026-06-01 13:30)), dt!(2026-06-01 11:30 UTC));
    }

    #[test]
    fn typed_dates_outside_sane_years_are_refused() {
        assert_eq!(parse_date(" 2026-12-01 "), Some(time::macros::date!(2026 - 12 - 01)));
        for bad in
            ["-9999-01-01", "-4714-01-01", "+10000-01-01", "1899-12-31", "2201-01-01", "2026-02-30", "i dag"]
        {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(parse_datetime("2026-11-20 10:00").is_some());
        assert_eq!(parse_datetime("-9999-01-01 00:30"), None);
    }
}
