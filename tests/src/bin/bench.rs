//! `kindred-bench`: the store benchmarks of PERF.md, run by `cargo xtask bench`.
//!
//! `kindred-bench p5 --rows 100000 --runs 15 --seed 42 --out FILE.json [--cache DIR]`
//!
//! P5 (insights queries): builds, or reuses from the cache directory (keyed by seed and rows), a
//! real SQLite file of cravings from a fixed-seed generator, inserted through
//! `store::cravings::insert` in transactions of 5,000 (build time reported apart). Then it
//! alternates A/B: ours is `store::insights::insights(tx, today, 12)` through the `Store`; the
//! baseline runs the same statements (`store::insights::QUERIES`) bare on a plain
//! `rusqlite::Connection` to the same file with the same pragmas, stepping every row. It writes
//! median and p95 per side, the ratio of medians, the targets and each query's
//! `EXPLAIN QUERY PLAN` (a `craving` scan outside a covering index is a plan warning).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use kindred_client::ids::{IdGen, SeqIds};
use kindred_client::store::outbox::WriteCtx;
use kindred_client::store::{cravings, insights};
use kindred_core::clock::ZonedDateTime;
use kindred_core::ids::CravingId;
use kindred_core::model::craving::{Craving, Details, Outcome, Trigger, DEFAULT_COPING};
use kindred_tests::bench_args::BenchArgs as Args;
use kindred_tests::figures::summary;
use rusqlite::{params, Connection};
use serde_json::{json, Value};

/// Ratio target of P5 (ours / baseline medians).
const RATIO_MAX: f64 = 1.2;
/// Absolute desktop target of P5 for one screen's queries, in microseconds (checked on p95).
const ABS_MAX_US: f64 = 8_000.0;
/// Weeks on the weekly chart.
const WEEKS: usize = 12;
/// Cravings per build transaction.
const BATCH: usize = 5_000;
/// The generated log ends here (2026-06-01T00:00Z) and spans five years.
const END_MS: i64 = 1_780_272_000_000;
const SPAN_MS: i64 = 5 * 365 * 86_400_000;

/// SplitMix64: a tiny, fixed, seedable generator (no `rand` crate).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Own coping words next to the default list.
const OWN_COPING: &[&str] = &["Prayed", "Cold shower", "Texted my sponsor", "🌱 gardening"];
/// Mostly home, sometimes travelling.
const ZONES: &[(Tz, u64)] = &[
    (chrono_tz::America::New_York, 85),
    (chrono_tz::America::Los_Angeles, 7),
    (chrono_tz::Europe::London, 5),
    (chrono_tz::Asia::Tokyo, 3),
];

/// One generated craving (n-th of the log) and whether it gets deleted.
fn generate(rng: &mut SplitMix, ids: &SeqIds) -> (Craving, bool) {
    let mut pick = rng.below(100);
    let mut tz = ZONES[0].0;
    for (zone, weight) in ZONES {
        if pick < *weight {
            tz = *zone;
            break;
        }
        pick -= weight;
    }
    // Evenings are busier: half the cravings land between 17:00 and 23:00 New York time.
    let day = rng.below(u64::try_from(SPAN_MS / 86_400_000).unwrap_or(1)) as i64;
    let ms_in_day = if rng.chance(50) {
        (17 * 3_600_000 + rng.below(6 * 3_600_000)) as i64
    } else {
        rng.below(86_400_000) as i64
    };
    let instant = DateTime::from_timestamp_millis(
        END_MS - SPAN_MS + day * 86_400_000 + ms_in_day + 5 * 3_600_000,
    )
    .unwrap_or_default();
    let mut triggers: Vec<Trigger> =
        (0..rng.below(4)).map(|_| Trigger::ALL[rng.below(11) as usize]).collect();
    triggers.sort();
    triggers.dedup();
    let pool = DEFAULT_COPING.len() + OWN_COPING.len();
    let mut coping: Vec<String> = Vec::new();
    for _ in 0..rng.below(4) {
        let i = rng.below(pool as u64) as usize;
        let c =
            DEFAULT_COPING.get(i).copied().unwrap_or_else(|| OWN_COPING[i - DEFAULT_COPING.len()]);
        if !coping.iter().any(|x| x == c) {
            coping.push(c.to_owned());
        }
    }
    let outcome = match rng.below(10) {
        0..=4 => Some(Outcome::RodeItOut),
        5 => Some(Outcome::Used),
        6 => Some(Outcome::NotSure),
        _ => None,
    };
    let craving = Craving {
        id: CravingId(ids.next()),
        at: ZonedDateTime::from_instant(instant, tz),
        intensity: rng.below(11) as u8,
        details: Details {
            triggers,
            coping,
            outcome,
            end_intensity: outcome.map(|_| rng.below(11) as u8),
            ..Default::default()
        },
        surf: None,
    };
    (craving, rng.chance(2))
}

