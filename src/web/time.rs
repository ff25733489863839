//! Times are stored as `timestamptz` and shown in Europe/Stockholm, by the
//! time-zone database bundled with `jiff` (so a machine without tzdata shows
//! the same), as PostgreSQL's `at time zone 'Europe/Stockholm'` does.

use std::fmt;
use std::sync::LazyLock;

use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

static STOCKHOLM: LazyLock<TimeZone> =
    LazyLock::new(|| TimeZone::get("Europe/Stockholm").expect("the bundled tzdb has Europe/Stockholm"));

fn utc_offset(o: Offset) -> UtcOffset {
    UtcOffset::from_whole_seconds(o.seconds()).expect("a Stockholm offset is a valid offset")
}

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

/// Convert an instant to Stockholm local time.
pub fn to_stockholm(t: OffsetDateTime) -> OffsetDateTime {
    match jiff::Timestamp::from_second(t.unix_timestamp()) {
        Ok(ts) => t.to_offset(utc_offset(STOCKHOLM.to_offset(ts))),
        // Outside jiff's years (±9999): only reachable by a typing mistake, refused before.
        Err(_) => t.to_offset(UtcOffset::UTC),
    }
}

/// A Stockholm wall-clock time as a UTC instant (in the autumn hour that occurs
/// twice, the first one).
/// The years a typed date may have. Outside them it is a typing mistake, and
/// neither PostgreSQL nor the conversion to Stockholm time takes every year.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The one parser of typed dates, `ÅÅÅÅ-MM-DD`, within `YEARS`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

/// A typed Stockholm date and time, `ÅÅÅÅ-MM-DD TT:MM`, within `YEARS`.
pub(crate) fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .ok()
    .filter(|d| YEARS.contains(&d.year()))
    .map(local_to_utc)
}

/// A Stockholm wall-clock time as a UTC instant: in the autumn hour that
/// occurs twice the first one (summer time), and a time skipped in spring read
/// as winter time.
pub fn local_to_utc(local: PrimitiveDateTime) -> OffsetDateTime {
    let civil = jiff::civil::DateTime::new(
        local.year() as i16,
        u8::from(local.month()) as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second() as i8,
        0,
    );
    let offset = match civil.map(|c| STOCKHOLM.to_ambiguous_timestamp(c).offset()) {
        Ok(AmbiguousOffset::Unambiguous { offset }) => offset,
        Ok(AmbiguousOffset::Fold { before, .. } | AmbiguousOffset::Gap { before, .. }) => before,
        Err(_) => Offset::UTC,
    };
    local.assume_offset(utc_offset(offset)).to_offset(UtcOffset::UTC)
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
        // 02:30 on 25 October 2026 happens twice: the first is summer time.
        assert_eq!(local_to_utc(dt!(2026-10-25 02:30)), dt!(2026-10-25 00:30 UTC));
        // 02:30 on 29 March 2026 never happens: read as winter time.
        assert_eq!(local_to_utc(dt!(2026-03-29 02:30)), dt!(2026-03-29 01:30 UTC));
        // Every minute of a year goes there and back.
        let mut t = dt!(2027-01-01 00:00 UTC);
        while t < dt!(2028-01-01 00:00 UTC) {
            let local = to_stockholm(t);
            let back = local_to_utc(PrimitiveDateTime::new(local.date(), local.time()));
            // Only the repeated autumn hour's second occurrence maps to its first.
            assert!(back == t || back == t - time::Duration::hours(1), "{t}");
            t += time::Duration::minutes(7);
        }
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
