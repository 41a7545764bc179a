//! Craving insights: when cravings come, what sets them off, how the last weeks went, and which
//! coping has helped, plus a plain sentence per chart for screen readers.
//!
//! The device computes [`Insights`] with index-backed SQL aggregates
//! (`kindred_client::store::insights`); [`reference`] is the same computation written as obvious
//! loops over [`CravingFacts`], and the property tests check the SQL version against it.
//!
//! # Definitions
//!
//! - Hours and weekdays are the local wall-clock time at logging, in the zone the craving was
//!   logged in (Monday first).
//! - A week runs Monday to Sunday by that local date. `weekly` holds exactly `weeks` weeks,
//!   oldest first; the last one is the week containing `today`.
//! - A mean intensity is shown ×10 and rounded half up (`5.25` → `53`), so it is exact integer
//!   maths on every platform ([`mean_x10`]).
//! - The coping menu ranks what was used by how often the craving was ridden out
//!   ([`rank_coping`]).

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use crate::model::craving::{Outcome, Trigger};

/// Everything the insights screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Insights {
    /// Live cravings in the window.
    pub total: u32,
    /// Cravings by local hour at logging.
    pub by_hour: [u32; 24],
    /// Cravings by local weekday at logging, Monday first.
    pub by_weekday: [u32; 7],
    /// Triggers by count (descending, then [`Trigger`] order); only counts above zero.
    pub top_triggers: Vec<TriggerCount>,
    /// The last weeks, oldest first; the last one contains `today`.
    pub weekly: Vec<WeekPoint>,
    /// Cravings whose outcome is [`Outcome::RodeItOut`].
    pub ridden_out: u32,
    /// Cravings with any outcome noted.
    pub with_outcome: u32,
    /// Coping used, best first (see [`rank_coping`]).
    pub coping_menu: Vec<CopingRank>,
}

/// How often one trigger was noted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerCount {
    pub trigger: Trigger,
    pub count: u32,
}

/// One week of the weekly chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekPoint {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    pub count: u32,
    /// Mean intensity ×10, rounded half up; `None` when the week has no craving.
    pub mean_intensity_x10: Option<u32>,
}

/// Raw counts for one coping entry, before ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopingCount {
    pub coping: String,
    /// Cravings where it was used.
    pub used: u32,
    /// Of those, cravings that were ridden out.
    pub rode_out: u32,
}

/// One entry of the ranked coping menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopingRank {
    pub coping: String,
    pub used: u32,
    pub rode_out: u32,
}

/// Facts of one craving the insights need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingFacts {
    /// Local wall-clock time at logging, in the zone it was logged in.
    pub local: NaiveDateTime,
    pub intensity: u8,
    pub triggers: Vec<Trigger>,
    pub coping: Vec<String>,
    pub outcome: Option<Outcome>,
}

/// Ranks coping: ridden out more often first, then a higher share ridden out (`rode_out / used`,
/// compared by cross-multiplication, no floats), then used more often, then by name. Entries
/// never used are dropped.
pub fn rank_coping(counts: Vec<CopingCount>) -> Vec<CopingRank> {
    let mut out: Vec<CopingRank> = counts
        .into_iter()
        .filter(|c| c.used > 0)
        .map(|c| CopingRank { coping: c.coping, used: c.used, rode_out: c.rode_out })
        .collect();
    out.sort_by(|a, b| {
        b.rode_out
            .cmp(&a.rode_out)
            // a.rode_out / a.used > b.rode_out / b.used  <=>  a.rode_out * b.used > b.rode_out * a.used
            .then_with(|| {
                (u64::from(b.rode_out) * u64::from(a.used))
                    .cmp(&(u64::from(a.rode_out) * u64::from(b.used)))
            })
            .then_with(|| b.used.cmp(&a.used))
            .then_with(|| a.coping.cmp(&b.coping))
    });
    out
}

/// Mean ×10 rounded half up: `sum / count * 10`, `None` when `count` is 0.
pub fn mean_x10(sum: u64, count: u64) -> Option<u32> {
    if count == 0 {
        return None;
    }
    // round(10 * sum / count) = floor((20 * sum + count) / (2 * count)) for non-negative values.
    u32::try_from((20 * sum + count) / (2 * count)).ok()
}

