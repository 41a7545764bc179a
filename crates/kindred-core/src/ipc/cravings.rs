//! Craving DTOs: the quick log, the details form, urge surfing and the list by day. (The
//! `insights` command answers with `crate::insights::Insights`.)

use serde::{Deserialize, Serialize};

use crate::ids::CravingId;
use crate::model::craving::{Outcome, Trigger};

/// Quick log: just an intensity, 0–10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogCravingReq {
    pub intensity: i64,
}

/// What the quick log answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedCraving {
    pub id: CravingId,
    /// "18:42".
    pub time: String,
    /// The intensity was 7 or more: offer the relapse-prevention plan.
    pub offer_plan: bool,
}

/// A request naming one craving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CravingRef {
    pub id: String,
}

/// A craving with its details, for the details form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingView {
    pub id: CravingId,
    /// "Fri 27 Nov 2026, 18:42".
    pub when: String,
    /// The page title in words: "Tonight, 22:21 · strong".
    pub title: String,
    pub intensity: u8,
    pub triggers: Vec<Trigger>,
    pub tags: Vec<String>,
    pub place: String,
    pub with_whom: String,
    pub coping: Vec<String>,
    pub outcome: Option<Outcome>,
    pub end_intensity: Option<u8>,
    pub note: String,
    /// Coping choices to offer: the standard list, then the mentee's own earlier ones.
    pub coping_options: Vec<String>,
    /// Urge surfing on this craving: when it started and ended (unix ms), if it did.
    pub surf_started_ms: Option<i64>,
    pub surf_ended_ms: Option<i64>,
    /// The device clock when this view was made (unix ms), so a running timer stays right.
    pub now_ms: i64,
}

/// Finish urge surfing with the intensity at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndSurfReq {
    pub id: String,
    pub end_intensity: i64,
}

/// Save a craving's details (all of them; empty text clears a field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveCravingReq {
    pub id: String,
    pub triggers: Vec<Trigger>,
    pub tags: Vec<String>,
    pub place: String,
    pub with_whom: String,
    pub coping: Vec<String>,
    pub outcome: Option<Outcome>,
    pub end_intensity: Option<i64>,
    pub note: String,
}

/// One entry in the craving list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingRow {
    pub id: CravingId,
    /// "18:42".
    pub time: String,
    pub intensity: u8,
    pub triggers: Vec<Trigger>,
    pub outcome: Option<Outcome>,
}

/// The cravings of one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingDay {
    /// "Fri 27 Nov 2026".
    pub day: String,
    pub entries: Vec<CravingRow>,
}

/// The craving list, newest day first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingLogView {
    pub days: Vec<CravingDay>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn requests_round_trip() {
        round_trip(LogCravingReq { intensity: 7 });
        round_trip(SaveCravingReq {
            id: "a".into(),
            triggers: vec![Trigger::PhysicalPain],
            tags: vec!["payday".into()],
            place: "home".into(),
            with_whom: String::new(),
            coping: vec!["Called someone".into()],
            outcome: Some(Outcome::RodeItOut),
            end_intensity: Some(2),
            note: "‏שלום".into(),
        });
    }
}
