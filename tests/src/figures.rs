//! Benchmark figures shared by the bench binaries: nearest-rank percentiles and the summary of
//! one side's samples in the shape `cargo xtask bench` records (`median_us`, `p95_us`, …).

use serde_json::{json, Value};

/// Nearest-rank percentile `p` (0–100) of ascending `sorted` samples; NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median, p95, p99, min, max and count of microsecond samples, rounded to 0.1 µs.
pub fn summary(mut samples: Vec<f64>) -> Value {
    samples.sort_by(f64::total_cmp);
    let r = |v: f64| (v * 10.0).round() / 10.0;
    let (min, max) = (samples.first().copied(), samples.last().copied());
    json!({
        "median_us": r(percentile(&samples, 50.0)),
        "p95_us": r(percentile(&samples, 95.0)),
        "p99_us": r(percentile(&samples, 99.0)),
        "min_us": min.map(r),
        "max_us": max.map(r),
        "runs": samples.len(),
    })
}

/// One benchmark's result as `cargo xtask bench` records it: `head` (`id`, `what`,
/// `baseline_what`, `seed`, `rows`, `runs_per_side`) plus both sides' summaries, the ratio of
/// medians and pass/fail against `ratio_max` and the optional absolute p95 bound (µs).
pub fn result(
    mut head: Value,
    ours: Vec<f64>,
    base: Vec<f64>,
    ratio_max: f64,
    abs_p95_us_max: Option<f64>,
    extra: Value,
) -> Value {
    let (ours, base) = (summary(ours), summary(base));
    let median = |v: &Value| v["median_us"].as_f64().unwrap_or(f64::NAN);
    let ratio = (median(&ours) / median(&base) * 1000.0).round() / 1000.0;
    let pass_ratio = ratio <= ratio_max;
    let pass_abs =
        abs_p95_us_max.is_none_or(|m| ours["p95_us"].as_f64().unwrap_or(f64::INFINITY) <= m);
    eprintln!(
        "{}: ours {} µs, baseline {} µs (medians), ratio {ratio}",
        head["id"], ours["median_us"], base["median_us"]
    );
    for (k, v) in [
        ("ours", ours),
        ("baseline", base),
        ("ratio", json!(ratio)),
        ("targets", json!({"ratio_max": ratio_max, "abs_p95_us_max": abs_p95_us_max})),
        ("pass_ratio", json!(pass_ratio)),
        ("pass_abs", json!(pass_abs)),
        ("pass", json!(pass_ratio && pass_abs)),
        ("plan_warnings", json!([])),
        ("extra", extra),
    ] {
        head[k] = v;
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let s: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&s, 50.0), 10.0);
        assert_eq!(percentile(&s, 95.0), 19.0);
        assert_eq!(percentile(&s, 100.0), 20.0);
        assert_eq!(percentile(&s, 0.0), 1.0);
        assert!(percentile(&[], 50.0).is_nan());
        let v = summary(vec![3.0, 1.0, 2.0]);
        assert_eq!(v["median_us"], 2.0);
        assert_eq!(v["min_us"], 1.0);
        assert_eq!(v["max_us"], 3.0);
        assert_eq!(v["runs"], 3);
    }
}
