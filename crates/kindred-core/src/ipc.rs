//! The IPC contract between the UI (`kindred-ui`) and the shell (`kindred-app`): command names
//! and their request/response DTOs. Both sides compile against these types, so a changed shape
//! fails to build on both. Every command takes exactly one argument named `req`.
//!
//! Requests are hostile input: every struct denies unknown fields, text and dates arrive as
//! strings and are validated by `kindred-client`. Responses carry display-ready strings so the UI
//! needs no time-zone data (keeps the wasm small).

use serde::{Deserialize, Serialize};

use crate::ids::{CravingId, GoalId, PlanItemId, TrackerId};
use crate::model::contact::Role;
use crate::model::craving::{Outcome, Trigger};
use crate::model::ladder::{Ladder, TagColor};
use crate::model::plan::{GoalStatus, Section};
use crate::model::tracker::Halt;
use crate::stats::Stats;

/// Command names, as registered in the shell and invoked by the UI.
pub mod cmd {
    pub const TODAY: &str = "today";
    pub const CREATE_TRACKER: &str = "create_tracker";
    pub const RENAME_TRACKER: &str = "rename_tracker";
    pub const SET_LADDER: &str = "set_ladder";
    pub const DELETE_TRACKER: &str = "delete_tracker";
    pub const UNDO_DELETE_TRACKER: &str = "undo_delete_tracker";
    pub const TRACKER_DETAIL: &str = "tracker_detail";
    pub const RESET_TRACKER: &str = "reset_tracker";
    pub const ACK_CELEBRATION: &str = "ack_celebration";
    pub const GET_SETTINGS: &str = "get_settings";
    pub const SAVE_SETTINGS: &str = "save_settings";
    pub const LOG_CRAVING: &str = "log_craving";
    pub const CRAVING_DETAIL: &str = "craving_detail";
    pub const SAVE_CRAVING: &str = "save_craving";
    pub const DELETE_CRAVING: &str = "delete_craving";
    pub const UNDO_DELETE_CRAVING: &str = "undo_delete_craving";
    pub const CRAVING_LOG: &str = "craving_log";
    pub const GET_CONTACTS: &str = "get_contacts";
    pub const SAVE_CONTACT: &str = "save_contact";
    pub const CONTACT_MENTOR: &str = "contact_mentor";
    pub const OPEN_HELP: &str = "open_help";
    pub const CHECK_IN: &str = "check_in";
    pub const CHECK_INS: &str = "check_ins";
    pub const GET_PLAN: &str = "get_plan";
    pub const ADD_PLAN_ITEM: &str = "add_plan_item";
    pub const DELETE_PLAN_ITEM: &str = "delete_plan_item";
    pub const ADD_GOAL: &str = "add_goal";
    pub const SET_GOAL_STATUS: &str = "set_goal_status";
    pub const DELETE_GOAL: &str = "delete_goal";
    pub const INSIGHTS: &str = "insights";
    pub const START_SURF: &str = "start_surf";
    pub const END_SURF: &str = "end_surf";
    pub const EXPORT_DATA: &str = "export_data";
    pub const IMPORT_DATA: &str = "import_data";
    pub const DELETE_ALL_DATA: &str = "delete_all_data";
    pub const SYNC_STATUS: &str = "sync_status";
    pub const CONNECT_PROGRAM: &str = "connect_program";
    pub const DISCONNECT_PROGRAM: &str = "disconnect_program";
    pub const SYNC_NOW: &str = "sync_now";
    pub const PROGRAM_HELP: &str = "program_help";
    pub const CALL_PROGRAM_HELP: &str = "call_program_help";
}

/// The words the mentee types to confirm deleting everything.
pub const DELETE_ALL_WORDS: &str = "delete everything";

/// The error every command answers with: a small stable code and a plain message for the mentee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    /// Stable machine code: `invalid`, `not_found`, `storage`, `newer_version`, `corrupt`, `internal`.
    pub code: String,
    /// What the mentee reads. Never contains stored content.
    pub message: String,
}

