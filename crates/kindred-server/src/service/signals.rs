//! What a mentor's pages show, computed from a mentee's records (no I/O): trackers with sober
//! time and the milestones coming up, recent check-ins, the weekly craving summary, craving
//! details, goals and the plan, and the caseload's signals (a milestone in the next days,
//! missed check-ins, craving intensity rising over two weeks against the four before, silence
//! told apart from a phone that has not synced). Each is built only from the entities of the
//! category it belongs to; the caller reads only consented entities.
//!
//! Local days are the mentee's (their settings' zone), DST-correct through `kindred-core`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use kindred_core::clock::{local_date, ZonedDateTime};
use kindred_core::ids::{ResetId, TrackerId};
use kindred_core::milestones::{current_start, milestones_for, sober_time};
use kindred_core::model::ladder::Ladder;
use kindred_core::model::tracker::{Reset, Tracker};
use serde_json::{Map, Value};

/// One live record of a mentee: entity, id, field values.
#[derive(Debug, Clone)]
pub struct Rec {
    pub entity: String,
    pub id: String,
    pub fields: Map<String, Value>,
}

impl Rec {
    fn text(&self, k: &str) -> Option<&str> {
        self.fields.get(k).and_then(Value::as_str)
    }
    fn int(&self, k: &str) -> Option<i64> {
        self.fields.get(k).and_then(Value::as_i64)
    }
    fn list(&self, k: &str) -> Vec<String> {
        let items = self.fields.get(k).and_then(Value::as_array);
        items.map_or_else(Vec::new, |a| {
            a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        })
    }
    fn of<'a>(recs: &'a [Rec], entity: &'a str) -> impl Iterator<Item = &'a Rec> + 'a {
        recs.iter().filter(move |r| r.entity == entity)
    }
}

/// How many days ahead a milestone counts as "coming up".
pub const SOON_DAYS: i64 = 7;
/// Days without anything logged before a mentee counts as quiet.
pub const QUIET_DAYS: i64 = 5;

/// A milestone ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    pub tracker_id: String,
    pub tracker: String,
    pub key: String,
    pub label: String,
    /// The mentee's local date of the milestone.
    pub date: NaiveDate,
    pub in_days: i64,
}

/// A tracker as a mentor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerView {
    pub id: String,
    pub label: String,
    pub days: i64,
    pub since: NaiveDate,
    pub reached: usize,
    pub next: Option<Upcoming>,
}

fn zoned(v: Option<&Value>) -> Option<ZonedDateTime> {
    serde_json::from_value(v?.clone()).ok()
}

/// The mentee's zone (their settings), UTC when unknown.
pub fn zone(recs: &[Rec]) -> Tz {
    Rec::of(recs, "settings").find_map(|r| r.text("tz")?.parse().ok()).unwrap_or(Tz::UTC)
}

/// Trackers (from `tracker` and `tracker_reset` records) at `now`.
pub fn trackers(recs: &[Rec], now: DateTime<Utc>, tz: Tz) -> Vec<TrackerView> {
    let resets: Vec<Reset> = Rec::of(recs, "tracker_reset")
        .filter_map(|r| {
            Some(Reset {
                id: ResetId::from_uuid(r.id.parse().ok()?),
                tracker_id: TrackerId::from_uuid(r.text("tracker_id")?.parse().ok()?),
                lapse_at: zoned(r.fields.get("lapse_at"))?,
                new_start: zoned(r.fields.get("new_start"))?,
                halt: Vec::new(),
                debrief: Default::default(),
            })
        })
        .collect();
    let mut out: Vec<TrackerView> = Rec::of(recs, "tracker")
        .filter_map(|r| {
            let t = Tracker {
                id: TrackerId::from_uuid(r.id.parse().ok()?),
                label: r.text("label")?.to_owned(),
                start: zoned(r.fields.get("start"))?,
                ladder: serde_json::from_value::<Ladder>(r.fields.get("ladder")?.clone()).ok()?,
            };
            let start = current_start(&t, &resets);
            let (reached, ahead) = milestones_for(&t.ladder, &start, now, 1);
            let next = ahead.into_iter().next().map(|m| Upcoming {
                tracker_id: r.id.clone(),
                tracker: t.label.clone(),
                key: m.milestone.key,
                label: m.milestone.label,
                date: local_date(m.at, tz),
                in_days: (local_date(m.at, tz) - local_date(now, tz)).num_days(),
            });
            Some(TrackerView {
                id: r.id.clone(),
                label: t.label,
                days: sober_time(&start, now).days,
                since: start.local.date(),
                reached: reached.len(),
                next,
            })
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label).then(a.id.cmp(&b.id)));
    out
}

