//! Numbers that don't reset.
//!
//! A lapse restarts the current count, but it does not erase the days that came before it. These
//! figures look at the whole history of a tracker (its [`Attempt`]s) and are what the mentee sees
//! next to the current count.
//!
//! # Definitions
//!
//! Every number is in **whole days, counted like the streak**: from a start, the number of times
//! the same wall-clock time has come round again ([`sober_time`], in the zone of that start). So
//! the numbers can be read together without a footnote: with no lapse, the total equals the
//! current streak and the last 30 days show `min(30, streak)`; a 29 d 23 h streak is 29 in every
//! box. A lapse ends an attempt; the time until the next start is never counted, and the hours
//! either side of a lapse only count where they make up whole days.
//!
//! - **`current_streak_days`**: whole days of the running attempt, up to `now`.
//! - **`longest_streak_days`**: the most whole days any single attempt lasted.
//! - **`total_sober_days`**: the whole days of every attempt, added up.
//! - **`sober_days_30` / `_90` / `_365`**: the same, for the part of each attempt inside the last
//!   30, 90 or 365 days (from the same wall-clock time that many calendar days before `now`, in
//!   the attempt's zone), capped at the window's length; never more than the attempt's own days.
//! - **`attempts`**: how many attempts there have been, the running one included.
//!
//! The viewing zone `tz` is kept in the signature for callers; the counts follow each start's
//! own zone, as the streak does, so moving to another zone never changes a number. The cost is
//! linear in the number of attempts, not in how long ago the first start was.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::clock::ZonedDateTime;
use crate::milestones::{sober_time, Attempt};

/// The numbers that don't reset. See the module documentation for the exact definitions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Whole sober days of every attempt, added up.
    pub total_sober_days: i64,
    /// Whole sober days within the last 30 days.
    pub sober_days_30: i64,
    /// Whole sober days within the last 90 days.
    pub sober_days_90: i64,
    /// Whole sober days within the last 365 days.
    pub sober_days_365: i64,
    /// The longest single attempt, in whole days.
    pub longest_streak_days: i64,
    /// The running attempt, in whole days.
    pub current_streak_days: i64,
    /// Number of attempts, the running one included.
    pub attempts: usize,
}

/// Whole days of `a` up to its lapse or `now`, whichever comes first.
fn whole_days(a: &Attempt, now: DateTime<Utc>) -> i64 {
    sober_time(&a.start, a.end.map_or(now, |e| e.instant()).min(now)).days
}

/// Whole days of `a` inside the last `n` days before `now`: counted from the later of its start
/// and the same wall-clock time `n` days before `now` (in the start's zone), up to its lapse or
/// `now`; at most `n` and at most `whole`, the attempt's own whole days ([`whole_days`]).
fn days_in_window(a: &Attempt, whole: i64, now: DateTime<Utc>, n: i64) -> i64 {
    let end = a.end.map_or(now, |e| e.instant()).min(now);
    let window_start = ZonedDateTime::from_instant(now, a.start.tz)
        .local
        .checked_sub_signed(Duration::days(n))
        .map(|local| ZonedDateTime::new(local, a.start.tz));
    let from = match window_start {
        Some(ws) if ws.instant() > a.start.instant() => ws,
        _ => a.start,
    };
    sober_time(&from, end).days.min(whole).min(n)
}

