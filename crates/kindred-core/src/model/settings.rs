//! Device settings that shape time and reminders: the mentee's time zone, the time of day for
//! celebration reminders, quiet hours and discreet notification text.

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A daily window during which no notification is shown. May wrap midnight (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl QuietHours {
    /// Whether a local time of day falls inside the window (`from` inclusive, `to` exclusive).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from == self.to {
            false
        } else if self.from < self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

/// Settings the mentee controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The mentee's time zone: days and reminder times are computed in it.
    pub tz: Tz,
    /// Whether milestone celebration reminders are shown.
    pub milestone_reminders: bool,
    /// Local time of day for celebration reminders.
    pub reminder_time: NaiveTime,
    /// No notification inside this window.
    pub quiet_hours: Option<QuietHours>,
    /// Notification text never hints at recovery (on by default).
    pub discreet: bool,
    /// Local time of the daily check-in reminder; `None`: no reminder.
    pub checkin_time: Option<NaiveTime>,
}

impl Settings {
    /// Defaults for a new install in zone `tz`: reminders at 09:00, quiet 22:00–08:00, discreet.
    pub fn defaults(tz: Tz) -> Self {
        Self {
            tz,
            milestone_reminders: true,
            reminder_time: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
            quiet_hours: Some(QuietHours {
                from: NaiveTime::from_hms_opt(22, 0, 0).expect("valid"),
                to: NaiveTime::from_hms_opt(8, 0, 0).expect("valid"),
            }),
            discreet: true,
            checkin_time: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let q = QuietHours { from: t(22, 0), to: t(7, 0) };
        assert!(q.contains(t(23, 0)) && q.contains(t(0, 0)) && q.contains(t(6, 59)));
        assert!(!q.contains(t(7, 0)) && !q.contains(t(12, 0)) && !q.contains(t(21, 59)));
        let day = QuietHours { from: t(13, 0), to: t(14, 0) };
        assert!(day.contains(t(13, 30)) && !day.contains(t(14, 0)));
        assert!(!QuietHours { from: t(1, 0), to: t(1, 0) }.contains(t(1, 0)));
    }
}