/// The Monday of `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// The first day of the weekly window: the Monday `weeks - 1` weeks before this week's Monday.
/// `None` when `weeks` is 0 or the date would fall outside the calendar.
pub fn window_start(today: NaiveDate, weeks: usize) -> Option<NaiveDate> {
    let back = u64::try_from(weeks).ok()?.checked_sub(1)?.checked_mul(7)?;
    monday_of(today).checked_sub_days(Days::new(back))
}

/// The reference computation over `facts` (the caller chooses the window): plain loops, used to
/// check the SQL version.
pub fn reference(facts: &[CravingFacts], today: NaiveDate, weeks: usize) -> Insights {
    let mut by_hour = [0u32; 24];
    let mut by_weekday = [0u32; 7];
    let mut triggers: BTreeMap<Trigger, u32> = BTreeMap::new();
    let mut coping: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut ridden_out = 0;
    let mut with_outcome = 0;
    for f in facts {
        by_hour[f.local.hour() as usize] += 1;
        by_weekday[f.local.weekday().num_days_from_monday() as usize] += 1;
        let mut seen_t: Vec<Trigger> = Vec::new();
        for t in &f.triggers {
            if !seen_t.contains(t) {
                seen_t.push(*t);
                *triggers.entry(*t).or_default() += 1;
            }
        }
        let rode = f.outcome == Some(Outcome::RodeItOut);
        let mut seen_c: Vec<&str> = Vec::new();
        for c in &f.coping {
            if !seen_c.contains(&c.as_str()) {
                seen_c.push(c);
                let e = coping.entry(c).or_default();
                e.0 += 1;
                e.1 += u32::from(rode);
            }
        }
        ridden_out += u32::from(rode);
        with_outcome += u32::from(f.outcome.is_some());
    }

    let mut top_triggers: Vec<TriggerCount> =
        triggers.into_iter().map(|(trigger, count)| TriggerCount { trigger, count }).collect();
    // Stable sort: ties keep Trigger order from the BTreeMap.
    top_triggers.sort_by_key(|t| std::cmp::Reverse(t.count));

    let mut weekly = Vec::with_capacity(weeks);
    if let Some(start) = window_start(today, weeks) {
        let mut week = start;
        for _ in 0..weeks {
            let end = week + Days::new(7);
            let (mut count, mut sum) = (0u64, 0u64);
            for f in facts {
                let day = f.local.date();
                if week <= day && day < end {
                    count += 1;
                    sum += u64::from(f.intensity);
                }
            }
            weekly.push(WeekPoint {
                week_start: week,
                count: u32::try_from(count).unwrap_or(u32::MAX),
                mean_intensity_x10: mean_x10(sum, count),
            });
            week = end;
        }
    }

    Insights {
        total: u32::try_from(facts.len()).unwrap_or(u32::MAX),
        by_hour,
        by_weekday,
        top_triggers,
        weekly,
        ridden_out,
        with_outcome,
        coping_menu: rank_coping(
            coping
                .into_iter()
                .map(|(c, (used, rode_out))| CopingCount { coping: c.to_owned(), used, rode_out })
                .collect(),
        ),
    }
}

const WEEKDAYS: [&str; 7] =
    ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];

fn cravings(n: u32) -> String {
    if n == 1 {
        "1 craving".to_owned()
    } else {
        format!("{n} cravings")
    }
}

/// "a", "a and b", "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Indexes holding the largest value (which is above zero), in order.
fn peaks(values: &[u32]) -> (u32, Vec<usize>) {
    let max = values.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return (0, Vec::new());
    }
    (max, values.iter().enumerate().filter(|(_, v)| **v == max).map(|(i, _)| i).collect())
}

fn hour_span(h: usize) -> String {
    format!("{:02}:00 and {:02}:00", h, (h + 1) % 24)
}

fn intensity_text(x10: u32) -> String {
    format!("{}.{}", x10 / 10, x10 % 10)
}

/// The hour-of-day chart in one sentence.
pub fn describe_hours(i: &Insights) -> String {
    if i.total == 0 {
        return "Nothing logged yet, so there is no time of day to show.".to_owned();
    }
    let (max, hours) = peaks(&i.by_hour);
    match hours.as_slice() {
        [h] => {
            format!("Most cravings were logged between {} ({max} of {}).", hour_span(*h), i.total)
        }
        _ if hours.len() <= 3 => {
            let spans: Vec<String> =
                hours.iter().map(|h| format!("between {}", hour_span(*h))).collect();
            format!(
                "Cravings were logged most often {} ({max} each, of {}).",
                join(&spans),
                i.total
            )
        }
        _ => format!(
            "Cravings were spread across the day: no hour had more than {max} of {}.",
            i.total
        ),
    }
}

