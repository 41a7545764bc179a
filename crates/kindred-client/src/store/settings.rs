//! The settings register: one row, created on first save. Until then defaults apply.

use chrono::NaiveTime;
use kindred_core::entity::SETTINGS;
use kindred_core::model::settings::{QuietHours, Settings};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

use super::outbox::{self, Change, Op, WriteCtx};
use crate::Result;

/// The stored settings, if any were saved.
pub fn get(tx: &Transaction<'_>) -> Result<Option<Settings>> {
    let raw = tx
        .prepare_cached(
            "SELECT tz, milestone_reminders, reminder_time, quiet_hours, discreet, checkin_time
             FROM settings WHERE cl % 2 = 1 ORDER BY id LIMIT 1",
        )?
        .query_row([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .optional()?;
    let Some((tz, milestone_reminders, time, quiet, discreet, checkin)) = raw else {
        return Ok(None);
    };
    Ok(Some(Settings {
        tz: kindred_core::clock::parse_tz(&tz)?,
        milestone_reminders,
        reminder_time: NaiveTime::parse_from_str(&time, "%H:%M:%S")
            .map_err(|_| kindred_core::Error::InvalidTimeOfDay)?,
        quiet_hours: quiet.map(|q| serde_json::from_str::<QuietHours>(&q)).transpose()?,
        discreet,
        checkin_time: checkin
            .map(|t| NaiveTime::parse_from_str(&t, "%H:%M:%S"))
            .transpose()
            .map_err(|_| kindred_core::Error::InvalidTimeOfDay)?,
    }))
}

/// Saves the settings, recording only the fields that changed.
pub fn save(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, s: &Settings) -> Result<()> {
    let existing: Option<String> = tx
        .query_row("SELECT id FROM settings WHERE cl % 2 = 1 ORDER BY id LIMIT 1", [], |r| r.get(0))
        .optional()?;
    let before = get(tx)?;
    let quiet = s.quiet_hours.map(|q| serde_json::to_string(&q)).transpose()?;
    let time = s.reminder_time.format("%H:%M:%S").to_string();
    let checkin = s.checkin_time.map(|t| t.format("%H:%M:%S").to_string());
    let all = [
        ("tz", json!(s.tz.name())),
        ("milestone_reminders", json!(s.milestone_reminders)),
        ("reminder_time", json!(time)),
        ("quiet_hours", json!(s.quiet_hours)),
        ("discreet", json!(s.discreet)),
        ("checkin_time", json!(checkin)),
    ];
    let (id, op, fields) = match (existing, before) {
        (Some(id), Some(b)) => {
            let old = [
                json!(b.tz.name()),
                json!(b.milestone_reminders),
                json!(b.reminder_time.format("%H:%M:%S").to_string()),
                json!(b.quiet_hours),
                json!(b.discreet),
                json!(b.checkin_time.map(|t| t.format("%H:%M:%S").to_string())),
            ];
            let changed: Vec<_> = all
                .into_iter()
                .zip(old)
                .filter(|((_, new), old)| new != old)
                .map(|(f, _)| f)
                .collect();
            if changed.is_empty() {
                return Ok(());
            }
            tx.execute(
                "UPDATE settings SET tz = ?1, milestone_reminders = ?2, reminder_time = ?3,
                        quiet_hours = ?4, discreet = ?5, checkin_time = ?6 WHERE id = ?7",
                params![s.tz.name(), s.milestone_reminders, time, quiet, s.discreet, checkin, id],
            )?;
            (
                uuid::Uuid::parse_str(&id).map_err(|_| kindred_core::Error::InvalidId)?,
                Op::Set,
                changed,
            )
        }
        _ => {
            let id = ctx.ids.next();
            tx.execute(
                "INSERT INTO settings (id, cl, tz, milestone_reminders, reminder_time, quiet_hours,
                                       discreet, checkin_time)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id.to_string(),
                    s.tz.name(),
                    s.milestone_reminders,
                    time,
                    quiet,
                    s.discreet,
                    checkin
                ],
            )?;
            (id, Op::Create, all.into_iter().collect())
        }
    };
    outbox::record(
        tx,
        ctx,
        Change { entity: &SETTINGS, record_id: id, op, cl: 1, fields, not_before: None },
    )
}