/// A request with no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

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

/// Settings as shown and edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsView {
    pub tz: String,
    pub milestone_reminders: bool,
    /// `HH:MM`.
    pub reminder_time: String,
    pub quiet_hours: bool,
    /// `HH:MM`.
    pub quiet_from: String,
    /// `HH:MM`.
    pub quiet_to: String,
    pub discreet: bool,
    /// A daily check-in reminder at `checkin_time`.
    pub checkin_reminder: bool,
    /// `HH:MM`.
    pub checkin_time: String,
}

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

/// A mentor contact as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub role: Role,
    pub name: String,
    pub phone: Option<String>,
    pub sms: Option<String>,
    pub email: Option<String>,
    /// "Mon–Fri 09:00–17:00", or `None` when no hours were given.
    pub hours_text: Option<String>,
    /// Weekdays (0 = Monday) and `HH:MM` times, for the form.
    pub hours_days: Vec<u8>,
    pub hours_from: String,
    pub hours_to: String,
    /// Inside the hours now (or no hours given).
    pub available_now: bool,
    pub note: String,
}

/// Both mentor contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactsView {
    pub primary: Option<ContactView>,
    pub backup: Option<ContactView>,
}

/// Create or change a mentor contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveContactReq {
    pub role: Role,
    pub name: String,
    pub phone: String,
    pub sms: String,
    pub email: String,
    /// Empty: no hours (always shown as available).
    pub hours_days: Vec<u8>,
    pub hours_from: String,
    pub hours_to: String,
    pub note: String,
}

/// How to reach a mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Call,
    Text,
    Email,
}

/// Call, text or e-mail a mentor: the shell builds the link from the stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactMentorReq {
    pub role: Role,
    pub channel: ContactChannel,
}

/// Open one of the bundled help lines by id (`kindred_core::model::help::HELP_LINES`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenHelpReq {
    pub id: String,
}

/// A daily check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInReq {
    /// 1 (low) to 5 (good).
    pub mood: i64,
    pub craving: bool,
    pub halt: Vec<Halt>,
    pub line: String,
}

/// One check-in in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInRow {
    pub when: String,
    pub mood: u8,
    pub craving: bool,
    pub halt: Vec<Halt>,
    pub line: Option<String>,
}

/// Recent check-ins, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInsView {
    pub entries: Vec<CheckInRow>,
}

/// One plan entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItemView {
    pub id: PlanItemId,
    pub text: String,
}

/// One section of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSectionView {
    pub section: Section,
    pub items: Vec<PlanItemView>,
}

/// A goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalView {
    pub id: GoalId,
    pub text: String,
    pub status: GoalStatus,
}

/// The relapse-prevention plan (every section, in order) and the goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub sections: Vec<PlanSectionView>,
    pub goals: Vec<GoalView>,
}

/// Add an entry to a plan section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddPlanItemReq {
    pub section: Section,
    pub text: String,
}

/// Add a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddGoalReq {
    pub text: String,
}

/// Change a goal's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetGoalStatusReq {
    pub id: String,
    pub status: GoalStatus,
}

/// A request naming one goal or plan entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    pub id: String,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// One complete JSON file (can be imported).
    Json,
    /// One CSV file per kind of record.
    Csv,
}

/// Export everything to a place the mentee picks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportReq {
    pub kind: ExportKind,
}

/// How an export or import went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataDone {
    /// `false` when the mentee cancelled the file dialog.
    pub done: bool,
    /// A plain sentence about what happened.
    pub message: String,
}

/// Delete everything on this device; `confirm` must be [`DELETE_ALL_WORDS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteAllReq {
    pub confirm: String,
}

/// The event the shell emits after every sync cycle, with a [`SyncEvent`] payload.
pub const SYNC_EVENT: &str = "sync-status";

