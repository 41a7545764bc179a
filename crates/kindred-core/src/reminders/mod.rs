//! Celebration reminder planning: a pure function from trackers, settings and `now` to the
//! notifications a shell should schedule.
//!
//! Every milestone ahead (except a "welcome" at the very start) gets two gentle reminders, both at
//! the mentee's chosen time of day in their current zone ([`Settings::tz`]):
//!
//! - [`ReminderKind::DayBefore`]: on the local date before the milestone's local date;
//! - [`ReminderKind::OnTheDay`]: on the milestone's local date, but never before the milestone is
//!   actually reached (if the chosen time comes first, it fires at the milestone itself).
//!
//! A reminder that falls inside quiet hours moves to the end of the quiet window. If that would
//! put a day-before reminder at or after the milestone itself, it is dropped; an on-the-day
//! reminder may move to the next morning. Times that do not exist locally (DST gaps) move forward
//! to the first minute that does.
//!
//! With [`Settings::discreet`] on, the text never hints at what is being tracked: the title is
//! "Kindred" and the body is a neutral line with no word from [`BLOCKLIST`]. Otherwise the text
//! names the tracker and the milestone. Ids never appear in the text.
//!
//! Each reminder carries a stable [`Reminder::key`], so a shell can re-plan as often as it likes
//! and schedule each notification once.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::clock::{local_date, resolve_local, ZonedDateTime};
use crate::ids::TrackerId;
use crate::milestones::{milestones_for, DatedMilestone};
use crate::model::settings::Settings;
use crate::model::tracker::Tracker;

/// Words a notification must never contain when `settings.discreet` is on (lowercase; checked as
/// case-insensitive substrings).
pub const BLOCKLIST: &[&str] = &[
    "sober",
    "sobriety",
    "craving",
    "recovery",
    "relapse",
    "lapse",
    "alcohol",
    "drink",
    "drug",
    "addiction",
    "clean",
    "milestone",
    "mentor",
    "gambl",
    "opioid",
    "use",
];

/// Which of a milestone's two reminders this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The day before the milestone.
    DayBefore,
    /// The day of the milestone.
    OnTheDay,
}

impl ReminderKind {
    /// The snake_case name used in keys (matches the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::DayBefore => "day_before",
            ReminderKind::OnTheDay => "on_the_day",
        }
    }
}

/// One notification to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// When to show it.
    pub at: DateTime<Utc>,
    pub kind: ReminderKind,
    pub tracker_id: TrackerId,
    /// The milestone's key within its ladder, e.g. `d30`.
    pub milestone_key: String,
    /// Stable dedupe key: tracker id + attempt start (unix secs) + milestone key + kind
    pub key: String,
    pub title: String,
    pub body: String,
}

/// One tracker to plan for, with the start of its running attempt
/// ([`current_start`](crate::milestones::current_start)).
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub tracker: &'a Tracker,
    pub current_start: ZonedDateTime,
}

/// Reminders due in `(now, now + horizon]`, sorted by `(at, key)`, keys unique.
///
/// Empty when `settings.milestone_reminders` is off or `horizon` is not positive.
pub fn plan(
    inputs: &[PlanInput<'_>],
    settings: &Settings,
    now: DateTime<Utc>,
    horizon: Duration,
) -> Vec<Reminder> {
    if !settings.milestone_reminders || horizon <= Duration::zero() {
        return Vec::new();
    }
    let until = now.checked_add_signed(horizon).unwrap_or(DateTime::<Utc>::MAX_UTC);
    let mut out = Vec::new();
    for input in inputs {
        for dm in relevant_milestones(input, now, until) {
            out.extend(reminders_for(input, &dm, settings));
        }
    }
    out.retain(|r| now < r.at && r.at <= until);
    out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
    let mut seen = BTreeSet::new();
    out.retain(|r| seen.insert(r.key.clone()));
    out
}

/// The milestones whose reminders could fall in `(now, until]`: a reminder is never more than
/// two days before its milestone, nor (after quiet hours) more than about two days after it.
fn relevant_milestones(
    input: &PlanInput<'_>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DatedMilestone> {
    let margin = Duration::days(3);
    let from = now.checked_sub_signed(margin).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let to = until.checked_add_signed(margin).unwrap_or(DateTime::<Utc>::MAX_UTC);
    let ladder = &input.tracker.ladder;
    let mut upcoming = 32;
    loop {
        let (reached, ahead) = milestones_for(ladder, &input.current_start, now, upcoming);
        let exhausted = ahead.len() < upcoming || ahead.last().is_some_and(|m| m.at > to);
        if exhausted || upcoming >= 4096 {
            return reached
                .into_iter()
                .chain(ahead)
                .filter(|m| m.at >= from && m.at <= to && m.milestone.span.approx_hours() > 0)
                .collect();
        }
        upcoming *= 4;
    }
}

/// The (up to two) reminders of one milestone, before the `(now, until]` filter.
fn reminders_for(input: &PlanInput<'_>, dm: &DatedMilestone, settings: &Settings) -> Vec<Reminder> {
    let tz = settings.tz;
    let day = local_date(dm.at, tz);
    let at_time = |d: NaiveDate| resolve_local(d.and_time(settings.reminder_time), tz);
    let mut out = Vec::with_capacity(2);
    if let Some(before) = day.pred_opt() {
        if let Some(at) = out_of_quiet_hours(at_time(before), settings) {
            if at < dm.at {
                out.push(reminder(input, dm, settings, ReminderKind::DayBefore, at));
            }
        }
    }
    if let Some(at) = out_of_quiet_hours(at_time(day).max(dm.at), settings) {
        out.push(reminder(input, dm, settings, ReminderKind::OnTheDay, at));
    }
    out
}

/// Moves `t` to the end of the quiet window when its local time of day is inside it. `None` in
/// the (theoretical) case that DST data keeps it inside.
fn out_of_quiet_hours(t: DateTime<Utc>, settings: &Settings) -> Option<DateTime<Utc>> {
    let Some(quiet) = settings.quiet_hours else {
        return Some(t);
    };
    let tz = settings.tz;
    let mut t = t;
    for _ in 0..3 {
        let local = t.with_timezone(&tz).naive_local();
        if !quiet.contains(local.time()) {
            return Some(t);
        }
        // The next occurrence of `to` at or after the reminder.
        let date = if local.time() <= quiet.to { local.date() } else { local.date().succ_opt()? };
        t = first_at_or_after(date.and_time(quiet.to), tz, t)?;
    }
    None
}

/// The instant of local time `local` in `tz` that is not before `not_before`: for a time that
/// happens twice, the later occurrence when the earlier one has passed; for one in a DST gap, the
/// first minute after the gap.
fn first_at_or_after(
    local: NaiveDateTime,
    tz: Tz,
    not_before: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let t = match tz.from_local_datetime(&local) {
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            let (early, late) = (a.min(b), a.max(b));
            if early >= not_before {
                early
            } else {
                late
            }
        }
        _ => resolve_local(local, tz),
    };
    (t >= not_before).then_some(t)
}