/// The numbers that don't reset, for a tracker's history of `attempts` (oldest first, as from
/// [`attempts`](crate::milestones::attempts)), seen at `now`. See the module documentation.
///
/// An empty history gives all zeros.
pub fn stats(attempts: &[Attempt], now: DateTime<Utc>, _tz: Tz) -> Stats {
    // Each attempt's whole days, computed once for every number below.
    let whole: Vec<i64> = attempts.iter().map(|a| whole_days(a, now)).collect();
    let Some(&current) = whole.last() else {
        return Stats::default();
    };
    let window = |n: i64| {
        attempts.iter().zip(&whole).map(|(a, &w)| days_in_window(a, w, now, n)).sum::<i64>().min(n)
    };
    Stats {
        total_sober_days: whole.iter().sum(),
        sober_days_30: window(30),
        sober_days_90: window(90),
        sober_days_365: window(365),
        longest_streak_days: whole.iter().copied().max().unwrap_or(0),
        current_streak_days: current,
        attempts: attempts.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::resolve_local;
    use crate::milestones::attempt_days;
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    use proptest::prelude::*;

    /// Every IANA zone chrono-tz knows (DST rules, half-hour offsets, skipped days).
    const ZONES: &[Tz] = &chrono_tz::TZ_VARIANTS;

    fn ndt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Builds a history from (start, lapse) pairs; the last pair's lapse must be `None`.
    fn history(tz: Tz, parts: &[(NaiveDateTime, Option<NaiveDateTime>)]) -> Vec<Attempt> {
        parts
            .iter()
            .map(|&(s, e)| Attempt {
                start: ZonedDateTime::new(s, tz),
                end: e.map(|e| ZonedDateTime::new(e, tz)),
                ended_by: None,
            })
            .collect()
    }

    #[test]
    fn empty_history_is_all_zero() {
        assert_eq!(
            stats(&[], Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC),
            Stats::default()
        );
    }

    #[test]
    fn one_attempt_since_1990() {
        let tz = chrono_tz::Europe::London;
        let h = history(tz, &[(ndt(1990, 1, 1, 20, 0), None)]);
        let now = ZonedDateTime::new(ndt(2026, 3, 1, 10, 0), tz).instant();
        let s = stats(&h, now, tz);
        // 1 Jan 20:00 to 1 Mar 10:00: the calendar days between, less the part day.
        let whole = (date(2026, 3, 1) - date(1990, 1, 1)).num_days() - 1;
        assert_eq!(
            s,
            Stats {
                total_sober_days: whole,
                sober_days_30: 30,
                sober_days_90: 90,
                sober_days_365: 365,
                longest_streak_days: whole,
                current_streak_days: whole,
                attempts: 1,
            }
        );
    }

    #[test]
    fn a_streak_of_29_days_23_hours_is_29_in_every_box() {
        let tz = chrono_tz::America::New_York;
        // Across the November DST change.
        let h = history(tz, &[(ndt(2026, 10, 20, 21, 30), None)]);
        let now = ZonedDateTime::new(ndt(2026, 11, 19, 20, 30), tz).instant();
        let s = stats(&h, now, tz);
        assert_eq!(
            (s.current_streak_days, s.total_sober_days, s.sober_days_30, s.sober_days_90),
            (29, 29, 29, 29)
        );
        let later = ZonedDateTime::new(ndt(2026, 11, 19, 21, 30), tz).instant();
        let s = stats(&h, later, tz);
        assert_eq!((s.current_streak_days, s.total_sober_days, s.sober_days_30), (30, 30, 30));
    }

    #[test]
    fn a_lapse_adds_up_the_whole_days_either_side() {
        let tz = chrono_tz::America::New_York;
        let lapse = ndt(2025, 1, 10, 20, 0);
        let h = history(tz, &[(ndt(2025, 1, 1, 9, 0), Some(lapse)), (lapse, None)]);
        let now = ZonedDateTime::new(ndt(2025, 1, 20, 12, 0), tz).instant();
        let s = stats(&h, now, tz);
        // 1 Jan 09:00 to 10 Jan 20:00 is 9 whole days, 10 Jan 20:00 to 20 Jan 12:00 is 9.
        assert_eq!(s.total_sober_days, 18);
        assert_eq!(s.sober_days_30, 18);
        assert_eq!(s.longest_streak_days, 9);
        assert_eq!(s.current_streak_days, 9);
        assert_eq!(s.attempts, 2);
    }

    #[test]
    fn time_before_starting_again_is_not_counted() {
        let tz = chrono_tz::UTC;
        // Lapse on the 10th at 22:00, new start on the 12th at 08:00.
        let h = history(
            tz,
            &[
                (ndt(2025, 1, 1, 9, 0), Some(ndt(2025, 1, 10, 22, 0))),
                (ndt(2025, 1, 12, 8, 0), None),
            ],
        );
        let now = ZonedDateTime::new(ndt(2025, 1, 20, 12, 0), tz).instant();
        assert_eq!(stats(&h, now, tz).total_sober_days, 9 + 8);
        let h = history(
            tz,
            &[
                (ndt(2025, 1, 1, 9, 0), Some(ndt(2025, 1, 10, 22, 0))),
                (ndt(2025, 1, 12, 0, 0), None),
            ],
        );
        assert_eq!(stats(&h, now, tz).total_sober_days, 9 + 8);
    }

    #[test]
    fn the_numbers_do_not_depend_on_the_viewing_zone() {
        // Lapse at 23:30 in New York is 04:30 the next day in London.
        let ny = chrono_tz::America::New_York;
        let lapse = ZonedDateTime::new(ndt(2025, 1, 10, 23, 30), ny);
        let h = vec![
            Attempt {
                start: ZonedDateTime::new(ndt(2025, 1, 1, 12, 0), ny),
                end: Some(lapse),
                ended_by: None,
            },
            Attempt { start: lapse, end: None, ended_by: None },
        ];
        let now = Utc.with_ymd_and_hms(2025, 1, 20, 12, 0, 0).unwrap();
        let in_london = stats(&h, now, chrono_tz::Europe::London);
        let in_ny = stats(&h, now, ny);
        assert_eq!(in_london, in_ny);
        assert_eq!(in_ny.total_sober_days, 9 + 9);
    }

    #[test]
    fn windows_count_only_recent_days() {
        let tz = chrono_tz::UTC;
        let lapse = ndt(2025, 6, 1, 20, 0);
        let h = history(tz, &[(ndt(2024, 1, 1, 12, 0), Some(lapse)), (lapse, None)]);
        let now = ZonedDateTime::new(ndt(2025, 6, 20, 12, 0), tz).instant();
        let s = stats(&h, now, tz);
        // From 21 May 12:00 to the lapse is 11 whole days, then 18 since.
        assert_eq!(s.sober_days_30, 11 + 18);
        assert_eq!(s.sober_days_90, 71 + 18);
        assert_eq!(s.sober_days_365, 346 + 18);
        assert_eq!(s.current_streak_days, 18);
        assert_eq!(s.longest_streak_days, (date(2025, 6, 1) - date(2024, 1, 1)).num_days());
    }

    #[test]
    fn thousands_of_lapses_since_1990_are_fast() {
        let tz = chrono_tz::Europe::London;
        let mut parts = vec![];
        let mut t = ndt(1990, 1, 1, 12, 0);
        for _ in 0..3000 {
            let lapse = t + Duration::days(3);
            parts.push((t, Some(lapse)));
            t = lapse;
        }
        parts.push((t, None));
        let h = history(tz, &parts);
        let now = ZonedDateTime::new(t + Duration::days(10), tz).instant();
        let s = stats(&h, now, tz);
        assert_eq!(s.attempts, 3001);
        assert_eq!(s.current_streak_days, 10);
        assert_eq!(s.longest_streak_days, 10);
        assert_eq!(attempt_days(&h[0], now), 3);
        assert_eq!(s.total_sober_days, 3000 * 3 + 10);
        assert_eq!(s.sober_days_30, 30);
    }

    /// Whole days from `from` to `to`, one day at a time: the reference for [`sober_time`]'s
    /// day count as the module uses it.
    fn days_stepping(from: ZonedDateTime, to: DateTime<Utc>) -> i64 {
        let mut n = 0;
        while resolve_local(from.local + Duration::days(n + 1), from.tz) <= to {
            n += 1;
        }
        n
    }

    /// The module's definitions as obvious loops.
    fn reference(attempts: &[Attempt], now: DateTime<Utc>) -> Stats {
        if attempts.is_empty() {
            return Stats::default();
        }
        let whole: Vec<i64> = attempts
            .iter()
            .map(|a| {
                let end = a.end.map_or(now, |e| e.instant()).min(now);
                if end <= a.start.instant() {
                    0
                } else {
                    days_stepping(a.start, end)
                }
            })
            .collect();
        let window = |n: i64| {
            let mut sum = 0;
            for (a, whole) in attempts.iter().zip(&whole) {
                let end = a.end.map_or(now, |e| e.instant()).min(now);
                let local = now.with_timezone(&a.start.tz).naive_local() - Duration::days(n);
                let ws = ZonedDateTime::new(local, a.start.tz);
                let from = if ws.instant() > a.start.instant() { ws } else { a.start };
                let part = if end <= from.instant() { 0 } else { days_stepping(from, end) };
                sum += part.min(*whole).min(n);
            }
            sum.min(n)
        };
        Stats {
            total_sober_days: whole.iter().sum(),
            sober_days_30: window(30),
            sober_days_90: window(90),
            sober_days_365: window(365),
            longest_streak_days: whole.iter().copied().max().unwrap_or(0),
            current_streak_days: whole[whole.len() - 1],
            attempts: attempts.len(),
        }
    }

    /// A random history: first start, then (attempt length, gap to the new start, zone) steps,
    /// all in minutes; a random `now` relative to the last start; a random viewing zone.
    fn arb_case() -> impl Strategy<Value = (Vec<Attempt>, DateTime<Utc>, Tz)> {
        let step = (0i64..200 * 1440, prop_oneof![Just(0i64), 0i64..5 * 1440], 0..ZONES.len());
        (
            0i64..8 * 365 * 1440,
            0..ZONES.len(),
            proptest::collection::vec(step, 0..6),
            prop_oneof![-40i64 * 1440..40 * 1440, -40i64 * 1440..400 * 1440],
            0..ZONES.len(),
        )
            .prop_map(|(offset, z0, steps, now_offset, view)| {
                let base = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap();
                let mut t = base + Duration::minutes(offset);
                let mut start = ZonedDateTime::from_instant(t, ZONES[z0]);
                let mut out = vec![];
                for (len, gap, z) in steps {
                    t += Duration::minutes(len);
                    let lapse = ZonedDateTime::from_instant(t, ZONES[z]);
                    out.push(Attempt { start, end: Some(lapse), ended_by: None });
                    t += Duration::minutes(gap);
                    start = ZonedDateTime::from_instant(t, ZONES[z]);
                }
                out.push(Attempt { start, end: None, ended_by: None });
                (out, t + Duration::minutes(now_offset), ZONES[view])
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn matches_the_reference((history, now, tz) in arb_case()) {
            prop_assert_eq!(stats(&history, now, tz), reference(&history, now));
        }

        #[test]
        fn invariants((history, now, tz) in arb_case()) {
            let s = stats(&history, now, tz);
            prop_assert!(s.sober_days_30 >= 0 && s.sober_days_30 <= 30);
            prop_assert!(s.sober_days_90 <= 90 && s.sober_days_365 <= 365);
            prop_assert!(s.sober_days_30 <= s.sober_days_90);
            prop_assert!(s.sober_days_90 <= s.sober_days_365);
            prop_assert!(s.sober_days_365 <= s.total_sober_days);
            prop_assert!(s.current_streak_days >= 0);
            prop_assert!(s.current_streak_days <= s.longest_streak_days);
            prop_assert!(s.longest_streak_days <= s.total_sober_days);
            prop_assert!(s.sober_days_30 >= s.current_streak_days.min(30));
            prop_assert_eq!(s.attempts, history.len());
        }

        /// The rule the tracker screen shows: with no lapse, every box agrees with the streak.
        #[test]
        fn with_no_lapse_every_number_is_the_streak((history, now, tz) in arb_case()) {
            let running = &history[history.len() - 1..];
            let s = stats(running, now, tz);
            let c = s.current_streak_days;
            prop_assert_eq!(s.total_sober_days, c);
            prop_assert_eq!(s.longest_streak_days, c);
            prop_assert_eq!(
                (s.sober_days_30, s.sober_days_90, s.sober_days_365),
                (c.min(30), c.min(90), c.min(365))
            );
        }

        #[test]
        fn a_later_now_never_lowers_the_total(
            (history, now, tz) in arb_case(),
            later in 0i64..100 * 1440,
        ) {
            let a = stats(&history, now, tz);
            let b = stats(&history, now + Duration::minutes(later), tz);
            prop_assert!(a.total_sober_days <= b.total_sober_days);
            prop_assert!(a.longest_streak_days <= b.longest_streak_days);
        }
    }
}