/// A check-in as a mentor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInView {
    pub day: NaiveDate,
    pub mood: i64,
    pub craving: bool,
    pub halt: Vec<String>,
    pub line: Option<String>,
}

/// Check-ins of the last `days` local days, newest first.
pub fn check_ins(recs: &[Rec], now: DateTime<Utc>, tz: Tz, days: i64) -> Vec<CheckInView> {
    let from = local_date(now, tz) - Duration::days(days - 1);
    let mut out: Vec<CheckInView> = Rec::of(recs, "check_in")
        .filter_map(|r| {
            let day = local_date(DateTime::from_timestamp_millis(r.int("at")?)?, tz);
            (day >= from).then(|| CheckInView {
                day,
                mood: r.int("mood").unwrap_or(0),
                craving: r.fields.get("craving").and_then(Value::as_bool).unwrap_or(false),
                halt: r.list("halt"),
                line: r.text("line").map(str::to_owned),
            })
        })
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.day));
    out
}

/// One week of the craving summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekView {
    /// The Monday that starts the week (mentee's local days).
    pub from: NaiveDate,
    pub count: usize,
    /// Average intensity × 10 (0..=100), when there were cravings.
    pub avg_x10: Option<i64>,
}

fn craving_days(recs: &[Rec], tz: Tz) -> impl Iterator<Item = (NaiveDate, i64, &Rec)> + '_ {
    Rec::of(recs, "craving").filter_map(move |r| {
        let at = DateTime::from_timestamp_millis(r.int("started_at")?)?;
        Some((local_date(at, tz), r.int("intensity")?, r))
    })
}

/// Cravings per week for the last `weeks` weeks, oldest first.
pub fn weekly(recs: &[Rec], now: DateTime<Utc>, tz: Tz, weeks: i64) -> Vec<WeekView> {
    let today = local_date(now, tz);
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = monday - Duration::weeks(weeks - 1);
    let mut sums = vec![(0usize, 0i64); usize::try_from(weeks).unwrap_or(0)];
    for (day, intensity, _) in craving_days(recs, tz) {
        if day < first || day > today {
            continue;
        }
        let i = usize::try_from((day - first).num_days() / 7).unwrap_or(0);
        if let Some(s) = sums.get_mut(i) {
            s.0 += 1;
            s.1 += intensity;
        }
    }
    (0..weeks)
        .zip(sums)
        .map(|(w, (count, sum))| WeekView {
            from: first + Duration::weeks(w),
            count,
            avg_x10: (count > 0).then(|| sum * 10 / i64::try_from(count).unwrap_or(1)),
        })
        .collect()
}

/// A craving as a mentor sees it (never the note: it never leaves the phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CravingView {
    pub at: DateTime<Utc>,
    pub intensity: i64,
    pub triggers: Vec<String>,
    pub place: Option<String>,
    pub with_whom: Option<String>,
    pub coping: Vec<String>,
    pub outcome: Option<String>,
}