fn reminder(
    input: &PlanInput<'_>,
    dm: &DatedMilestone,
    settings: &Settings,
    kind: ReminderKind,
    at: DateTime<Utc>,
) -> Reminder {
    let tracker = input.tracker;
    let key = format!(
        "{}:{}:{}:{}",
        tracker.id,
        input.current_start.instant().timestamp(),
        dm.milestone.key,
        kind.as_str()
    );
    let milestone_day = local_date(dm.at, settings.tz);
    let reminder_day = local_date(at, settings.tz);
    let (title, body) = text(
        kind,
        settings.discreet,
        &tracker.label,
        &dm.milestone.label,
        (milestone_day - reminder_day).num_days(),
    );
    Reminder {
        at,
        kind,
        tracker_id: tracker.id,
        milestone_key: dm.milestone.key.clone(),
        key,
        title,
        body,
    }
}

/// Title and body. `days_ahead` is the milestone's local date minus the reminder's local date
/// (1 the day before, 0 on the day, negative when quiet hours pushed it to a later day).
fn text(
    kind: ReminderKind,
    discreet: bool,
    tracker: &str,
    label: &str,
    days_ahead: i64,
) -> (String, String) {
    match (kind, discreet) {
        (ReminderKind::DayBefore, true) => {
            let when = when_ahead(days_ahead);
            ("Kindred".into(), format!("Something good is coming up {when}."))
        }
        (ReminderKind::DayBefore, false) => {
            let when = when_ahead(days_ahead);
            let title = format!("{}: {label}", capitalized(when));
            (title, format!("{tracker} — {label} {when}. Something to look forward to."))
        }
        (ReminderKind::OnTheDay, true) => {
            let body = if days_ahead >= 0 {
                "Today is a day worth marking. Open Kindred when you have a moment."
            } else {
                "A recent day is worth marking. Open Kindred when you have a moment."
            };
            ("Kindred".into(), body.into())
        }
        (ReminderKind::OnTheDay, false) => {
            let when = if days_ahead >= 0 { "today" } else { "reached" };
            (label.to_owned(), format!("{tracker} — {label} {when}. Well done."))
        }
    }
}

fn when_ahead(days_ahead: i64) -> &'static str {
    match days_ahead {
        1 => "tomorrow",
        0 => "later today",
        _ => "soon",
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A daily check-in reminder. Its text is always discreet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInReminder {
    pub at: DateTime<Utc>,
    /// Stable dedupe key: `check_in:<local date>`.
    pub key: String,
    pub title: String,
    pub body: String,
}

/// Check-in reminders due in `(now, now + horizon]`: one a day at `settings.checkin_time` in
/// `settings.tz`, moved out of quiet hours. Empty when no check-in time is set. No streaks, no
/// "you missed" wording.
pub fn check_in_plan(
    settings: &Settings,
    now: DateTime<Utc>,
    horizon: Duration,
) -> Vec<CheckInReminder> {
    let Some(time) = settings.checkin_time else { return Vec::new() };
    if horizon <= Duration::zero() {
        return Vec::new();
    }
    let until = now.checked_add_signed(horizon).unwrap_or(DateTime::<Utc>::MAX_UTC);
    let first = local_date(now, settings.tz).pred_opt().unwrap_or(NaiveDate::MIN);
    let last = local_date(until, settings.tz);
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        let at = resolve_local(day.and_time(time), settings.tz);
        if let Some(at) = out_of_quiet_hours(at, settings) {
            if now < at && at <= until {
                out.push(CheckInReminder {
                    at,
                    key: format!("check_in:{day}"),
                    title: "Kindred".to_owned(),
                    body: "A moment for yourself? Open Kindred when you have a minute.".to_owned(),
                });
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
    out.dedup_by(|a, b| a.key == b.key);
    out
}

#[cfg(test)]
mod tests;