/// Where syncing with the mentee's program stands, as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatusView {
    /// Connected to a program (also while revoked or waiting for a new code).
    pub connected: bool,
    pub program_name: Option<String>,
    /// The server's host (and port), for recognising it; never a path or token.
    pub server: Option<String>,
    pub status: crate::sync::status::Status,
    /// When the last cycle finished (unix ms).
    pub last_synced_at: Option<i64>,
    /// Changes recorded here and not yet accepted by the program's server.
    pub pending: i64,
    /// Changes the server refused (kept on this phone).
    pub rejected: i64,
    /// A plain sentence when the state needs the mentee (or explains a quiet wait).
    pub message: Option<String>,
    /// The mentee has to act (disconnected by the program, new code, update the app).
    pub needs_you: bool,
}

/// Payload of [`SYNC_EVENT`]: the new status and how many rows the cycle brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEvent {
    pub status: SyncStatusView,
    pub pulled: u64,
}

/// Connect this phone to a program with the address and invite code the program gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectProgramReq {
    pub server: String,
    pub code: String,
}

/// A help number the program published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramHelpNumber {
    pub id: String,
    pub label: String,
    /// Shown as published; calling goes through [`cmd::CALL_PROGRAM_HELP`].
    pub phone: Option<String>,
    pub sms: Option<String>,
    pub hours: Option<String>,
}

/// A resource the program published (text only; a web address is shown, not opened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramResource {
    pub id: String,
    pub title: String,
    pub body: Option<String>,
    pub url: Option<String>,
}

/// The program's help numbers and resources, in the program's order. Empty when not connected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramHelpView {
    pub program_name: Option<String>,
    pub numbers: Vec<ProgramHelpNumber>,
    pub resources: Vec<ProgramResource>,
}

/// Call or text one of the program's help numbers: the shell builds the link from the stored
/// number (`Email` is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramHelpReq {
    pub id: String,
    pub channel: ContactChannel,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: T) {
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
    }

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
        round_trip(SettingsView {
            tz: "UTC".into(),
            milestone_reminders: true,
            reminder_time: "09:00".into(),
            quiet_hours: true,
            quiet_from: "22:00".into(),
            quiet_to: "08:00".into(),
            discreet: true,
            checkin_reminder: false,
            checkin_time: "20:00".into(),
        });
        round_trip(TrackerRef { id: "a".into() });
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
        round_trip(SaveContactReq {
            role: Role::Backup,
            name: "Sam".into(),
            phone: "555 123 4567".into(),
            sms: String::new(),
            email: "sam@example.org".into(),
            hours_days: vec![0, 4],
            hours_from: "09:00".into(),
            hours_to: "17:00".into(),
            note: String::new(),
        });
        round_trip(ContactMentorReq { role: Role::Primary, channel: ContactChannel::Call });
        round_trip(OpenHelpReq { id: "988-call".into() });
        round_trip(CheckInReq {
            mood: 3,
            craving: true,
            halt: vec![Halt::Tired],
            line: "ok".into(),
        });
        round_trip(AddPlanItemReq { section: Section::People, text: "Sam".into() });
        round_trip(SetGoalStatusReq { id: "a".into(), status: GoalStatus::Done });
        round_trip(AckCelebrationReq { tracker_id: "a".into(), keys: vec!["k".into()] });
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<TrackerRef>(r#"{"id":"a","owner_id":"b"}"#);
        assert!(err.is_err());
        let err = serde_json::from_str::<Empty>(r#"{"x":1}"#);
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

    #[test]
    fn program_requests_round_trip() {
        round_trip(ConnectProgramReq { server: "kindred.example.org".into(), code: "ab".into() });
        round_trip(ProgramHelpReq { id: "h".into(), channel: ContactChannel::Text });
        let err =
            serde_json::from_str::<ConnectProgramReq>(r#"{"server":"a","code":"b","token":"c"}"#);
        assert!(err.is_err());
    }
}
