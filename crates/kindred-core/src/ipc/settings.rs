//! Settings DTO: one view, shown and saved whole.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn requests_round_trip() {
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
    }
}
