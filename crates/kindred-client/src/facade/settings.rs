//! Settings, as `Kindred` use cases: the effective settings every other area reads, and the
//! settings page. Mirrors the shell's `commands/settings.rs`.

use chrono::NaiveTime;
use kindred_core::clock::parse_tz;
use kindred_core::ipc::SettingsView;
use kindred_core::model::settings::{QuietHours, Settings};

use crate::store;
use crate::{Kindred, Result};

impl Kindred {
    /// The effective settings (saved, or defaults in the device's zone).
    pub fn settings(&mut self) -> Result<Settings> {
        let default_tz = self.default_tz;
        self.store
            .read(|tx| Ok(store::settings::get(tx)?.unwrap_or(Settings::defaults(default_tz))))
    }

    /// Settings as the settings page shows them.
    pub fn get_settings(&mut self) -> Result<SettingsView> {
        let s = self.settings()?;
        let hm = |t: NaiveTime| t.format("%H:%M").to_string();
        let quiet = s.quiet_hours.unwrap_or(Settings::defaults(s.tz).quiet_hours.expect("default"));
        Ok(SettingsView {
            tz: s.tz.name().to_owned(),
            milestone_reminders: s.milestone_reminders,
            reminder_time: hm(s.reminder_time),
            quiet_hours: s.quiet_hours.is_some(),
            quiet_from: hm(quiet.from),
            quiet_to: hm(quiet.to),
            discreet: s.discreet,
            checkin_reminder: s.checkin_time.is_some(),
            checkin_time: hm(s
                .checkin_time
                .unwrap_or(NaiveTime::from_hms_opt(20, 0, 0).expect("valid"))),
        })
    }

    /// Saves settings from the settings page.
    pub fn save_settings(&mut self, req: SettingsView) -> Result<()> {
        let time = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| kindred_core::Error::InvalidTimeOfDay)
        };
        let settings = Settings {
            tz: parse_tz(req.tz.trim())?,
            milestone_reminders: req.milestone_reminders,
            reminder_time: time(&req.reminder_time)?,
            quiet_hours: if req.quiet_hours {
                Some(QuietHours { from: time(&req.quiet_from)?, to: time(&req.quiet_to)? })
            } else {
                None
            },
            discreet: req.discreet,
            checkin_time: if req.checkin_reminder { Some(time(&req.checkin_time)?) } else { None },
        };
        let now = self.now();
        self.write(now, |tx, ctx| store::settings::save(tx, ctx, &settings))
    }
}
