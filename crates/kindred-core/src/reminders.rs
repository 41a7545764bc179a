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
mod tests {
    use super::*;
    use crate::milestones::milestone_at;
    use crate::model::ladder::{Ladder, Span};
    use crate::model::settings::QuietHours;
    use chrono::NaiveTime;
    use proptest::prelude::*;
    use uuid::Uuid;

    /// Every IANA zone chrono-tz knows (DST rules, half-hour offsets, skipped days).
    const ZONES: &[Tz] = &chrono_tz::TZ_VARIANTS;

    fn ndt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn tracker(start: ZonedDateTime, ladder: Ladder) -> Tracker {
        Tracker {
            id: TrackerId::from_uuid(Uuid::from_u128(0x0190_f5b2_7c4e_7a00_8000_0000_0000_0001)),
            label: "Alcohol".into(),
            start,
            ladder,
        }
    }

    fn settings(tz: Tz, time: NaiveTime, quiet: Option<(NaiveTime, NaiveTime)>) -> Settings {
        Settings {
            tz,
            milestone_reminders: true,
            reminder_time: time,
            quiet_hours: quiet.map(|(from, to)| QuietHours { from, to }),
            discreet: true,
            checkin_time: None,
        }
    }

    fn blocked(s: &str) -> Option<&'static str> {
        let lower = s.to_lowercase();
        BLOCKLIST.iter().copied().find(|w| lower.contains(w))
    }

    #[test]
    fn thirty_days_across_spring_forward() {
        let tz = chrono_tz::America::New_York;
        let start = ZonedDateTime::new(ndt(2025, 2, 20, 21, 0), tz);
        let t = tracker(start, Ladder::Default);
        let input = [PlanInput { tracker: &t, current_start: start }];
        let s = settings(tz, hm(9, 0), None);
        let now = ZonedDateTime::new(ndt(2025, 3, 20, 12, 0), tz).instant();
        let plan = plan(&input, &s, now, Duration::days(7));
        assert_eq!(plan.len(), 2);
        let (before, on) = (&plan[0], &plan[1]);
        assert_eq!(before.kind, ReminderKind::DayBefore);
        assert_eq!(before.milestone_key, "d30");
        assert_eq!(before.at.with_timezone(&tz).naive_local(), ndt(2025, 3, 21, 9, 0));
        // 09:00 on the day comes before 21:00, when 30 days are reached: wait for the milestone.
        assert_eq!(on.kind, ReminderKind::OnTheDay);
        assert_eq!(on.at.with_timezone(&tz).naive_local(), ndt(2025, 3, 22, 21, 0));
        assert_eq!(on.at, milestone_at(&start, Span::Days(30)));
        let start_secs = start.instant().timestamp();
        assert_eq!(before.key, format!("{}:{start_secs}:d30:day_before", t.id));
        assert_eq!(on.key, format!("{}:{start_secs}:d30:on_the_day", t.id));
        assert_eq!(before.title, "Kindred");
        assert_eq!(before.body, "Something good is coming up tomorrow.");
    }

    #[test]
    fn off_means_nothing() {
        let tz = chrono_tz::UTC;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
        let t = tracker(start, Ladder::Default);
        let input = [PlanInput { tracker: &t, current_start: start }];
        let mut s = settings(tz, hm(9, 0), None);
        s.milestone_reminders = false;
        assert!(plan(&input, &s, start.instant(), Duration::days(400)).is_empty());
        s.milestone_reminders = true;
        assert!(!plan(&input, &s, start.instant(), Duration::days(400)).is_empty());
        assert!(plan(&input, &s, start.instant(), Duration::zero()).is_empty());
    }

    #[test]
    fn quiet_hours_move_to_their_end_and_drop_a_late_day_before() {
        let tz = chrono_tz::Europe::London;
        // 24 hours lands at 07:30 on 2 January.
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 7, 30), tz);
        let t = tracker(start, Ladder::Default);
        let input = [PlanInput { tracker: &t, current_start: start }];
        let s = settings(tz, hm(23, 0), Some((hm(22, 0), hm(8, 0))));
        let plan = plan(&input, &s, start.instant(), Duration::days(3));
        let h24: Vec<_> = plan.iter().filter(|r| r.milestone_key == "h24").collect();
        // The day before (1 Jan 23:00) would move to 2 Jan 08:00, after the milestone: dropped.
        assert_eq!(h24.len(), 1);
        assert_eq!(h24[0].kind, ReminderKind::OnTheDay);
        // On the day, 23:00 is quiet: it moves to 08:00 the next morning.
        assert_eq!(h24[0].at.with_timezone(&tz).naive_local(), ndt(2025, 1, 3, 8, 0));
        assert_eq!(
            h24[0].body,
            "A recent day is worth marking. Open Kindred when you have a moment."
        );

        // 24 hours lands at 07:00 on 2 January; reminders at 06:00 are quiet until 08:00.
        let early = settings(tz, hm(6, 0), Some((hm(22, 0), hm(8, 0))));
        let t2 = tracker(ZonedDateTime::new(ndt(2025, 1, 1, 7, 0), tz), Ladder::Default);
        let input = [PlanInput { tracker: &t2, current_start: t2.start }];
        let plan = super::plan(&input, &early, t2.start.instant(), Duration::days(3));
        let local: Vec<_> =
            plan.iter().map(|r| (r.kind, r.at.with_timezone(&tz).naive_local())).collect();
        assert_eq!(
            local,
            [
                (ReminderKind::DayBefore, ndt(2025, 1, 1, 8, 0)),
                (ReminderKind::OnTheDay, ndt(2025, 1, 2, 8, 0)),
            ]
        );
    }

    #[test]
    fn welcome_is_skipped_and_text_names_things_when_not_discreet() {
        let tz = chrono_tz::UTC;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
        let t = tracker(start, Ladder::NaKeyTags);
        let input = [PlanInput { tracker: &t, current_start: start }];
        let mut s = settings(tz, hm(9, 0), None);
        s.discreet = false;
        let now = start.instant() - Duration::hours(1);
        let plan = plan(&input, &s, now, Duration::days(40));
        let keys: Vec<_> = plan.iter().map(|r| r.milestone_key.as_str()).collect();
        assert_eq!(keys, ["d30", "d30"]);
        assert_eq!(plan[0].title, "Tomorrow: 30 days");
        assert_eq!(plan[0].body, "Alcohol — 30 days tomorrow. Something to look forward to.");
        assert_eq!(plan[1].title, "30 days");
        assert_eq!(plan[1].body, "Alcohol — 30 days today. Well done.");
        let id = t.id.to_string();
        assert!(plan.iter().all(|r| !r.title.contains(&id) && !r.body.contains(&id)));
    }

    #[test]
    fn reached_today_still_gets_its_on_the_day_reminder() {
        let tz = chrono_tz::Asia::Kolkata;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 7, 0), tz);
        let t = tracker(start, Ladder::Default);
        let input = [PlanInput { tracker: &t, current_start: start }];
        let s = settings(tz, hm(10, 0), None);
        // 7 days reached at 07:00; at 08:00 the 10:00 reminder is still ahead.
        let now = ZonedDateTime::new(ndt(2025, 1, 8, 8, 0), tz).instant();
        let plan = plan(&input, &s, now, Duration::hours(6));
        assert_eq!(plan.len(), 1);
        assert_eq!((plan[0].milestone_key.as_str(), plan[0].kind), ("d7", ReminderKind::OnTheDay));
    }

    #[test]
    fn every_text_variant_is_discreet() {
        for kind in [ReminderKind::DayBefore, ReminderKind::OnTheDay] {
            for days_ahead in -2..=2 {
                let (title, body) = text(kind, true, "Alcohol", "30 days", days_ahead);
                assert_eq!(blocked(&title), None, "{title}");
                assert_eq!(blocked(&body), None, "{body}");
            }
        }
        assert_eq!(blocked("Because it's useful"), Some("use"));
        assert_eq!(blocked("Sobriety"), Some("sobriety"));
        assert_eq!(blocked("Sober"), Some("sober"));
    }

    #[test]
    fn duplicate_inputs_give_unique_keys() {
        let tz = chrono_tz::UTC;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
        let t = tracker(start, Ladder::Default);
        let one = PlanInput { tracker: &t, current_start: start };
        let s = settings(tz, hm(9, 0), None);
        let a = plan(&[one], &s, start.instant(), Duration::days(100));
        let b = plan(&[one, one], &s, start.instant(), Duration::days(100));
        assert_eq!(a, b);
    }

    fn arb_ladder() -> impl Strategy<Value = Ladder> {
        prop_oneof![
            Just(Ladder::Default),
            Just(Ladder::AaChips),
            Just(Ladder::NaKeyTags),
            Just(Ladder::Custom(vec![
                Span::Hours(12),
                Span::Days(2),
                Span::Days(3),
                Span::Months(1)
            ])),
        ]
    }

    fn arb_time() -> impl Strategy<Value = NaiveTime> {
        (0u32..24, prop_oneof![Just(0u32), 0u32..60]).prop_map(|(h, m)| hm(h, m))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn planned_reminders_keep_the_rules(
            (y, day, minute) in (2000i32..2031, 0u32..366, 0u32..1440),
            (start_zone, zone) in (0..ZONES.len(), 0..ZONES.len()),
            ladder in arb_ladder(),
            reminder_time in arb_time(),
            quiet in proptest::option::of((arb_time(), arb_time())),
            discreet in any::<bool>(),
            now_offset in prop_oneof![-5i64 * 1440..200 * 1440, -5i64 * 1440..3 * 365 * 1440],
            horizon_minutes in 60i64..90 * 1440,
        ) {
            let local = NaiveDate::from_yo_opt(y, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
                + Duration::days(i64::from(day))
                + Duration::minutes(i64::from(minute));
            let start = ZonedDateTime::new(local, ZONES[start_zone]);
            let t = tracker(start, ladder.clone());
            let mut s = settings(ZONES[zone], reminder_time, quiet);
            s.discreet = discreet;
            let now = start.instant() + Duration::minutes(now_offset);
            let horizon = Duration::minutes(horizon_minutes);
            let input = [PlanInput { tracker: &t, current_start: start }];
            let plan = plan(&input, &s, now, horizon);

            let milestones = ladder.milestones(40);
            let instant_of = |key: &str| {
                let m = milestones.iter().find(|m| m.key == key).expect("known key");
                milestone_at(&start, m.span)
            };
            let mut keys = BTreeSet::new();
            for r in &plan {
                prop_assert!(now < r.at && r.at <= now + horizon);
                let local = r.at.with_timezone(&s.tz).naive_local();
                if let Some(q) = s.quiet_hours {
                    prop_assert!(!q.contains(local.time()), "{:?} in quiet hours", local);
                }
                let m_at = instant_of(&r.milestone_key);
                match r.kind {
                    ReminderKind::OnTheDay => prop_assert!(r.at >= m_at),
                    ReminderKind::DayBefore => prop_assert!(r.at < m_at),
                }
                prop_assert!(r.milestone_key != "welcome");
                prop_assert!(keys.insert(r.key.clone()), "duplicate key {}", r.key);
                prop_assert!(!r.title.contains(&t.id.to_string()));
                prop_assert!(!r.body.contains(&t.id.to_string()));
                if discreet {
                    prop_assert_eq!(blocked(&r.title), None);
                    prop_assert_eq!(blocked(&r.body), None);
                }
            }
            prop_assert!(plan.windows(2).all(|w| (w[0].at, &w[0].key) < (w[1].at, &w[1].key)));

            // Nothing is missed: every milestone well inside the horizon has its on-the-day
            // reminder (quiet hours delay one by at most a day or so).
            let late = now + horizon - Duration::days(3);
            let (_, ahead) = milestones_for(&ladder, &start, now, 64);
            for m in ahead.iter().filter(|m| m.at <= late && m.milestone.span.approx_hours() > 0) {
                let found = plan
                    .iter()
                    .any(|r| r.milestone_key == m.milestone.key && r.kind == ReminderKind::OnTheDay);
                prop_assert!(found, "no reminder for {}", m.milestone.key);
            }
        }
    }

    #[test]
    fn check_in_reminders_daily_outside_quiet_hours() {
        let tz = chrono_tz::Europe::Berlin;
        let mut s = Settings::defaults(tz);
        let now = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
        assert!(check_in_plan(&s, now, Duration::days(3)).is_empty());
        s.checkin_time = Some(chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap());
        let plan = check_in_plan(&s, now, Duration::days(3));
        assert_eq!(plan.len(), 3);
        assert_eq!(plan[0].at, Utc.with_ymd_and_hms(2026, 6, 10, 18, 0, 0).unwrap());
        for r in &plan {
            let text = r.body.to_lowercase();
            assert!(BLOCKLIST.iter().all(|w| !text.contains(w)), "{text}");
        }
        // 23:00 falls in the default quiet hours (22:00-08:00): moved to 08:00 next morning.
        s.checkin_time = Some(chrono::NaiveTime::from_hms_opt(23, 0, 0).unwrap());
        let plan = check_in_plan(&s, now, Duration::days(1));
        assert_eq!(plan[0].at, Utc.with_ymd_and_hms(2026, 6, 11, 6, 0, 0).unwrap());
    }
}
