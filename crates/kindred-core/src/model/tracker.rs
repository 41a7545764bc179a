//! Trackers and their resets.
//!
//! A tracker is a register (SYNC.md §2): `label`, `start` (a [`ZonedDateTime`], one value) and
//! `ladder`. A reset after a lapse is its own append-only record; the history of attempts is
//! derived from the tracker's start plus all resets (see [`crate::milestones::attempts`]), so it
//! survives any merge outcome and is never erased.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::ZonedDateTime;
use crate::ids::{ResetId, TrackerId};
use crate::model::ladder::Ladder;
use crate::model::text;
use crate::{Error, Result};

/// Earliest year a start may have.
pub const MIN_YEAR: i32 = 1900;

/// HALT: the four states that often sit under a lapse or a craving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Halt {
    Hungry,
    Angry,
    Lonely,
    Tired,
}

impl Halt {
    /// All four, in the order of the acronym.
    pub const ALL: [Halt; 4] = [Halt::Hungry, Halt::Angry, Halt::Lonely, Halt::Tired];

    /// The word shown on the chip.
    pub fn label(self) -> &'static str {
        match self {
            Halt::Hungry => "Hungry",
            Halt::Angry => "Angry",
            Halt::Lonely => "Lonely",
            Halt::Tired => "Tired",
        }
    }
}

/// A sobriety tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracker {
    pub id: TrackerId,
    /// What the mentee calls it ("Alcohol", "Gambling", "Me").
    pub label: String,
    /// When the first attempt began.
    pub start: ZonedDateTime,
    pub ladder: Ladder,
}

/// The optional short debrief after a lapse. Device-only (SYNC.md §2 decision 3): never synced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debrief {
    /// What happened.
    pub what_happened: Option<String>,
    /// What I'll do differently.
    pub differently: Option<String>,
}

/// A reset of a tracker after a lapse: ends one attempt and starts the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reset {
    pub id: ResetId,
    pub tracker_id: TrackerId,
    /// When the lapse happened (back-datable).
    pub lapse_at: ZonedDateTime,
    /// When the new attempt starts (usually the lapse itself, or later).
    pub new_start: ZonedDateTime,
    /// HALT states the mentee noticed.
    pub halt: Vec<Halt>,
    pub debrief: Debrief,
}

/// Checks a start: a real date-time, not before [`MIN_YEAR`], not in the future.
pub fn validate_start(start: &ZonedDateTime, now: DateTime<Utc>) -> Result<()> {
    if start.local.year() < MIN_YEAR {
        return Err(Error::StartTooEarly);
    }
    // One minute of grace: the form has minute precision and the clock moves on while typing.
    if start.instant() > now + Duration::minutes(1) {
        return Err(Error::StartInFuture);
    }
    Ok(())
}

/// Checks a reset against the start of the attempt it ends and the clock.
pub fn validate_reset(
    current_start: &ZonedDateTime,
    lapse_at: &ZonedDateTime,
    new_start: &ZonedDateTime,
    now: DateTime<Utc>,
) -> Result<()> {
    let (start, lapse, next) = (current_start.instant(), lapse_at.instant(), new_start.instant());
    if lapse > now + Duration::minutes(1) {
        return Err(Error::ResetInFuture);
    }
    if lapse < start {
        return Err(Error::ResetBeforeStart);
    }
    if next < lapse {
        return Err(Error::NewStartBeforeLapse);
    }
    if next > now + Duration::minutes(1) {
        return Err(Error::StartInFuture);
    }
    Ok(())
}

/// Validates a debrief's free text.
pub fn validate_debrief(what_happened: &str, differently: &str) -> Result<Debrief> {
    Ok(Debrief {
        what_happened: text::note("what happened", what_happened)?,
        differently: text::note("what you'll do differently", differently)?,
    })
}

/// Sorted, de-duplicated HALT list.
pub fn normalize_halt(mut halt: Vec<Halt>) -> Vec<Halt> {
    halt.sort();
    halt.dedup();
    halt
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_local;
    use chrono::TimeZone;
    use chrono_tz::Europe::Berlin;

    fn z(s: &str) -> ZonedDateTime {
        ZonedDateTime::new(parse_local(s).unwrap(), Berlin)
    }

    #[test]
    fn start_rules() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        assert_eq!(validate_start(&z("2026-01-10T13:30"), now), Err(Error::StartInFuture));
        assert_eq!(validate_start(&z("1899-12-31T00:00"), now), Err(Error::StartTooEarly));
        assert_eq!(validate_start(&z("2025-01-10T12:30"), now), Ok(()));
    }

    #[test]
    fn reset_rules() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        let start = z("2026-01-01T08:00");
        let ok = z("2026-01-05T20:00");
        assert_eq!(validate_reset(&start, &ok, &ok, now), Ok(()));
        let before = z("2025-12-31T08:00");
        assert_eq!(validate_reset(&start, &before, &ok, now), Err(Error::ResetBeforeStart));
        let future = z("2026-01-11T08:00");
        assert_eq!(validate_reset(&start, &future, &future, now), Err(Error::ResetInFuture));
        assert_eq!(
            validate_reset(&start, &ok, &z("2026-01-05T19:00"), now),
            Err(Error::NewStartBeforeLapse)
        );
    }
}
