//! Cravings: logged in two taps (an intensity), with details added on the spot or later.
//!
//! A craving is a log record (SYNC.md §2): created once on the device, details editable,
//! deletable. Its `note` is device-only: kept on this phone, in the export, never synced.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::ZonedDateTime;
use crate::ids::CravingId;
use crate::model::text;
use crate::{Error, Result};

/// Highest intensity on the 0–10 scale.
pub const INTENSITY_MAX: u8 = 10;
/// At or above this intensity the relapse-prevention plan is offered after logging.
pub const INTENSE: u8 = 7;
/// Most own tags or coping entries on one craving.
pub const LIST_MAX: usize = 20;
/// Longest own tag or coping entry, in characters.
pub const TAG_MAX: usize = 40;
/// Longest "where" or "with whom" text, in characters.
pub const PLACE_MAX: usize = 200;

/// What set a craving off: HALT plus the common triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Hungry,
    Angry,
    Lonely,
    Tired,
    People,
    Places,
    Emotions,
    Stress,
    Boredom,
    Celebration,
    PhysicalPain,
}

impl Trigger {
    /// Every trigger, HALT first.
    pub const ALL: [Trigger; 11] = [
        Trigger::Hungry,
        Trigger::Angry,
        Trigger::Lonely,
        Trigger::Tired,
        Trigger::People,
        Trigger::Places,
        Trigger::Emotions,
        Trigger::Stress,
        Trigger::Boredom,
        Trigger::Celebration,
        Trigger::PhysicalPain,
    ];

    /// The word on the chip.
    pub fn label(self) -> &'static str {
        match self {
            Trigger::Hungry => "Hungry",
            Trigger::Angry => "Angry",
            Trigger::Lonely => "Lonely",
            Trigger::Tired => "Tired",
            Trigger::People => "People",
            Trigger::Places => "Places",
            Trigger::Emotions => "Emotions",
            Trigger::Stress => "Stress",
            Trigger::Boredom => "Boredom",
            Trigger::Celebration => "Celebration",
            Trigger::PhysicalPain => "Physical pain",
        }
    }

    /// The stable wire name (`physical_pain`).
    pub fn key(self) -> &'static str {
        match self {
            Trigger::Hungry => "hungry",
            Trigger::Angry => "angry",
            Trigger::Lonely => "lonely",
            Trigger::Tired => "tired",
            Trigger::People => "people",
            Trigger::Places => "places",
            Trigger::Emotions => "emotions",
            Trigger::Stress => "stress",
            Trigger::Boredom => "boredom",
            Trigger::Celebration => "celebration",
            Trigger::PhysicalPain => "physical_pain",
        }
    }

    /// Parses [`Trigger::key`].
    pub fn from_key(key: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.key() == key)
    }
}

/// How a craving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    RodeItOut,
    Used,
    NotSure,
}

impl Outcome {
    /// All outcomes, in the order offered.
    pub const ALL: [Outcome; 3] = [Outcome::RodeItOut, Outcome::Used, Outcome::NotSure];

    /// The words on the button (calm, no judgement).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::RodeItOut => "Rode it out",
            Outcome::Used => "Used",
            Outcome::NotSure => "Not sure",
        }
    }

    /// The stable wire name.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::RodeItOut => "rode_it_out",
            Outcome::Used => "used",
            Outcome::NotSure => "not_sure",
        }
    }

    /// Parses [`Outcome::key`].
    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }
}

/// The coping list offered before the mentee adds their own.
pub const DEFAULT_COPING: &[&str] = &[
    "Called someone",
    "Went for a walk",
    "Urge surfing",
    "Breathing",
    "Ate or drank something",
    "Went to a meeting",
    "Played the tape forward",
    "Changed where I was",
    "Rested",
];

/// The details of a craving: everything but its id, start and first intensity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    pub triggers: Vec<Trigger>,
    /// The mentee's own trigger tags.
    pub tags: Vec<String>,
    pub place: Option<String>,
    pub with_whom: Option<String>,
    /// Coping used (from the list or the mentee's own words).
    pub coping: Vec<String>,
    pub outcome: Option<Outcome>,
    pub end_intensity: Option<u8>,
    /// Device-only.
    pub note: Option<String>,
}

