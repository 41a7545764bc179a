//! The daily check-in: mood 1–5, craving yes/no, HALT, one line. No streaks, no pressure.

use serde::{Deserialize, Serialize};

use crate::clock::ZonedDateTime;
use crate::ids::CheckInId;
use crate::model::text;
use crate::model::tracker::Halt;
use crate::{Error, Result};

/// Longest check-in line, in characters.
pub const LINE_MAX: usize = 280;

/// A check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub id: CheckInId,
    pub at: ZonedDateTime,
    /// 1 (low) to 5 (good).
    pub mood: u8,
    pub craving: bool,
    pub halt: Vec<Halt>,
    pub line: Option<String>,
}

/// Checks a mood on the 1–5 scale.
pub fn mood(raw: i64) -> Result<u8> {
    u8::try_from(raw).ok().filter(|m| (1..=5).contains(m)).ok_or(Error::MoodOutOfRange)
}

/// Checks the one line.
pub fn line(raw: &str) -> Result<Option<String>> {
    if raw.trim().chars().count() > LINE_MAX {
        return Err(Error::TextTooLong { field: "line", max: LINE_MAX });
    }
    text::note("line", raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(mood(1), Ok(1));
        assert_eq!(mood(5), Ok(5));
        assert_eq!(mood(0), Err(Error::MoodOutOfRange));
        assert_eq!(mood(6), Err(Error::MoodOutOfRange));
        assert!(line(&"x".repeat(281)).is_err());
        assert_eq!(line(" ok "), Ok(Some("ok".into())));
    }
}