/// The latest `n` cravings, newest first.
pub fn cravings(recs: &[Rec], n: usize) -> Vec<CravingView> {
    let mut out: Vec<CravingView> = Rec::of(recs, "craving")
        .filter_map(|r| {
            Some(CravingView {
                at: DateTime::from_timestamp_millis(r.int("started_at")?)?,
                intensity: r.int("intensity")?,
                triggers: r.list("triggers"),
                place: r.text("place").map(str::to_owned),
                with_whom: r.text("with_whom").map(str::to_owned),
                coping: r.list("coping"),
                outcome: r.text("outcome").map(str::to_owned),
            })
        })
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.at));
    out.truncate(n);
    out
}

/// A goal or plan entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemView {
    pub id: String,
    /// Goal status, or plan section.
    pub kind: String,
    pub text: String,
}

/// Goals, then plan entries (by section and position).
pub fn goals_and_plan(recs: &[Rec]) -> (Vec<ItemView>, Vec<ItemView>) {
    let item = |r: &Rec, k: &str| ItemView {
        id: r.id.clone(),
        kind: r.text(k).unwrap_or("").to_owned(),
        text: r.text("text").unwrap_or("").to_owned(),
    };
    let mut goals: Vec<ItemView> = Rec::of(recs, "goal").map(|r| item(r, "status")).collect();
    goals.sort_by(|a, b| a.id.cmp(&b.id));
    let mut plan: Vec<(&Rec, ItemView)> =
        Rec::of(recs, "plan_item").map(|r| (r, item(r, "section"))).collect();
    plan.sort_by_key(|(r, v)| (v.kind.clone(), r.int("position").unwrap_or(0), v.id.clone()));
    (goals, plan.into_iter().map(|(_, v)| v).collect())
}

/// Something on the caseload that may need the mentor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// A milestone within [`SOON_DAYS`].
    MilestoneSoon(Upcoming),
    /// Days of the last 7 without a check-in, for someone who checks in.
    MissedCheckIns { missed: i64 },
    /// Average intensity (× 10) of the last 14 days against the 28 before.
    IntensityRising { recent_x10: i64, before_x10: i64 },
    /// Nothing logged for this many days, while the phone has synced since.
    Quiet { days: i64 },
    /// The phone has not synced for this many days (it may be offline): not silence.
    NotSynced { days: i64 },
}