/// The weekday chart in one sentence.
pub fn describe_weekdays(i: &Insights) -> String {
    if i.total == 0 {
        return "Nothing logged yet, so there are no days of the week to show.".to_owned();
    }
    let (max, days) = peaks(&i.by_weekday);
    match days.as_slice() {
        [d] => format!("Most cravings were logged on {} ({max} of {}).", WEEKDAYS[*d], i.total),
        _ if days.len() <= 3 => {
            let names: Vec<String> = days.iter().map(|d| WEEKDAYS[*d].to_owned()).collect();
            format!("{} had the most cravings ({max} each, of {}).", join(&names), i.total)
        }
        _ => format!(
            "Cravings were spread across the week: no day had more than {max} of {}.",
            i.total
        ),
    }
}

/// The trigger chart in one sentence (the three most common).
pub fn describe_triggers(i: &Insights) -> String {
    if i.total == 0 {
        return "Nothing logged yet, so there are no triggers to show.".to_owned();
    }
    if i.top_triggers.is_empty() {
        return format!("No triggers were noted for the {} logged.", cravings(i.total));
    }
    let top: Vec<String> = i
        .top_triggers
        .iter()
        .take(3)
        .map(|t| format!("{} ({})", t.trigger.label(), t.count))
        .collect();
    if top.len() == 1 {
        format!("The trigger noted was {}.", top[0])
    } else {
        format!("The most common triggers were {}.", join(&top))
    }
}

/// The weekly chart in one sentence.
pub fn describe_weekly(i: &Insights) -> String {
    if i.total == 0 {
        return "Nothing logged yet, so there are no weeks to show.".to_owned();
    }
    let in_window: u32 = i.weekly.iter().map(|w| w.count).sum();
    let Some(this) = i.weekly.last().filter(|_| in_window > 0) else {
        return match i.weekly.len() {
            1 => "Nothing was logged this week.".to_owned(),
            n => format!("Nothing was logged in the last {n} weeks."),
        };
    };
    let mean = |w: &WeekPoint| {
        w.mean_intensity_x10
            .map(|x| format!(", with an average intensity of {} out of 10", intensity_text(x)))
            .unwrap_or_default()
    };
    let were = |n: u32| if n == 1 { "was" } else { "were" };
    if i.weekly.len() == 1 {
        return format!(
            "This week, {} {} logged{}.",
            cravings(this.count),
            were(this.count),
            mean(this)
        );
    }
    let this_week = if this.count == 0 {
        "none this week".to_owned()
    } else {
        format!("{} this week{}", this.count, mean(this))
    };
    format!(
        "In the last {} weeks, {} {} logged; {this_week}.",
        i.weekly.len(),
        cravings(in_window),
        were(in_window)
    )
}