/// An urge-surfing session on a craving: times only, so it stays right after the app was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surf {
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A logged craving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Craving {
    pub id: CravingId,
    /// When it started, in the zone the mentee was in.
    pub at: ZonedDateTime,
    pub intensity: u8,
    pub details: Details,
    pub surf: Option<Surf>,
}

/// Checks an intensity on the 0–10 scale.
pub fn intensity(raw: i64) -> Result<u8> {
    u8::try_from(raw).ok().filter(|i| *i <= INTENSITY_MAX).ok_or(Error::IntensityOutOfRange)
}

fn list(field: &'static str, raw: Vec<String>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in raw {
        let t = item.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > TAG_MAX {
            return Err(Error::TextTooLong { field, max: TAG_MAX });
        }
        if t.chars().any(char::is_control) {
            return Err(Error::InvalidText { field });
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    if out.len() > LIST_MAX {
        return Err(Error::TooManyItems { field, max: LIST_MAX });
    }
    Ok(out)
}

fn short(field: &'static str, raw: &str) -> Result<Option<String>> {
    let t = raw.trim();
    if t.chars().count() > PLACE_MAX {
        return Err(Error::TextTooLong { field, max: PLACE_MAX });
    }
    text::note(field, t)
}

/// Raw details as they arrive from a form, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawDetails {
    pub triggers: Vec<Trigger>,
    pub tags: Vec<String>,
    pub place: String,
    pub with_whom: String,
    pub coping: Vec<String>,
    pub outcome: Option<Outcome>,
    pub end_intensity: Option<i64>,
    pub note: String,
}

/// Validates details: caps from SECURITY.md IN-3, sorted unique triggers, trimmed text.
pub fn details(raw: RawDetails) -> Result<Details> {
    let mut triggers = raw.triggers;
    triggers.sort();
    triggers.dedup();
    Ok(Details {
        triggers,
        tags: list("tags", raw.tags)?,
        place: short("place", &raw.place)?,
        with_whom: short("with whom", &raw.with_whom)?,
        coping: list("coping", raw.coping)?,
        outcome: raw.outcome,
        end_intensity: raw.end_intensity.map(intensity).transpose()?,
        note: text::note("note", &raw.note)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intensity_range() {
        assert_eq!(intensity(0), Ok(0));
        assert_eq!(intensity(10), Ok(10));
        for bad in [-1, 11, i64::MIN, i64::MAX, 256] {
            assert_eq!(intensity(bad), Err(Error::IntensityOutOfRange));
        }
    }

    #[test]
    fn details_are_checked_and_normalised() {
        let d = details(RawDetails {
            triggers: vec![Trigger::Stress, Trigger::Hungry, Trigger::Stress],
            tags: vec![" payday ".into(), "".into(), "payday".into()],
            place: "  ".into(),
            with_whom: "שלום 🌱".into(),
            coping: vec!["Called someone".into()],
            outcome: Some(Outcome::RodeItOut),
            end_intensity: Some(3),
            note: "x".into(),
        })
        .unwrap();
        assert_eq!(d.triggers, vec![Trigger::Hungry, Trigger::Stress]);
        assert_eq!(d.tags, vec!["payday".to_owned()]);
        assert_eq!(d.place, None);
        assert_eq!(d.with_whom.as_deref(), Some("שלום 🌱"));
        let too_many =
            RawDetails { tags: (0..21).map(|i| format!("t{i}")).collect(), ..Default::default() };
        assert_eq!(details(too_many), Err(Error::TooManyItems { field: "tags", max: LIST_MAX }));
        let long = RawDetails { note: "x".repeat(100_000), ..Default::default() };
        assert!(matches!(details(long), Err(Error::TextTooLong { field: "note", .. })));
        let bad = RawDetails { end_intensity: Some(11), ..Default::default() };
        assert_eq!(details(bad), Err(Error::IntensityOutOfRange));
    }

    #[test]
    fn keys_round_trip() {
        for t in Trigger::ALL {
            assert_eq!(Trigger::from_key(t.key()), Some(t));
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", t.key()));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_key(o.key()), Some(o));
        }
    }
}
