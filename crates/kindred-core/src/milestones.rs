//! Sober time, milestone dates, and the history of attempts.
//!
//! All distances are measured from the start of an attempt, a [`ZonedDateTime`] that remembers
//! the zone it was entered in. Everything calendar-shaped is computed in that zone, so a mentee
//! who later travels or moves sees the same counts and the same milestone dates:
//!
//! - **Hours** are elapsed time: "24 hours" is exactly 24 hours after the start.
//! - **Days** are calendar days at the same local wall-clock time: "30 days" after 21:00 on
//!   1 March is 21:00 on 31 March, even though spring-forward made that 719 hours. When that
//!   wall-clock time does not exist on the target day (a DST gap) it moves forward to the first
//!   minute that does; when it exists twice (fall-back) the earlier one counts.
//! - **Months and years** are calendar months at the same wall-clock time, the day clamped to the
//!   end of a shorter month (31 January + 1 month = 28 or 29 February).
//!
//! [`sober_time`] counts whole calendar days the same way, plus the hours and minutes since the
//! last whole day. The history of attempts ([`attempts`]) is derived from the tracker's first
//! start plus its append-only resets, so it never loses anything and merges cleanly.

use chrono::{DateTime, Duration, Months, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::{resolve_local, ZonedDateTime};
use crate::ids::ResetId;
use crate::model::ladder::{Ladder, Milestone, Span};
use crate::model::tracker::{Reset, Tracker};

/// How far past the elapsed years [`milestones_for`] extends the yearly tail at most, whatever
/// `upcoming` asks for (the tail is only ever read a few rungs ahead).
const MAX_EXTRA_YEARS: usize = 1000;

/// The same local wall-clock time `days` calendar days after `local`, resolved in `tz`; `None`
/// only when the date would leave chrono's range.
fn local_plus_days(local: NaiveDateTime, tz: chrono_tz::Tz, days: i64) -> Option<DateTime<Utc>> {
    let shifted = local.checked_add_signed(Duration::try_days(days)?)?;
    Some(resolve_local(shifted, tz))
}

/// Distance from start of an attempt, in calendar terms.
///
/// See the module documentation for how each [`Span`] unit is measured. A span that would leave
/// the representable range of dates (never the case for a validated ladder) saturates at
/// [`DateTime::<Utc>::MAX_UTC`].
pub fn milestone_at(start: &ZonedDateTime, span: Span) -> DateTime<Utc> {
    let months = |n: u32| {
        start.local.checked_add_months(Months::new(n)).map(|local| resolve_local(local, start.tz))
    };
    let at = match span {
        Span::Hours(n) => start.instant().checked_add_signed(Duration::hours(i64::from(n))),
        Span::Days(n) => local_plus_days(start.local, start.tz, i64::from(n)),
        Span::Months(n) => months(n),
        Span::Years(n) => n.checked_mul(12).and_then(months),
    };
    at.unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Time since the start of an attempt: whole calendar days, then hours and minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoberTime {
    /// Whole calendar days (same wall-clock time, in the zone of the start).
    pub days: i64,
    /// Whole hours since the last whole day, `0..=23`.
    pub hours: i64,
    /// Minutes past those hours, `0..=59`.
    pub minutes: i64,
}

impl SoberTime {
    /// Nothing yet: the start is now or still ahead.
    pub const ZERO: SoberTime = SoberTime { days: 0, hours: 0, minutes: 0 };
}

/// Time from `start` to `now`.
///
/// `days` is the largest `n >= 0` with `start.plus_days(n) <= now`: calendar days at the start's
/// wall-clock time, counted in the start's own zone, so a change of zone never shifts the count
/// by one. `hours` and `minutes` are what has elapsed since that day began. A calendar day is 23
/// or 25 hours long across a DST change; on a 25-hour day the last hour reads as 23 h 59 min
/// rather than 24 h. When `now` is before `start`, everything is zero.
///
/// Runs in constant time however long ago the start was.
pub fn sober_time(start: &ZonedDateTime, now: DateTime<Utc>) -> SoberTime {
    let begin = start.instant();
    if now <= begin {
        return SoberTime::ZERO;
    }
    let at = |n: i64| local_plus_days(start.local, start.tz, n);
    // Elapsed seconds / 86 400 is within a day or two of the calendar count (DST shifts by hours,
    // a skipped day such as Samoa's 30 December 2011 by one); step from there.
    let mut days = (now - begin).num_seconds() / 86_400;
    while days > 0 && at(days).is_none_or(|t| t > now) {
        days -= 1;
    }
    while at(days + 1).is_some_and(|t| t <= now) {
        days += 1;
    }
    let day_began = at(days).unwrap_or(begin);
    let minutes = (now - day_began).num_minutes().max(0);
    if minutes >= 24 * 60 {
        // The 25th hour of a fall-back day.
        SoberTime { days, hours: 23, minutes: 59 }
    } else {
        SoberTime { days, hours: minutes / 60, minutes: minutes % 60 }
    }
}

/// A milestone together with the instant it is (or will be) reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedMilestone {
    pub milestone: Milestone,
    pub at: DateTime<Utc>,
}

/// All milestones of `ladder` for an attempt started at `start`: those reached (`at <= now`) in
/// order, and the next `upcoming` ones not yet reached.
///
/// The yearly tail of the preset ladders is extended as far as needed: every yearly rung reached
/// by `now`, plus enough ahead to fill `upcoming` (at most [`MAX_EXTRA_YEARS`] years ahead).
/// Custom ladders are finite, so fewer than `upcoming` may come back. Both lists are sorted by
/// `at`; milestones reached at the same instant keep their ladder order.
pub fn milestones_for(
    ladder: &Ladder,
    start: &ZonedDateTime,
    now: DateTime<Utc>,
    upcoming: usize,
) -> (Vec<DatedMilestone>, Vec<DatedMilestone>) {
    // 365-day years over-count calendar years slightly, which only errs on the generous side.
    let elapsed_years = usize::try_from(sober_time(start, now).days / 365).unwrap_or(0);
    let max_years = elapsed_years.saturating_add(upcoming.min(MAX_EXTRA_YEARS)).saturating_add(2);
    let max_years = u32::try_from(max_years).unwrap_or(u32::MAX);
    let mut all: Vec<DatedMilestone> = ladder
        .milestones(max_years)
        .into_iter()
        .map(|milestone| DatedMilestone { at: milestone_at(start, milestone.span), milestone })
        .collect();
    // Stable: ties keep ladder order.
    all.sort_by_key(|m| m.at);
    let split = all.partition_point(|m| m.at <= now);
    let mut ahead = all.split_off(split);
    ahead.truncate(upcoming);
    (all, ahead)
}

/// The first milestone not yet reached, if the ladder has one.
pub fn next_milestone(
    ladder: &Ladder,
    start: &ZonedDateTime,
    now: DateTime<Utc>,
) -> Option<DatedMilestone> {
    milestones_for(ladder, start, now, 1).1.into_iter().next()
}

/// One attempt in the history. `end` is the lapse that ended it (`None` for the current attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub start: ZonedDateTime,
    pub end: Option<ZonedDateTime>,
    pub ended_by: Option<ResetId>,
}