/// The "rode it out" figure in one sentence.
pub fn describe_ridden_out(i: &Insights) -> String {
    if i.total == 0 {
        return "Nothing logged yet, so there are no outcomes to show.".to_owned();
    }
    if i.with_outcome == 0 {
        return "No outcomes were noted yet.".to_owned();
    }
    format!(
        "You rode out {} of the {} with an outcome noted.",
        i.ridden_out,
        cravings(i.with_outcome)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fact(local: NaiveDateTime, intensity: u8) -> CravingFacts {
        CravingFacts { local, intensity, triggers: vec![], coping: vec![], outcome: None }
    }

    fn cc(coping: &str, used: u32, rode_out: u32) -> CopingCount {
        CopingCount { coping: coping.into(), used, rode_out }
    }

    #[test]
    fn rank_coping_orders_by_rode_out_share_used_then_name() {
        let ranked = rank_coping(vec![
            cc("Breathing", 4, 2),       // 2 rode out, 1/2
            cc("Called someone", 3, 2),  // 2 rode out, 2/3: better share than Breathing
            cc("Rested", 2, 1),          // 1 rode out, 1/2
            cc("Urge surfing", 1, 1),    // 1 rode out, 1/1
            cc("Went for a walk", 4, 2), // same as Breathing: name breaks the tie
            cc("Ate", 6, 0),
            cc("Zzz", 3, 0),
            cc("Never", 0, 0),
        ]);
        let names: Vec<&str> = ranked.iter().map(|r| r.coping.as_str()).collect();
        assert_eq!(
            names,
            [
                "Called someone",
                "Breathing",
                "Went for a walk",
                "Urge surfing",
                "Rested",
                "Ate",
                "Zzz"
            ]
        );
        assert_eq!(ranked[0], CopingRank { coping: "Called someone".into(), used: 3, rode_out: 2 });
        // Same share 1/2 vs 2/4 at equal rode_out can't happen; equal share, more use wins.
        let r = rank_coping(vec![cc("b", 2, 0), cc("a", 5, 0), cc("c", 5, 0)]);
        let names: Vec<&str> = r.iter().map(|r| r.coping.as_str()).collect();
        assert_eq!(names, ["a", "c", "b"]);
        // Cross-multiplication stays exact for large counts.
        let r = rank_coping(vec![cc("x", u32::MAX, 7), cc("y", u32::MAX - 1, 7)]);
        assert_eq!(r[0].coping, "y");
    }

    #[test]
    fn mean_rounds_half_up() {
        assert_eq!(mean_x10(0, 0), None);
        assert_eq!(mean_x10(21, 4), Some(53)); // 5.25
        assert_eq!(mean_x10(31, 6), Some(52)); // 5.1666
        assert_eq!(mean_x10(1, 3), Some(3)); // 0.333
        assert_eq!(mean_x10(10, 1), Some(100));
        assert_eq!(mean_x10(1, 20), Some(1)); // 0.05 -> 0.1
    }

    #[test]
    fn window_is_whole_weeks_ending_with_todays() {
        // 2026-01-01 is a Thursday.
        assert_eq!(monday_of(d(2026, 1, 1)), d(2025, 12, 29));
        assert_eq!(monday_of(d(2025, 12, 29)), d(2025, 12, 29));
        assert_eq!(monday_of(d(2026, 1, 4)), d(2025, 12, 29)); // Sunday
        assert_eq!(window_start(d(2026, 1, 1), 1), Some(d(2025, 12, 29)));
        assert_eq!(window_start(d(2026, 1, 1), 3), Some(d(2025, 12, 15)));
        assert_eq!(window_start(d(2026, 1, 1), 0), None);
    }

    #[test]
    fn weekly_buckets_across_a_year_boundary() {
        let at = |y, m, day, h| d(y, m, day).and_hms_opt(h, 30, 0).unwrap();
        let facts = vec![
            fact(at(2025, 12, 14, 23), 9), // Sunday before the window
            fact(at(2025, 12, 15, 0), 2),  // first day of the window
            fact(at(2025, 12, 28, 23), 4), // Sunday of week 2
            fact(at(2025, 12, 29, 8), 5),  // Monday of week 3 (still 2025)
            fact(at(2026, 1, 1, 0), 6),    // New Year's Day, same week
            fact(at(2026, 1, 4, 23), 6),   // Sunday, end of the window
            fact(at(2026, 1, 5, 0), 1),    // after the window
        ];
        let i = reference(&facts, d(2026, 1, 1), 3);
        assert_eq!(
            i.weekly,
            vec![
                WeekPoint { week_start: d(2025, 12, 15), count: 1, mean_intensity_x10: Some(20) },
                WeekPoint { week_start: d(2025, 12, 22), count: 1, mean_intensity_x10: Some(40) },
                WeekPoint { week_start: d(2025, 12, 29), count: 3, mean_intensity_x10: Some(57) },
            ]
        );
        assert_eq!(i.total, 7);
        assert_eq!(i.by_weekday, [3, 0, 0, 1, 0, 0, 3]);
        assert_eq!(i.by_hour[23], 3);
        assert_eq!(i.by_hour[0], 3);
        // A week with nothing in it has no mean.
        let i = reference(&facts[..1], d(2026, 1, 1), 2);
        assert!(i.weekly.iter().all(|w| w.count == 0 && w.mean_intensity_x10.is_none()));
        assert_eq!(i.weekly.len(), 2);
    }

    #[test]
    fn reference_counts_triggers_coping_and_outcomes() {
        let local = d(2026, 3, 2).and_hms_opt(18, 5, 0).unwrap();
        let f = |triggers: Vec<Trigger>, coping: &[&str], outcome| CravingFacts {
            local,
            intensity: 5,
            triggers,
            coping: coping.iter().map(|c| (*c).to_owned()).collect(),
            outcome,
        };
        let facts = vec![
            f(
                vec![Trigger::Stress, Trigger::Hungry],
                &["Breathing", "Rested"],
                Some(Outcome::RodeItOut),
            ),
            f(vec![Trigger::Stress], &["Breathing"], Some(Outcome::Used)),
            f(vec![Trigger::Tired], &["Breathing", "Breathing"], None),
            f(vec![], &[], Some(Outcome::NotSure)),
        ];
        let i = reference(&facts, d(2026, 3, 4), 1);
        assert_eq!(
            i.top_triggers,
            vec![
                TriggerCount { trigger: Trigger::Stress, count: 2 },
                TriggerCount { trigger: Trigger::Hungry, count: 1 },
                TriggerCount { trigger: Trigger::Tired, count: 1 },
            ]
        );
        assert_eq!((i.ridden_out, i.with_outcome), (1, 3));
        assert_eq!(
            i.coping_menu,
            vec![
                CopingRank { coping: "Rested".into(), used: 1, rode_out: 1 },
                CopingRank { coping: "Breathing".into(), used: 3, rode_out: 1 },
            ]
        );
        assert_eq!(
            describe_hours(&i),
            "Most cravings were logged between 18:00 and 19:00 (4 of 4)."
        );
        assert_eq!(describe_weekdays(&i), "Most cravings were logged on Mondays (4 of 4).");
        assert_eq!(
            describe_triggers(&i),
            "The most common triggers were Stress (2), Hungry (1) and Tired (1)."
        );
        assert_eq!(
            describe_weekly(&i),
            "This week, 4 cravings were logged, with an average intensity of 5.0 out of 10."
        );
        assert_eq!(
            describe_ridden_out(&i),
            "You rode out 1 of the 3 cravings with an outcome noted."
        );
    }

    #[test]
    fn descriptions_for_empty_data_are_calm() {
        let i = reference(&[], d(2026, 3, 4), 12);
        assert_eq!(i.weekly.len(), 12);
        assert_eq!(i.total, 0);
        for s in [
            describe_hours(&i),
            describe_weekdays(&i),
            describe_triggers(&i),
            describe_weekly(&i),
            describe_ridden_out(&i),
        ] {
            assert!(s.starts_with("Nothing logged yet"), "{s}");
            assert!(s.ends_with('.'), "{s}");
        }
    }

    #[test]
    fn descriptions_with_ties_and_gaps() {
        let at = |day, h| d(2026, 3, day).and_hms_opt(h, 0, 0).unwrap();
        // Two cravings on Monday 23:00 and Tuesday 08:00, weeks ago.
        let facts = vec![fact(at(2, 23), 3), fact(at(3, 8), 4)];
        let i = reference(&facts, d(2026, 4, 20), 4);
        assert_eq!(
            describe_hours(&i),
            "Cravings were logged most often between 08:00 and 09:00 and between 23:00 and 00:00 \
             (1 each, of 2)."
        );
        assert_eq!(
            describe_weekdays(&i),
            "Mondays and Tuesdays had the most cravings (1 each, of 2)."
        );
        assert_eq!(describe_triggers(&i), "No triggers were noted for the 2 cravings logged.");
        assert_eq!(describe_weekly(&i), "Nothing was logged in the last 4 weeks.");
        assert_eq!(describe_ridden_out(&i), "No outcomes were noted yet.");
        let many: Vec<CravingFacts> = (0..5).map(|h| fact(at(2, h), 1)).collect();
        let i = reference(&many, d(2026, 3, 4), 2);
        assert_eq!(
            describe_hours(&i),
            "Cravings were spread across the day: no hour had more than 1 of 5."
        );
        assert_eq!(
            describe_weekly(&i),
            "In the last 2 weeks, 5 cravings were logged; 5 this week, with an average \
             intensity of 1.0 out of 10."
        );
    }

    #[test]
    fn insights_round_trip_through_json() {
        let facts = vec![CravingFacts {
            local: d(2026, 3, 2).and_hms_opt(9, 0, 0).unwrap(),
            intensity: 7,
            triggers: vec![Trigger::PhysicalPain],
            coping: vec!["שלום 🌱".into()],
            outcome: Some(Outcome::RodeItOut),
        }];
        let i = reference(&facts, d(2026, 3, 2), 12);
        let json = serde_json::to_string(&i).unwrap();
        assert!(json.contains("\"physical_pain\""));
        assert_eq!(serde_json::from_str::<Insights>(&json).unwrap(), i);
    }
}