/// The caseload signals from what is shared. `milestones`, `check_ins`, `cravings` say which
/// of the categories feeding them are shared (the records of the others are not there).
/// `last_activity`: the device time of the last change the phone made; `last_sync`: when the
/// phone last reached the server.
pub fn signals(
    recs: &[Rec],
    now: DateTime<Utc>,
    tz: Tz,
    shared: (bool, bool, bool),
    last_activity: Option<DateTime<Utc>>,
    last_sync: Option<DateTime<Utc>>,
) -> Vec<Signal> {
    let (milestones, check_ins_shared, cravings_shared) = shared;
    let mut out = Vec::new();
    if milestones {
        for t in trackers(recs, now, tz) {
            if let Some(n) = t.next.filter(|n| n.in_days <= SOON_DAYS) {
                out.push(Signal::MilestoneSoon(n));
            }
        }
    }
    if check_ins_shared {
        let recent = check_ins(recs, now, tz, 7);
        // Someone who checks in: a check-in in the last month (the records read go no further).
        let ever = !check_ins(recs, now, tz, 31).is_empty();
        let days: std::collections::BTreeSet<NaiveDate> = recent.iter().map(|c| c.day).collect();
        let missed = 7 - i64::try_from(days.len()).unwrap_or(7);
        if ever && missed >= 2 {
            out.push(Signal::MissedCheckIns { missed });
        }
    }
    if cravings_shared {
        let today = local_date(now, tz);
        let (mut recent, mut before) = ((0i64, 0i64), (0i64, 0i64));
        for (day, intensity, _) in craving_days(recs, tz) {
            let ago = (today - day).num_days();
            let slot = match ago {
                0..=13 => &mut recent,
                14..=41 => &mut before,
                _ => continue,
            };
            slot.0 += 1;
            slot.1 += intensity;
        }
        if recent.0 >= 3 && before.0 >= 3 {
            let (r, b) = (recent.1 * 10 / recent.0, before.1 * 10 / before.0);
            if r >= b + 10 {
                out.push(Signal::IntensityRising { recent_x10: r, before_x10: b });
            }
        }
    }
    let days_since = |t: DateTime<Utc>| (local_date(now, tz) - local_date(t, tz)).num_days();
    match (last_sync, last_activity) {
        (Some(s), _) if days_since(s) >= 2 => out.push(Signal::NotSynced { days: days_since(s) }),
        (Some(_), Some(a)) if days_since(a) >= QUIET_DAYS => {
            out.push(Signal::Quiet { days: days_since(a) })
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn rec(entity: &str, id: &str, f: Value) -> Rec {
        Rec {
            entity: entity.into(),
            id: id.into(),
            fields: f.as_object().cloned().unwrap_or_default(),
        }
    }

    const T: &str = "0190f5b2-7c4e-7a00-8000-000000000001";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap()
    }

    fn ms(d: DateTime<Utc>) -> i64 {
        d.timestamp_millis()
    }

    #[test]
    fn a_milestone_two_days_ahead_is_a_signal() {
        let recs = [rec(
            "tracker",
            T,
            json!({"label": "Me", "start": {"local": "2025-12-22T09:00:00", "tz": "America/Chicago"},
                   "ladder": {"kind": "default"}}),
        )];
        let tz: Tz = "America/Chicago".parse().unwrap();
        let t = trackers(&recs, now(), tz);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].days, 87);
        let next = t[0].next.clone().unwrap();
        assert_eq!((next.key.as_str(), next.in_days), ("d90", 2));
        let s = signals(&recs, now(), tz, (true, false, false), None, None);
        assert!(matches!(&s[..], [Signal::MilestoneSoon(u)] if u.key == "d90"));
        assert!(signals(&recs, now(), tz, (false, true, true), None, None).is_empty());
    }

    #[test]
    fn rising_intensity_compares_two_weeks_with_the_four_before() {
        let mut recs = Vec::new();
        for (i, (ago, n)) in [(2, 8), (3, 9), (5, 7), (20, 3), (25, 4), (30, 2)].iter().enumerate()
        {
            let at = now() - Duration::days(*ago);
            recs.push(rec(
                "craving",
                &format!("c{i}"),
                json!({"started_at": ms(at), "intensity": n}),
            ));
        }
        let s = signals(&recs, now(), Tz::UTC, (false, false, true), None, None);
        assert_eq!(s, vec![Signal::IntensityRising { recent_x10: 80, before_x10: 30 }]);
        let w = weekly(&recs, now(), Tz::UTC, 6);
        assert_eq!(w.iter().map(|w| w.count).sum::<usize>(), 6);
        assert_eq!(cravings(&recs, 2).len(), 2);
    }

    #[test]
    fn quiet_is_told_apart_from_not_synced() {
        let a = Some(now() - Duration::days(6));
        let fresh = Some(now() - Duration::hours(3));
        let s = signals(&[], now(), Tz::UTC, (false, false, false), a, fresh);
        assert_eq!(s, vec![Signal::Quiet { days: 6 }]);
        let s =
            signals(&[], now(), Tz::UTC, (false, false, false), a, Some(now() - Duration::days(4)));
        assert_eq!(s, vec![Signal::NotSynced { days: 4 }]);
    }

    #[test]
    fn missed_check_ins_count_only_for_someone_who_checks_in() {
        let tz = Tz::UTC;
        let recs = [rec(
            "check_in",
            "k",
            json!({"at": ms(now() - Duration::days(1)), "mood": 3, "craving": false, "halt": []}),
        )];
        let s = signals(&recs, now(), tz, (false, true, false), None, None);
        assert_eq!(s, vec![Signal::MissedCheckIns { missed: 6 }]);
        assert!(signals(&[], now(), tz, (false, true, false), None, None).is_empty());
        assert_eq!(check_ins(&recs, now(), tz, 7).len(), 1);
    }
}