/// The history of attempts, oldest first. Never empty.
///
/// The first attempt begins at `tracker.start`. Each reset of this tracker (resets of other
/// trackers are ignored), taken in order of `(lapse_at.instant(), id)`, ends the running attempt
/// at its `lapse_at` and begins a new one at its `new_start`. The last attempt has `end = None`.
/// The order depends only on the set of resets, so every device derives the same history.
pub fn attempts(tracker: &Tracker, resets: &[Reset]) -> Vec<Attempt> {
    let mut mine: Vec<&Reset> = resets.iter().filter(|r| r.tracker_id == tracker.id).collect();
    mine.sort_by_key(|r| (r.lapse_at.instant(), r.id));
    let mut out = Vec::with_capacity(mine.len() + 1);
    let mut start = tracker.start;
    for r in mine {
        out.push(Attempt { start, end: Some(r.lapse_at), ended_by: Some(r.id) });
        start = r.new_start;
    }
    out.push(Attempt { start, end: None, ended_by: None });
    out
}

/// Start of the running attempt (the last element of [`attempts`]).
pub fn current_start(tracker: &Tracker, resets: &[Reset]) -> ZonedDateTime {
    resets
        .iter()
        .filter(|r| r.tracker_id == tracker.id)
        .max_by_key(|r| (r.lapse_at.instant(), r.id))
        .map_or(tracker.start, |r| r.new_start)
}

