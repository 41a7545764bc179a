//! Numbers that don't reset.
//!
//! A lapse restarts the current count, but it does not erase the days that came before it. These
//! figures look at the whole history of a tracker (its [`Attempt`]s) and are what the mentee sees
//! next to the current count.
//!
//! # Definitions
//!
//! Days here are local calendar days in `tz`, the mentee's current time zone, and `today` is the
//! local date of `now` in `tz`.
//!
//! - **Lapse interval.** An attempt that ended (`end` is set) leaves a lapse interval from that
//!   lapse up to the start of the next attempt, half-open: `[lapse, next_start)`. It *touches*
//!   every local day from the date of the lapse up to the date of the last instant before the
//!   next start. When the new start is the lapse itself (or, in inconsistent data, earlier), it
//!   touches just the day of the lapse. So the day of a lapse is never counted as a sober day,
//!   and neither is any day spent before starting again. A final attempt that has an `end` but no
//!   following attempt touches every day from its lapse on.
//! - **Sober day.** A day `d` with `first_start_date <= d <= today` (the first start's local
//!   date in `tz`) that touches no lapse interval.
//! - **`total_sober_days`**: all sober days, ever.
//! - **`sober_days_30` / `_90` / `_365`**: sober days among the 30, 90 or 365 days ending today
//!   (today included).
//! - **`longest_streak_days`**: the most whole days any single attempt lasted, counted as in
//!   [`sober_time`](crate::milestones::sober_time) (calendar days in the zone the attempt
//!   started in). **`current_streak_days`** is the same count for the running attempt.
//! - **`attempts`**: how many attempts there have been, the running one included.
//!
//! The counts are computed with interval arithmetic over days, so the cost depends on the number
//! of lapses, not on how long ago the first start was.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::clock::local_date;
use crate::milestones::{attempt_days, Attempt};

/// The numbers that don't reset. See the module documentation for the exact definitions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Sober days since the first start.
    pub total_sober_days: i64,
    /// Sober days among the last 30 (today included).
    pub sober_days_30: i64,
    /// Sober days among the last 90 (today included).
    pub sober_days_90: i64,
    /// Sober days among the last 365 (today included).
    pub sober_days_365: i64,
    /// The longest single attempt, in whole days.
    pub longest_streak_days: i64,
    /// The running attempt, in whole days.
    pub current_streak_days: i64,
    /// Number of attempts, the running one included.
    pub attempts: usize,
}

/// An inclusive range of local dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DayRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DayRange {
    /// Number of days shared with `[lo, hi]`.
    fn overlap(self, lo: NaiveDate, hi: NaiveDate) -> i64 {
        let (from, to) = (self.from.max(lo), self.to.min(hi));
        if from > to {
            0
        } else {
            (to - from).num_days() + 1
        }
    }
}

/// The days each lapse interval touches, in `tz`, merged into sorted disjoint ranges.
fn lapse_days(attempts: &[Attempt], tz: Tz) -> Vec<DayRange> {
    let mut ranges: Vec<DayRange> = attempts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let lapse = a.end?.instant();
            let from = local_date(lapse, tz);
            let to = match attempts.get(i + 1) {
                Some(next) => {
                    let next_start = next.start.instant();
                    if next_start > lapse {
                        local_date(next_start - Duration::nanoseconds(1), tz).max(from)
                    } else {
                        from
                    }
                }
                None => NaiveDate::MAX,
            };
            Some(DayRange { from, to })
        })
        .collect();
    ranges.sort_by_key(|r| r.from);
    let mut merged: Vec<DayRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.from <= last.to.succ_opt().unwrap_or(NaiveDate::MAX) => {
                last.to = last.to.max(r.to);
            }
            _ => merged.push(r),
        }
    }
    merged
}

