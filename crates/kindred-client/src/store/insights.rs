//! Craving insights over all live cravings, read from the `craving_rollup` counters that every
//! craving write keeps current in its own transaction (PERF.md P5: a 100k-craving log costs a
//! few small primary-key range reads, not scans). The numbers equal
//! [`kindred_core::insights::reference`] over the same cravings (checked by property tests);
//! the ranking and rounding are the core's ([`rank_coping`], [`mean_x10`]).
//!
//! The SQL is public ([`QUERIES`]) so the P5 benchmark can run the same statements bare.

use chrono::{Days, NaiveDate};
use kindred_core::insights::{
    mean_x10, rank_coping, window_start, CopingCount, Insights, TriggerCount, WeekPoint,
};
use kindred_core::model::craving::{Outcome, Trigger};
use rusqlite::{params, Transaction};

use crate::Result;

/// Live cravings by local hour.
pub const HOURS_SQL: &str =
    "SELECT CAST(key AS INTEGER), n FROM craving_rollup WHERE kind = 'hour' AND n > 0";
/// Live cravings by local weekday (0 = Monday).
pub const WEEKDAYS_SQL: &str =
    "SELECT CAST(key AS INTEGER), n FROM craving_rollup WHERE kind = 'dow' AND n > 0";
/// Live cravings by outcome (cravings without one have no row).
pub const OUTCOMES_SQL: &str = "SELECT key, n FROM craving_rollup WHERE kind = 'outcome' AND n > 0";
/// Live cravings per local day in `[?1, ?2)` with their summed intensity.
pub const WEEKLY_SQL: &str = "SELECT key, n, intensity_sum FROM craving_rollup \
     WHERE kind = 'day' AND key >= ?1 AND key < ?2 AND n > 0";
/// Trigger counts over live cravings.
pub const TRIGGERS_SQL: &str = "SELECT key, n FROM craving_rollup WHERE kind = 'trigger' AND n > 0";
/// Coping use over live cravings, and how many of those were ridden out.
pub const COPING_SQL: &str =
    "SELECT key, n, rode_out FROM craving_rollup WHERE kind = 'coping' AND n > 0";

/// Every statement behind the insights screen, by name. Only [`WEEKLY_SQL`] takes parameters
/// (see [`weekly_bounds`]).
pub const QUERIES: [(&str, &str); 6] = [
    ("hours", HOURS_SQL),
    ("weekdays", WEEKDAYS_SQL),
    ("outcomes", OUTCOMES_SQL),
    ("weekly", WEEKLY_SQL),
    ("triggers", TRIGGERS_SQL),
    ("coping", COPING_SQL),
];

/// The `local_day` bounds `[from, to)` of the weekly window as bound to [`WEEKLY_SQL`].
pub fn weekly_bounds(today: NaiveDate, weeks: usize) -> Option<(NaiveDate, NaiveDate)> {
    let from = window_start(today, weeks)?;
    let to = from.checked_add_days(Days::new(u64::try_from(weeks).ok()?.checked_mul(7)?))?;
    Some((from, to))
}

fn day_key(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A text column read in place, without allocating (`None` for NULL or non-text).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(r.get_ref(i)?.as_str_or_null().ok().flatten())
}

/// Parses the `YYYY-MM-DD` keys this module writes, without chrono's general format parser
/// (it was most of this screen's cost over the bare SQL; PERF.md P5).
fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// The insights over every live craving; the weekly chart holds `weeks` weeks ending with the
/// one containing `today`.
pub fn insights(tx: &Transaction<'_>, today: NaiveDate, weeks: usize) -> Result<Insights> {
    let mut by_hour = [0u32; 24];
    let mut stmt = tx.prepare_cached(HOURS_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(slot) =
            usize::try_from(r.get::<_, i64>(0)?).ok().and_then(|h| by_hour.get_mut(h))
        {
            *slot = count(r.get(1)?);
        }
    }

    let mut by_weekday = [0u32; 7];
    let mut stmt = tx.prepare_cached(WEEKDAYS_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(slot) =
            usize::try_from(r.get::<_, i64>(0)?).ok().and_then(|d| by_weekday.get_mut(d))
        {
            *slot = count(r.get(1)?);
        }
    }

    let (mut ridden_out, mut with_outcome) = (0, 0);
    let mut stmt = tx.prepare_cached(OUTCOMES_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let outcome = text(r, 0)?;
        let n = count(r.get(1)?);
        if let Some(o) = outcome {
            with_outcome += n;
            if Outcome::from_key(o) == Some(Outcome::RodeItOut) {
                ridden_out += n;
            }
        }
    }

    let mut weekly = Vec::with_capacity(weeks);
    if let Some((from, to)) = weekly_bounds(today, weeks) {
        let mut sums = vec![(0u64, 0u64); weeks];
        let mut stmt = tx.prepare_cached(WEEKLY_SQL)?;
        let mut rows = stmt.query(params![day_key(from), day_key(to)])?;
        while let Some(r) = rows.next()? {
            let Some(day) = text(r, 0)?.and_then(parse_day) else { continue };
            let week = usize::try_from((day - from).num_days() / 7).ok();
            if let Some(slot) = week.and_then(|w| sums.get_mut(w)) {
                slot.0 += u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
                slot.1 += u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            }
        }
        let mut week_start = from;
        for (n, sum) in sums {
            weekly.push(WeekPoint {
                week_start,
                count: u32::try_from(n).unwrap_or(u32::MAX),
                mean_intensity_x10: mean_x10(sum, n),
            });
            week_start = week_start + Days::new(7);
        }
    }

    let mut top_triggers = Vec::new();
    let mut stmt = tx.prepare_cached(TRIGGERS_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        // A trigger a newer version added is not shown here.
        if let Some(trigger) = text(r, 0)?.and_then(Trigger::from_key) {
            top_triggers.push(TriggerCount { trigger, count: count(r.get(1)?) });
        }
    }
    top_triggers.retain(|t| t.count > 0);
    top_triggers.sort_by(|a, b| b.count.cmp(&a.count).then(a.trigger.cmp(&b.trigger)));

    let mut coping = Vec::new();
    let mut stmt = tx.prepare_cached(COPING_SQL)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        coping.push(CopingCount {
            coping: r.get(0)?,
            used: count(r.get(1)?),
            rode_out: count(r.get(2)?),
        });
    }

    Ok(Insights {
        total: by_hour.iter().sum(),
        by_hour,
        by_weekday,
        top_triggers,
        weekly,
        ridden_out,
        with_outcome,
        coping_menu: rank_coping(coping),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_keys() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(parse_day(&day_key(d)), Some(d));
        for bad in ["2026-02-30", "2026/02/28", "26-02-28", "2026-2-28x", ""] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn window_bounds() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(weekly_bounds(d(2026, 1, 1), 2), Some((d(2025, 12, 22), d(2026, 1, 5))));
        assert_eq!(weekly_bounds(d(2026, 1, 1), 0), None);
    }
}
