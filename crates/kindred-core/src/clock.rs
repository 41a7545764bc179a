//! Time: the injected [`Clock`], and local wall-clock maths that is correct across DST.
//!
//! A mentee's dates are wall-clock times in an IANA time zone ([`ZonedDateTime`]). Turning one
//! into an instant must handle the two DST edge cases: a time that does not exist (spring-forward
//! gap: we move forward to the first valid minute) and a time that exists twice (fall-back: we take
//! the earlier one).

use std::fmt;

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The source of "now". Domain code takes `now` as an argument; shells own a `Clock`.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock frozen at one instant, for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A wall-clock date-time together with the IANA zone it was entered in. Stored and synced as
/// one value, so the two halves can never disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZonedDateTime {
    /// Local wall-clock date and time, minute precision in practice.
    pub local: NaiveDateTime,
    /// The IANA time zone the wall-clock time belongs to.
    pub tz: Tz,
}

impl fmt::Debug for ZonedDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.local, self.tz.name())
    }
}

impl ZonedDateTime {
    /// Builds a zoned date-time.
    pub fn new(local: NaiveDateTime, tz: Tz) -> Self {
        Self { local, tz }
    }

    /// The wall-clock time of `instant` in `tz`.
    pub fn from_instant(instant: DateTime<Utc>, tz: Tz) -> Self {
        Self { local: instant.with_timezone(&tz).naive_local(), tz }
    }

    /// The instant this wall-clock time denotes (DST gaps move forward, overlaps take the earlier).
    pub fn instant(&self) -> DateTime<Utc> {
        resolve_local(self.local, self.tz)
    }

    /// The same wall-clock time `days` calendar days later, as an instant.
    pub fn plus_days(&self, days: i64) -> DateTime<Utc> {
        resolve_local(self.local + Duration::days(days), self.tz)
    }
}

/// Resolves a local wall-clock time in `tz` to an instant.
///
/// Ambiguous (fall-back) times take the earlier instant. Non-existent (spring-forward gap) times
/// move forward minute by minute to the first wall-clock time that exists, which is what a person
/// means by "the same time" on a day whose clock skipped it.
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let mut probe = local;
    // Real gaps are at most a day long (Samoa, 2011); search a little beyond that.
    for _ in 0..(49 * 60) {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => return a.min(b).with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    // Unreachable for real zone data; fall back to reading the wall-clock time as UTC.
    Utc.from_utc_datetime(&local)
}

/// The local calendar date of `instant` in `tz`.
pub fn local_date(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The instant a local calendar day starts (its first existing minute).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    resolve_local(date.and_hms_opt(0, 0, 0).expect("midnight exists"), tz)
}

/// Parses an IANA zone name.
pub fn parse_tz(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| Error::UnknownTimeZone(name.chars().take(64).collect()))
}

/// Parses the `YYYY-MM-DDTHH:MM[:SS]` value of an HTML `datetime-local` input.
pub fn parse_local(value: &str) -> Result<NaiveDateTime> {
    let v = value.trim();
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f"))
        .map_err(|_| Error::InvalidDateTime("use the form 2025-01-31T18:30".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::America::New_York;

    fn ndt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn gap_moves_forward() {
        // 2025-03-09 02:30 does not exist in New York; 03:00 EDT is 07:00 UTC.
        let t = resolve_local(ndt(2025, 3, 9, 2, 30), New_York);
        assert_eq!(t, Utc.with_ymd_and_hms(2025, 3, 9, 7, 0, 0).unwrap());
    }

    #[test]
    fn overlap_takes_earlier() {
        // 2025-11-02 01:30 happens twice in New York; the first is EDT (05:30 UTC).
        let t = resolve_local(ndt(2025, 11, 2, 1, 30), New_York);
        assert_eq!(t, Utc.with_ymd_and_hms(2025, 11, 2, 5, 30, 0).unwrap());
    }

    #[test]
    fn plus_days_keeps_wall_clock_across_dst() {
        let z = ZonedDateTime::new(ndt(2025, 3, 1, 21, 0), New_York);
        let later = z.plus_days(30);
        assert_eq!(later.with_timezone(&New_York).naive_local(), ndt(2025, 3, 31, 21, 0));
        // 30 calendar days across spring-forward is one hour short of 720 hours.
        assert_eq!((later - z.instant()).num_hours(), 719);
    }

    #[test]
    fn parses_datetime_local_values() {
        assert_eq!(parse_local("2025-01-31T18:30").unwrap(), ndt(2025, 1, 31, 18, 30));
        assert!(parse_local("2025-02-30T18:30").is_err());
        assert!(parse_local("").is_err());
        assert!(parse_tz("Mars/Olympus").is_err());
        assert_eq!(parse_tz("Europe/Paris").unwrap(), chrono_tz::Europe::Paris);
    }
}
