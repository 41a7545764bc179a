//! P1 and P1b (PERF.md): the log-craving write on the production store (SQLCipher 4 with a raw
//! key, WAL, `synchronous=FULL`), alternating A/B in one run:
//!
//! - P1: `Kindred::log_craving` (validate, row, field clocks, outbox, HLC, rollups, one
//!   transaction) against a bare `prepare_cached` insert of the same row into a table of the
//!   craving table's own shape (its DDL and index, read from the file) in the same file, on the
//!   same connection (so the same key and pragmas), one transaction per row;
//! - P1b: the same facade write under `synchronous=FULL` (ours) and `NORMAL` (baseline), on two
//!   stores opened alike; recorded, no target (PERF.md: keep FULL while P2 meets its target).

use chrono::{Datelike, Timelike};
use kindred_client::store::Durability;
use kindred_core::ipc::LogCravingReq;

use super::*;

/// P1's ratio target, and its absolute desktop target on the p99.
const RATIO_MAX: f64 = 1.5;
const ABS_P99_US_MAX: f64 = 2_000.0;
const ZONE: chrono_tz::Tz = chrono_tz::America::New_York;

fn open(dir: &Path) -> Kindred {
    Kindred::open_dir(dir, kindred_tests::real_options(ZONE)).expect("open the device")
}

/// Creates `p1_bare` with the craving table's DDL and indexes, renamed.
fn bare_table(k: &mut Kindred) {
    k.store_mut()
        .write(|tx| {
            let ddl: Vec<String> = tx
                .prepare(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = 'craving'
                       AND type IN ('table', 'index') AND sql IS NOT NULL",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, rusqlite::Error>>()?;
            for sql in ddl {
                let sql = sql
                    .replace("CREATE TABLE craving", "CREATE TABLE p1_bare")
                    .replace(" ON craving ", " ON p1_bare ");
                let sql = sql.replace("CREATE INDEX craving_", "CREATE INDEX p1_bare_");
                tx.execute_batch(&sql)?;
            }
            Ok(())
        })
        .expect("create the bare table");
}

/// One bare insert of the row `log_craving` writes (same columns and values), in its own
/// transaction.
fn bare_insert(k: &mut Kindred, n: usize, intensity: i64) {
    let now = chrono::DateTime::from_timestamp_millis(now_ms()).expect("now").with_timezone(&ZONE);
    k.store_mut()
        .write(|tx| {
            let mut s = tx.prepare_cached(
                "INSERT INTO p1_bare (id, cl, started_at, tz, local_day, local_hour, local_dow,
                     intensity, triggers, tags, coping, created_at)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, '[]', '[]', '[]', ?2)",
            )?;
            s.execute(rusqlite::params![
                format!("00000000-0000-7000-8000-{n:012x}"),
                now.timestamp_millis(),
                ZONE.name(),
                now.date_naive().to_string(),
                now.hour(),
                now.weekday().num_days_from_sunday(),
                intensity,
            ])?;
            Ok(())
        })
        .expect("bare insert");
}

pub fn p1(a: &Args) -> Vec<Value> {
    let writes = a.runs * 20;
    let (dir, full_dir, normal_dir) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // P1: facade vs bare insert, alternating on one store.
    let mut k = open(dir.path());
    bare_table(&mut k);
    let (ours, base) = alternate(writes, |i, ours| {
        let intensity = (i % 11) as i64;
        if ours {
            k.log_craving(LogCravingReq { intensity }).unwrap();
        } else {
            bare_insert(&mut k, i, intensity);
        }
    });
    let mut p1 = result(
        "P1",
        "Log a craving through the facade (validate, row, field clocks, outbox, HLC, rollups, one transaction) on the encrypted store, synchronous=FULL",
        "a bare prepare_cached insert of the same row into a table of the craving table's shape, same file and connection (same key and pragmas), one transaction per row",
        a,
        ours,
        base,
        RATIO_MAX,
        None,
        json!({"writes_per_side": writes}),
    );
    let p99 = p1["ours"]["p99_us"].as_f64().unwrap_or(f64::INFINITY);
    p1["targets"]["abs_p99_us_max"] = json!(ABS_P99_US_MAX);
    p1["pass_abs"] = json!(p99 <= ABS_P99_US_MAX);
    p1["pass"] = json!(p1["pass_ratio"] == json!(true) && p99 <= ABS_P99_US_MAX);

    // P1b: FULL vs NORMAL, the same facade write on two stores opened alike.
    let (mut full, mut normal) = (open(full_dir.path()), open(normal_dir.path()));
    normal.store_mut().set_durability(Durability::Normal).expect("synchronous=NORMAL");
    let (ours, base) = alternate(writes, |i, ours| {
        let store = if ours { &mut full } else { &mut normal };
        store.log_craving(LogCravingReq { intensity: (i % 11) as i64 }).unwrap();
    });
    let mut p1b = result(
        "P1b",
        "Durability cost: the log-craving write with synchronous=FULL (production)",
        "the same write with synchronous=NORMAL (WAL), a second store opened alike",
        a,
        ours,
        base,
        f64::INFINITY,
        None,
        json!({"writes_per_side": writes}),
    );
    p1b["targets"] = json!({"note": "recorded (PERF.md: keep FULL while P2 meets its target)"});
    vec![p1, p1b]
}