/// Whole calendar days an attempt lasted: up to its lapse, or up to `now` while it is running.
pub fn attempt_days(a: &Attempt, now: DateTime<Utc>) -> i64 {
    sober_time(&a.start, a.end.map_or(now, |e| e.instant())).days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TrackerId;
    use crate::model::tracker::Debrief;
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Tz;
    use proptest::prelude::*;
    use uuid::Uuid;

    /// Every IANA zone chrono-tz knows (DST rules, half-hour offsets, skipped days).
    const ZONES: &[Tz] = &chrono_tz::TZ_VARIANTS;

    fn ndt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn tracker_id(n: u128) -> TrackerId {
        TrackerId::from_uuid(Uuid::from_u128(n))
    }

    fn reset(id: u128, tracker: TrackerId, lapse: ZonedDateTime, new: ZonedDateTime) -> Reset {
        Reset {
            id: ResetId::from_uuid(Uuid::from_u128(id)),
            tracker_id: tracker,
            lapse_at: lapse,
            new_start: new,
            halt: vec![],
            debrief: Debrief::default(),
        }
    }

    #[test]
    fn thirty_days_across_spring_forward_keeps_wall_clock() {
        let tz = chrono_tz::America::New_York;
        let start = ZonedDateTime::new(ndt(2025, 2, 20, 21, 0), tz);
        let at = milestone_at(&start, Span::Days(30));
        assert_eq!(at.with_timezone(&tz).naive_local(), ndt(2025, 3, 22, 21, 0));
        assert_eq!((at - start.instant()).num_hours(), 30 * 24 - 1);
        // Hours are elapsed time, not wall-clock time.
        let h = milestone_at(&start, Span::Hours(30 * 24));
        assert_eq!(h.with_timezone(&tz).naive_local(), ndt(2025, 3, 22, 22, 0));
    }

    #[test]
    fn day_in_a_gap_moves_forward() {
        let tz = chrono_tz::America::New_York;
        let start = ZonedDateTime::new(ndt(2025, 3, 8, 2, 30), tz);
        let at = milestone_at(&start, Span::Days(1));
        assert_eq!(at, utc(2025, 3, 9, 7, 0)); // 03:00 EDT
        assert_eq!(sober_time(&start, at).days, 1);
    }

    #[test]
    fn months_clamp_to_month_end() {
        let tz = chrono_tz::Europe::London;
        let start = ZonedDateTime::new(ndt(2025, 1, 31, 18, 30), tz);
        let local = |s| milestone_at(&start, s).with_timezone(&tz).naive_local();
        assert_eq!(local(Span::Months(1)), ndt(2025, 2, 28, 18, 30));
        assert_eq!(local(Span::Months(3)), ndt(2025, 4, 30, 18, 30));
        let leap = ZonedDateTime::new(ndt(2024, 1, 31, 18, 30), tz);
        let at = milestone_at(&leap, Span::Months(1));
        assert_eq!(at.with_timezone(&tz).naive_local(), ndt(2024, 2, 29, 18, 30));
        let feb29 = ZonedDateTime::new(ndt(2024, 2, 29, 8, 0), tz);
        let at = milestone_at(&feb29, Span::Years(1));
        assert_eq!(at.with_timezone(&tz).naive_local(), ndt(2025, 2, 28, 8, 0));
        // Summer time: 18:30 BST is 17:30 UTC.
        assert_eq!(milestone_at(&start, Span::Months(6)), utc(2025, 7, 31, 17, 30));
    }

    #[test]
    fn sober_time_29_days_23_hours_and_next_is_30_days() {
        let tz = chrono_tz::America::New_York;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 20, 0), tz);
        let now = start.plus_days(29) + Duration::hours(23) + Duration::minutes(59);
        assert_eq!(sober_time(&start, now), SoberTime { days: 29, hours: 23, minutes: 59 });
        let next = next_milestone(&Ladder::Default, &start, now).unwrap();
        assert_eq!(next.milestone.key, "d30");
        assert_eq!(next.at, start.plus_days(30));
        assert_eq!(sober_time(&start, next.at), SoberTime { days: 30, hours: 0, minutes: 0 });
    }

    #[test]
    fn sober_time_before_start_is_zero_and_long_ago_is_exact() {
        let tz = chrono_tz::Europe::London;
        let start = ZonedDateTime::new(ndt(1990, 6, 15, 12, 0), tz);
        assert_eq!(sober_time(&start, utc(1990, 1, 1, 0, 0)), SoberTime::ZERO);
        let now = utc(2026, 6, 15, 11, 30); // 12:30 BST
        let expected = (NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
            - NaiveDate::from_ymd_opt(1990, 6, 15).unwrap())
        .num_days();
        assert_eq!(sober_time(&start, now), SoberTime { days: expected, hours: 0, minutes: 30 });
    }

    #[test]
    fn sober_time_on_a_25_hour_day_stays_in_range() {
        let tz = chrono_tz::America::New_York;
        // 00:30 on 2 November 2025, the night clocks go back at 02:00.
        let start = ZonedDateTime::new(ndt(2025, 11, 1, 0, 30), tz);
        let day_began = start.plus_days(1);
        let t = sober_time(&start, day_began + Duration::hours(24) + Duration::minutes(30));
        assert_eq!(t, SoberTime { days: 1, hours: 23, minutes: 59 });
        let t = sober_time(&start, day_began + Duration::hours(25));
        assert_eq!(t, SoberTime { days: 2, hours: 0, minutes: 0 });
    }

    #[test]
    fn samoa_skipped_day() {
        // Samoa skipped 30 December 2011: 29 Dec 23:59 was followed by 31 Dec 00:00.
        let tz = chrono_tz::Pacific::Apia;
        let start = ZonedDateTime::new(ndt(2011, 12, 29, 10, 0), tz);
        let day1 = milestone_at(&start, Span::Days(1));
        assert_eq!(day1.with_timezone(&tz).naive_local(), ndt(2011, 12, 31, 0, 0));
        assert_eq!(sober_time(&start, day1).days, 1);
        assert_eq!(sober_time(&start, milestone_at(&start, Span::Days(2))).days, 2);
    }

    #[test]
    fn na_welcome_is_reached_at_once() {
        let tz = chrono_tz::UTC;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
        let (reached, ahead) = milestones_for(&Ladder::NaKeyTags, &start, start.instant(), 3);
        assert_eq!(reached.len(), 1);
        assert_eq!(reached[0].milestone.key, "welcome");
        let keys: Vec<_> = ahead.iter().map(|m| m.milestone.key.as_str()).collect();
        assert_eq!(keys, ["d30", "d60", "d90"]);
    }

    #[test]
    fn yearly_tail_extends_far_enough() {
        let tz = chrono_tz::UTC;
        let start = ZonedDateTime::new(ndt(1980, 3, 1, 9, 0), tz);
        let now = utc(2026, 1, 1, 0, 0);
        let (reached, ahead) = milestones_for(&Ladder::Default, &start, now, 5);
        assert_eq!(reached.last().unwrap().milestone.key, "y45");
        let keys: Vec<_> = ahead.iter().map(|m| m.milestone.key.as_str()).collect();
        assert_eq!(keys, ["y46", "y47", "y48", "y49", "y50"]);
        assert!(reached.windows(2).all(|w| w[0].at <= w[1].at));
        // 18 months sorts before 2 years although the ladder lists it after 1 year.
        let pos = |k: &str| reached.iter().position(|m| m.milestone.key == k).unwrap();
        assert!(pos("y1") < pos("m18") && pos("m18") < pos("y2"));
    }

    #[test]
    fn custom_ladders_are_finite_and_ties_keep_ladder_order() {
        let tz = chrono_tz::UTC;
        let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
        let ladder = Ladder::Custom(vec![Span::Hours(48), Span::Days(2), Span::Days(10)]);
        let (reached, ahead) = milestones_for(&ladder, &start, utc(2025, 1, 5, 0, 0), 10);
        let keys: Vec<_> = reached.iter().map(|m| m.milestone.key.as_str()).collect();
        assert_eq!(keys, ["h48", "d2"]);
        assert_eq!(ahead.len(), 1);
        assert_eq!(next_milestone(&ladder, &start, utc(2025, 2, 1, 0, 0)), None);
    }

    #[test]
    fn attempts_order_resets_and_ignore_other_trackers() {
        let tz = chrono_tz::Europe::London;
        let z = |d: u32, h: u32| ZonedDateTime::new(ndt(2025, 3, d, h, 0), tz);
        let tracker = Tracker {
            id: tracker_id(1),
            label: "Me".into(),
            start: z(1, 9),
            ladder: Ladder::Default,
        };
        let late = reset(20, tracker.id, z(20, 22), z(21, 8));
        let early = reset(30, tracker.id, z(10, 23), z(10, 23));
        let other = reset(10, tracker_id(2), z(15, 12), z(15, 12));
        let resets = [late.clone(), other, early.clone()];
        let history = attempts(&tracker, &resets);
        assert_eq!(
            history,
            vec![
                Attempt { start: z(1, 9), end: Some(z(10, 23)), ended_by: Some(early.id) },
                Attempt { start: z(10, 23), end: Some(z(20, 22)), ended_by: Some(late.id) },
                Attempt { start: z(21, 8), end: None, ended_by: None },
            ]
        );
        assert_eq!(current_start(&tracker, &resets), z(21, 8));
        assert_eq!(attempts(&tracker, &[]).len(), 1);
        assert_eq!(current_start(&tracker, &[]), tracker.start);
        let now = ZonedDateTime::new(ndt(2025, 4, 1, 9, 0), tz).instant();
        let days: Vec<_> = history.iter().map(|a| attempt_days(a, now)).collect();
        assert_eq!(days, [9, 9, 11]);
    }

    #[test]
    fn attempts_with_equal_lapse_instants_order_by_id() {
        let tz = chrono_tz::UTC;
        let z = |d: u32| ZonedDateTime::new(ndt(2025, 3, d, 12, 0), tz);
        let tracker =
            Tracker { id: tracker_id(1), label: "Me".into(), start: z(1), ladder: Ladder::Default };
        let a = reset(7, tracker.id, z(5), z(6));
        let b = reset(3, tracker.id, z(5), z(7));
        let history = attempts(&tracker, &[a.clone(), b.clone()]);
        assert_eq!(history[0].ended_by, Some(b.id));
        assert_eq!(history[1].ended_by, Some(a.id));
        assert_eq!(current_start(&tracker, &[b, a]), z(6));
    }

    fn arb_start() -> impl Strategy<Value = ZonedDateTime> {
        (0..ZONES.len(), 1990i32..2031, 1u32..13, 1u32..32, 0u32..24, 0u32..60).prop_map(
            |(z, y, m, d, h, min)| {
                let date = NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, m, 28).unwrap());
                ZonedDateTime::new(date.and_hms_opt(h, min, 0).unwrap(), ZONES[z])
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn days_keep_wall_clock_unless_in_a_gap(start in arb_start(), n in 0u32..20_000) {
            use chrono::TimeZone as _;
            let at = milestone_at(&start, Span::Days(n));
            let target = start.local + Duration::days(i64::from(n));
            let local = at.with_timezone(&start.tz).naive_local();
            match start.tz.from_local_datetime(&target) {
                chrono::LocalResult::None => prop_assert!(local > target),
                _ => prop_assert_eq!(local, target),
            }
        }

        #[test]
        fn sober_days_at_day_milestone_is_n(start in arb_start(), n in 0u32..20_000) {
            let at = milestone_at(&start, Span::Days(n));
            let t = sober_time(&start, at);
            // Only a skipped calendar day (Samoa, 2011) can make two day counts share an instant.
            if milestone_at(&start, Span::Days(n + 1)) != at {
                prop_assert_eq!(t.days, i64::from(n));
            }
            prop_assert_eq!(start.plus_days(t.days), at);
            prop_assert_eq!((t.hours, t.minutes), (0, 0));
            let before = sober_time(&start, at - Duration::minutes(1));
            if n > 0 {
                prop_assert_eq!(before.days, t.days - 1);
            }
        }

        #[test]
        fn sober_time_is_monotone_and_in_range(
            start in arb_start(),
            a in -10_000i64..20_000_000,
            b in 0i64..2_000_000,
        ) {
            let now1 = start.instant() + Duration::minutes(a);
            let now2 = now1 + Duration::minutes(b);
            let (t1, t2) = (sober_time(&start, now1), sober_time(&start, now2));
            prop_assert!((t1.days, t1.hours, t1.minutes) <= (t2.days, t2.hours, t2.minutes));
            for t in [t1, t2] {
                prop_assert!(t.days >= 0 && (0..24).contains(&t.hours));
                prop_assert!((0..60).contains(&t.minutes));
            }
            // The definition: the largest n with start.plus_days(n) <= now.
            if now2 >= start.instant() {
                prop_assert!(start.plus_days(t2.days) <= now2);
                prop_assert!(start.plus_days(t2.days + 1) > now2);
            }
        }

        #[test]
        fn milestones_split_and_sorted(
            start in arb_start(),
            ladder in 0usize..3,
            after in -1_000i64..20_000,
            upcoming in 0usize..6,
        ) {
            let ladder = [Ladder::Default, Ladder::AaChips, Ladder::NaKeyTags][ladder].clone();
            let now = start.instant() + Duration::days(after);
            let (reached, ahead) = milestones_for(&ladder, &start, now, upcoming);
            prop_assert!(reached.iter().all(|m| m.at <= now));
            prop_assert!(ahead.iter().all(|m| m.at > now));
            prop_assert_eq!(ahead.len(), upcoming);
            let all: Vec<_> = reached.iter().chain(&ahead).collect();
            prop_assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
            let next = next_milestone(&ladder, &start, now);
            prop_assert!(next.is_some());
            if let Some(first) = ahead.first() {
                prop_assert_eq!(Some(first), next.as_ref());
            }
        }
    }
}
