//! Tracker DTOs: the Today screen, create/rename/ladder/reset requests, celebrations and the
//! tracker page (milestones, attempts, the numbers that don't reset).

use serde::{Deserialize, Serialize};

use crate::ids::TrackerId;
use crate::model::ladder::{Ladder, TagColor};
use crate::model::tracker::Halt;
use crate::stats::Stats;

/// A request naming one tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerRef {
    pub id: String,
}

/// Sober time split for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoberTimeView {
    pub days: i64,
    pub hours: i64,
    pub minutes: i64,
    /// Whether hours and minutes are shown (the first three days).
    pub show_hours: bool,
}

/// The next milestone on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMilestoneView {
    pub label: String,
    /// When, in the mentee's zone: "Sat 14 Mar 2026, 21:00".
    pub when: String,
    /// How long until: "in 1 hour", "in 3 days".
    pub until: String,
    pub tag: Option<TagColor>,
}

/// One tracker on the Today screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerCard {
    pub id: TrackerId,
    pub label: String,
    pub sober: SoberTimeView,
    /// When the running attempt started, for display.
    pub since: String,
    pub next: Option<NextMilestoneView>,
}

/// A milestone reached since the app was last opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Celebration {
    pub tracker_id: TrackerId,
    pub tracker_label: String,
    pub milestone_label: String,
    pub tag: Option<TagColor>,
    /// Opaque keys to acknowledge with [`AckCelebrationReq`].
    pub keys: Vec<String>,
    /// A message the mentor left for this milestone, if any.
    #[serde(default)]
    pub message: Option<MentorMessage>,
}

/// A mentor's message for a celebration screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorMessage {
    pub from: String,
    pub text: String,
}

/// The Today screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayView {
    /// The mentee's time zone name.
    pub tz: String,
    pub trackers: Vec<TrackerCard>,
    /// The first milestone to celebrate, if any.
    pub celebration: Option<Celebration>,
}

/// Create a tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTrackerReq {
    pub label: String,
    /// `YYYY-MM-DDTHH:MM`, wall-clock time in `tz`; empty means now.
    pub start_local: String,
    /// IANA zone; `None` means the mentee's zone from settings.
    pub tz: Option<String>,
    pub ladder: Ladder,
}

/// Rename a tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameTrackerReq {
    pub id: String,
    pub label: String,
}

/// Change a tracker's milestone ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetLadderReq {
    pub id: String,
    pub ladder: Ladder,
}

/// Reset a tracker after a lapse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetTrackerReq {
    pub id: String,
    /// When the lapse happened, `YYYY-MM-DDTHH:MM` in the mentee's zone; empty means now.
    pub lapse_local: String,
    /// When the new attempt starts; `None` means at the lapse.
    pub new_start_local: Option<String>,
    pub halt: Vec<Halt>,
    pub what_happened: String,
    pub differently: String,
}

/// Acknowledge a celebration so it is not shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckCelebrationReq {
    pub tracker_id: String,
    pub keys: Vec<String>,
}

/// A milestone row on the milestones page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneRow {
    pub key: String,
    pub label: String,
    pub tag: Option<TagColor>,
    /// Date reached, or the date it will be reached.
    pub when: String,
}

/// One attempt in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub start: String,
    /// `None` for the running attempt.
    pub end: Option<String>,
    /// Length in days (so far, for the running attempt).
    pub days: i64,
    pub halt: Vec<Halt>,
    pub what_happened: Option<String>,
    pub differently: Option<String>,
    /// The lapse that ended this attempt, when it has a debrief the mentee can remove.
    pub debrief_id: Option<String>,
}

/// Names one lapse's debrief (the notes written when the lapse was recorded) to remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DebriefRef {
    pub tracker_id: String,
    pub reset_id: String,
}

/// The tracker page: milestones, history and the numbers that don't reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerDetail {
    pub id: TrackerId,
    pub label: String,
    pub ladder: Ladder,
    pub sober: SoberTimeView,
    pub since: String,
    /// The running attempt's start as `YYYY-MM-DDTHH:MM` in the mentee's zone (form minimum).
    pub since_local: String,
    pub reached: Vec<MilestoneRow>,
    pub upcoming: Vec<MilestoneRow>,
    /// Oldest first.
    pub attempts: Vec<AttemptRow>,
    pub stats: Stats,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn requests_round_trip() {
        round_trip(CreateTrackerReq {
            label: "Alcohol".into(),
            start_local: "2026-01-01T08:00".into(),
            tz: Some("Europe/Berlin".into()),
            ladder: Ladder::Custom(vec![crate::model::ladder::Span::Days(3)]),
        });
        round_trip(ResetTrackerReq {
            id: "x".into(),
            lapse_local: "2026-01-01T08:00".into(),
            new_start_local: None,
            halt: vec![Halt::Lonely],
            what_happened: "שלום 🌱".into(),
            differently: String::new(),
        });
        round_trip(TrackerRef { id: "a".into() });
        round_trip(DebriefRef { tracker_id: "a".into(), reset_id: "b".into() });
        round_trip(AckCelebrationReq { tracker_id: "a".into(), keys: vec!["k".into()] });
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<TrackerRef>(r#"{"id":"a","owner_id":"b"}"#);
        assert!(err.is_err());
    }

    #[test]
    fn ladder_wire_shape_is_stable() {
        let json =
            serde_json::to_string(&Ladder::Custom(vec![crate::model::ladder::Span::Days(3)]))
                .unwrap();
        assert_eq!(json, r#"{"kind":"custom","spans":[{"unit":"days","n":3}]}"#);
        assert_eq!(serde_json::to_string(&Ladder::Default).unwrap(), r#"{"kind":"default"}"#);
    }
}