/// The numbers that don't reset, for a tracker's history of `attempts` (oldest first, as from
/// [`attempts`](crate::milestones::attempts)), seen at `now` from time zone `tz`.
///
/// An empty history gives all zeros.
pub fn stats(attempts: &[Attempt], now: DateTime<Utc>, tz: Tz) -> Stats {
    let (Some(first), Some(last)) = (attempts.first(), attempts.last()) else {
        return Stats::default();
    };
    let today = local_date(now, tz);
    let first_day = local_date(first.start.instant(), tz);
    let lapses = lapse_days(attempts, tz);
    // Sober days in [lo, today].
    let sober_since = |lo: NaiveDate| -> i64 {
        let lo = lo.max(first_day);
        if lo > today {
            return 0;
        }
        let days = (today - lo).num_days() + 1;
        days - lapses.iter().map(|r| r.overlap(lo, today)).sum::<i64>()
    };
    let window =
        |n: u64| sober_since(today.checked_sub_days(Days::new(n - 1)).unwrap_or(NaiveDate::MIN));
    Stats {
        total_sober_days: sober_since(first_day),
        sober_days_30: window(30),
        sober_days_90: window(90),
        sober_days_365: window(365),
        longest_streak_days: attempts.iter().map(|a| attempt_days(a, now)).max().unwrap_or(0),
        current_streak_days: attempt_days(last, now),
        attempts: attempts.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ZonedDateTime;
    use chrono::{NaiveDateTime, TimeZone};
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
        let total = (date(2026, 3, 1) - date(1990, 1, 1)).num_days() + 1;
        assert_eq!(
            s,
            Stats {
                total_sober_days: total,
                sober_days_30: 30,
                sober_days_90: 90,
                sober_days_365: 365,
                longest_streak_days: total - 2, // 1 Jan 20:00 to 1 Mar 10:00
                current_streak_days: total - 2,
                attempts: 1,
            }
        );
    }

    #[test]
    fn the_day_of_a_lapse_is_not_sober() {
        let tz = chrono_tz::America::New_York;
        let lapse = ndt(2025, 1, 10, 20, 0);
        let h = history(tz, &[(ndt(2025, 1, 1, 9, 0), Some(lapse)), (lapse, None)]);
        let now = ZonedDateTime::new(ndt(2025, 1, 20, 12, 0), tz).instant();
        let s = stats(&h, now, tz);
        assert_eq!(s.total_sober_days, 19);
        assert_eq!(s.sober_days_30, 19);
        assert_eq!(s.longest_streak_days, 9);
        assert_eq!(s.current_streak_days, 9);
        assert_eq!(s.attempts, 2);
    }

    #[test]
    fn days_before_starting_again_are_not_sober() {
        let tz = chrono_tz::UTC;
        // Lapse on the 10th, new start on the 12th at 08:00: the 10th, 11th and 12th are out.
        let h = history(
            tz,
            &[
                (ndt(2025, 1, 1, 9, 0), Some(ndt(2025, 1, 10, 22, 0))),
                (ndt(2025, 1, 12, 8, 0), None),
            ],
        );
        let now = ZonedDateTime::new(ndt(2025, 1, 20, 12, 0), tz).instant();
        assert_eq!(stats(&h, now, tz).total_sober_days, 17);
        // A new start at midnight leaves that day sober.
        let h = history(
            tz,
            &[
                (ndt(2025, 1, 1, 9, 0), Some(ndt(2025, 1, 10, 22, 0))),
                (ndt(2025, 1, 12, 0, 0), None),
            ],
        );
        assert_eq!(stats(&h, now, tz).total_sober_days, 18);
    }

    #[test]
    fn days_follow_the_current_zone() {
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
        assert_eq!(in_london.total_sober_days, 19);
        assert_eq!(in_ny.total_sober_days, 19);
        assert_eq!(in_london.sober_days_30, in_ny.sober_days_30);
    }

    #[test]
    fn windows_count_only_recent_days() {
        let tz = chrono_tz::UTC;
        let lapse = ndt(2025, 6, 1, 12, 0);
        let h = history(tz, &[(ndt(2024, 1, 1, 12, 0), Some(lapse)), (lapse, None)]);
        let now = ZonedDateTime::new(ndt(2025, 6, 20, 12, 0), tz).instant();
        let s = stats(&h, now, tz);
        assert_eq!(s.sober_days_30, 29);
        assert_eq!(s.sober_days_90, 89);
        assert_eq!(s.sober_days_365, 364);
        assert_eq!(s.current_streak_days, 19);
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
        // 1 start day + 3000 lapse days + 10 days since; every lapse day is out.
        assert_eq!(s.total_sober_days, 9000 + 11 - 3000);
    }

    /// Day-by-day reference implementation of the module's definitions.
    fn reference(attempts: &[Attempt], now: DateTime<Utc>, tz: Tz) -> Stats {
        let Some(first) = attempts.first() else {
            return Stats::default();
        };
        let today = local_date(now, tz);
        let first_day = local_date(first.start.instant(), tz);
        let touched: Vec<(NaiveDate, Option<NaiveDate>)> = attempts
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let lapse = a.end?.instant();
                let to = attempts.get(i + 1).map(|n| {
                    let ns = n.start.instant();
                    if ns > lapse {
                        local_date(ns - Duration::nanoseconds(1), tz).max(local_date(lapse, tz))
                    } else {
                        local_date(lapse, tz)
                    }
                });
                Some((local_date(lapse, tz), to))
            })
            .collect();
        let is_sober = |d: NaiveDate| {
            first_day <= d
                && d <= today
                && !touched.iter().any(|&(from, to)| from <= d && to.is_none_or(|to| d <= to))
        };
        let mut s = Stats::default();
        let mut d = first_day;
        while d <= today {
            if is_sober(d) {
                s.total_sober_days += 1;
                let ago = (today - d).num_days();
                s.sober_days_30 += i64::from(ago < 30);
                s.sober_days_90 += i64::from(ago < 90);
                s.sober_days_365 += i64::from(ago < 365);
            }
            d = d.succ_opt().unwrap();
        }
        s.longest_streak_days = attempts.iter().map(|a| attempt_days(a, now)).max().unwrap();
        s.current_streak_days = attempt_days(attempts.last().unwrap(), now);
        s.attempts = attempts.len();
        s
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
        fn matches_day_by_day_reference((history, now, tz) in arb_case()) {
            prop_assert_eq!(stats(&history, now, tz), reference(&history, now, tz));
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
            prop_assert_eq!(s.attempts, history.len());
            // A window never holds more sober days than the days since the first start.
            let first = local_date(history[0].start.instant(), tz);
            let since = ((local_date(now, tz) - first).num_days() + 1).max(0);
            prop_assert!(s.sober_days_30 <= since && s.total_sober_days <= since);
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