/// Builds the P5 database at `path` (through a temporary file, so a broken build is never
/// reused). Returns the build time.
fn build_db(path: &Path, rows: usize, seed: u64) -> Duration {
    let started = Instant::now();
    let tmp = path.with_extension("building");
    for p in [tmp.clone(), tmp.with_extension("building-wal"), tmp.with_extension("building-shm")] {
        let _ = std::fs::remove_file(p);
    }
    {
        let mut store = kindred_tests::open_store(&tmp);
        let mut rng = SplitMix(seed);
        let ids = SeqIds::default();
        let mut done = 0;
        while done < rows {
            let n = BATCH.min(rows - done);
            let now_ms = END_MS + i64::try_from(done).unwrap_or(0);
            store
                .write(|tx| {
                    let ctx = WriteCtx { now_ms, ids: &ids };
                    for _ in 0..n {
                        let (c, deleted) = generate(&mut rng, &ids);
                        cravings::insert(tx, &ctx, &c)?;
                        if deleted {
                            cravings::delete(tx, &ctx, c.id)?;
                        }
                    }
                    Ok(())
                })
                .expect("insert a batch");
            done += n;
            eprint!("\rkindred-bench: building {done}/{rows} cravings");
        }
        eprintln!();
        store.read(|tx| Ok(tx.execute_batch("ANALYZE")?)).expect("analyze");
    }
    std::fs::rename(&tmp, path).expect("move the built database into place");
    started.elapsed()
}

/// A bare connection with the store's key and pragmas.
fn bare(path: &Path) -> Connection {
    let conn = kindred_tests::device_connection(path);
    conn.busy_timeout(Duration::from_secs(5)).expect("busy_timeout");
    let _: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .expect("journal_mode");
    conn.pragma_update(None, "synchronous", "FULL").expect("synchronous");
    conn.pragma_update(None, "foreign_keys", "ON").expect("foreign_keys");
    conn
}

/// The baseline: every insights statement, bare, stepping every row. Adds each statement's time
/// (µs) to `per_query`.
fn baseline(
    conn: &mut Connection,
    bounds: &(String, String),
    per_query: &mut [Vec<f64>; insights::QUERIES.len()],
) -> usize {
    let tx = conn.transaction().expect("begin");
    let mut rows_seen = 0;
    for ((_, sql), times) in insights::QUERIES.iter().zip(per_query.iter_mut()) {
        let t = Instant::now();
        let mut stmt = tx.prepare_cached(sql).expect("prepare");
        let mut rows = if stmt.parameter_count() == 2 {
            stmt.query(params![bounds.0, bounds.1])
        } else {
            stmt.query([])
        }
        .expect("query");
        while rows.next().expect("step").is_some() {
            rows_seen += 1;
        }
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    drop(tx);
    rows_seen
}

/// The query plans, and the lines that read `craving` without a covering index.
fn plans(conn: &Connection, bounds: &(String, String)) -> (Value, Vec<String>) {
    let mut all = serde_json::Map::new();
    let mut warnings = Vec::new();
    for (name, sql) in insights::QUERIES {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
        let mut rows = if stmt.parameter_count() == 2 {
            stmt.query(params![bounds.0, bounds.1])
        } else {
            stmt.query([])
        }
        .expect("explain query");
        let mut lines = Vec::new();
        while let Some(r) = rows.next().expect("explain step") {
            let detail: String = r.get(3).expect("detail");
            eprintln!("  {name}: {detail}");
            // `craving` is read as itself or as alias `c`: a SCAN of it, or a search that walks
            // every live row (`(cl=?)` only), must be a covering-index one.
            let mut words = detail.split_whitespace();
            let (op, table) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
            let reads_craving = matches!(table, "craving" | "c");
            let walks_all = op == "SCAN" || detail.ends_with("(cl=?)");
            if reads_craving && walks_all && !detail.contains("COVERING INDEX") {
                warnings.push(format!("{name}: {detail}"));
            }
            lines.push(Value::String(detail));
        }
        all.insert(name.to_owned(), Value::Array(lines));
    }
    (Value::Object(all), warnings)
}

const USAGE: &str = "kindred-bench p5 --rows N --runs N --seed S --out FILE.json [--cache DIR]";

fn main() {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let mut defaults = Args::defaults(100_000, "p5.json");
    defaults.cache =
        exe.parent().and_then(Path::parent).unwrap_or(Path::new(".")).join("bench/data");
    let args = defaults.from_env(&["--rows", "--runs", "--seed", "--out", "--cache"], USAGE);
    if args.bench != "p5" {
        eprintln!("unknown benchmark {:?}; this binary runs p5\nusage: {USAGE}", args.bench);
        std::process::exit(2);
    }
    std::fs::create_dir_all(&args.cache).expect("create the cache directory");
    let db = args.cache.join(format!("p5-seed{}-rows{}-encrypted.db", args.seed, args.rows));
    let (reused, build_ms) = if db.exists() {
        (true, None)
    } else {
        let t = build_db(&db, args.rows, args.seed);
        (false, Some(t.as_secs_f64() * 1e3))
    };
    eprintln!(
        "kindred-bench: P5 on {} ({})",
        db.display(),
        if reused {
            "reused".to_owned()
        } else {
            format!("built in {:.1} s", build_ms.unwrap_or(0.0) / 1e3)
        }
    );

    let today: NaiveDate = DateTime::from_timestamp_millis(END_MS).unwrap_or_default().date_naive();
    let (from, to) = insights::weekly_bounds(today, WEEKS).expect("weekly window");
    let bounds = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());

    let mut store = kindred_tests::open_store(&db);
    let mut conn = bare(&db);
    eprintln!("kindred-bench: query plans");
    let (plan, plan_warnings) = plans(&conn, &bounds);

    // Warm both connections' caches and statement caches, and check both see the same data.
    let ours_once = store.read(|tx| insights::insights(tx, today, WEEKS)).expect("insights");
    let mut per_query: [Vec<f64>; insights::QUERIES.len()] = Default::default();
    let bare_rows = baseline(&mut conn, &bounds, &mut per_query);
    per_query.iter_mut().for_each(Vec::clear);

    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..args.runs {
        let t = Instant::now();
        let i = store.read(|tx| insights::insights(tx, today, WEEKS)).expect("insights");
        ours.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(i);
        let t = Instant::now();
        std::hint::black_box(baseline(&mut conn, &bounds, &mut per_query));
        base.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let ours = summary(ours);
    let per_query: serde_json::Map<String, Value> = insights::QUERIES
        .iter()
        .zip(per_query)
        .map(|((name, _), times)| ((*name).to_owned(), summary(times)["median_us"].clone()))
        .collect();
    let base = summary(base);
    let median = |v: &Value| v["median_us"].as_f64().unwrap_or(f64::NAN);
    let ratio = (median(&ours) / median(&base) * 1000.0).round() / 1000.0;
    let ours_p95 = ours["p95_us"].as_f64().unwrap_or(f64::NAN);
    let pass_ratio = ratio <= RATIO_MAX;
    let pass_abs = ours_p95 <= ABS_MAX_US;
    let result = json!({
        "id": "P5",
        "what": "Insights queries of one screen (hours, weekdays, outcomes, 12 weeks, triggers, coping) over all live cravings",
        "baseline_what": "the same 6 statements, prepare_cached, bare rusqlite on the same file and pragmas, one read transaction, every row stepped",
        "seed": args.seed,
        "rows": args.rows,
        "live_rows": ours_once.total,
        "baseline_rows_stepped": bare_rows,
        "runs_per_side": args.runs,
        "db_reused": reused,
        "build_ms": build_ms.map(|v| v.round()),
        "today": today.to_string(),
        "ours": ours,
        "baseline": base,
        "ratio": ratio,
        "baseline_median_us_per_query": per_query,
        "targets": {
            "ratio_max": RATIO_MAX,
            "abs_p95_us_max": ABS_MAX_US,
            "plan": "no craving scan outside a covering index",
        },
        "pass_ratio": pass_ratio,
        "pass_abs": pass_abs,
        "pass_plan": plan_warnings.is_empty(),
        "pass": pass_ratio && pass_abs && plan_warnings.is_empty(),
        "plans": plan,
        "plan_warnings": plan_warnings,
    });
    eprintln!(
        "kindred-bench: P5 ours median {} µs p95 {} µs; baseline median {} µs p95 {} µs; \
         ratio {ratio} (≤ {RATIO_MAX}); plan warnings: {}",
        result["ours"]["median_us"],
        result["ours"]["p95_us"],
        result["baseline"]["median_us"],
        result["baseline"]["p95_us"],
        result["plan_warnings"].as_array().map_or(0, Vec::len)
    );
    let text = serde_json::to_string_pretty(&result).expect("json");
    std::fs::write(&args.out, text + "\n").expect("write --out");
}
