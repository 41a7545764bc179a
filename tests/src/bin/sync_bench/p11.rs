//! P11 (PERF.md): what SQLCipher costs. Each part alternates A/B in one run, the same work on
//! an encrypted store (ours: SQLCipher 4, raw key) and on a plain SQLite file (baseline: no key,
//! same library, same pragmas):
//!
//! - P11-P1: the log-craving write through the facade (`Kindred::log_craving`: validate, row,
//!   clocks, outbox, rollups, one FULL-synchronous transaction);
//! - P11-P5: the insights screen's reads over the same cravings;
//! - P11-P6: applying the pages of an initial sync of the user scope (fetched once from the
//!   real server, then applied to fresh stores without the network);
//! - P11-key: opening an existing store (key set-up and the first read) vs opening it plain
//!   (absolute target ≤ 5 ms, no key derivation).

use kindred_client::keys::DbKey;
use kindred_client::store::{pull::apply_pull, Store, StoreOptions};
use kindred_client::OpenOptions;
use kindred_core::ipc::LogCravingReq;

use super::*;

/// Ratio target of every P11 part (encrypted / plain medians).
const RATIO_MAX: f64 = 1.15;
/// Absolute target of the key set-up at open, in µs (checked on p95).
const KEY_SETUP_MAX_US: f64 = 5_000.0;
/// Cravings logged before the insights part (both stores get the same).
const INSIGHT_ROWS: usize = 5_000;

fn options(key: Option<DbKey>) -> OpenOptions {
    let o = kindred_tests::real_options(chrono_tz::America::New_York);
    match key {
        Some(k) => o.with_key(k),
        None => OpenOptions { key: None, ..o },
    }
}

fn store(path: &Path, key: Option<DbKey>) -> Store {
    Store::open(path, &StoreOptions { key }).expect("open the store")
}

pub fn p11(a: &Args) -> Vec<Value> {
    let key = kindred_tests::test_key();
    let (enc_dir, plain_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut enc = Kindred::open_dir(enc_dir.path(), options(Some(key.clone()))).unwrap();
    let mut plain = Kindred::open_dir(plain_dir.path(), options(None)).unwrap();
    let writes = a.runs * 20;

    // P1: one logged craving per sample, alternating.
    let (ours, base) = alternate(writes, |i, ours| {
        let store = if ours { &mut enc } else { &mut plain };
        store.log_craving(LogCravingReq { intensity: (i % 11) as i64 }).unwrap();
    });
    let p1 = result(
        "P11-P1",
        "Log a craving through the facade on the encrypted store (SQLCipher 4, raw key)",
        "the same write on a plain SQLite file (same library and pragmas, no key)",
        a,
        ours,
        base,
        RATIO_MAX,
        None,
        json!({"writes_per_side": writes}),
    );

    // P5: the insights screen over the same rows.
    for i in writes..INSIGHT_ROWS {
        let req = || LogCravingReq { intensity: (i % 11) as i64 };
        enc.log_craving(req()).unwrap();
        plain.log_craving(req()).unwrap();
    }
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..a.runs * 10 {
        let t = Instant::now();
        std::hint::black_box(enc.insights().unwrap());
        ours.push(us(t));
        let t = Instant::now();
        std::hint::black_box(plain.insights().unwrap());
        base.push(us(t));
    }
    let p5 = result(
        "P11-P5",
        "The insights screen (one facade call: rollup reads and text) on the encrypted store",
        "the same on a plain SQLite file",
        a,
        ours,
        base,
        RATIO_MAX,
        None,
        json!({"cravings": INSIGHT_ROWS}),
    );
    drop((enc, plain));

    // Key set-up: a fresh connection to the existing file, keyed, and its first read (vs the
    // same first read of the plain file); the whole store open (pragmas, quick_check) apart.
    let (enc_db, plain_db) =
        (kindred_client::db_path(enc_dir.path()), kindred_client::db_path(plain_dir.path()));
    let first_read = |c: &rusqlite::Connection| {
        c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    let (mut ours, mut base, mut open_enc, mut open_plain) = (vec![], vec![], vec![], vec![]);
    for _ in 0..a.runs * 4 {
        let t = Instant::now();
        let c = rusqlite::Connection::open(&enc_db).unwrap();
        kindred_client::store::cipher::key_connection(&c, &key).unwrap();
        std::hint::black_box(first_read(&c));
        ours.push(us(t));
        let t = Instant::now();
        let c = rusqlite::Connection::open(&plain_db).unwrap();
        std::hint::black_box(first_read(&c));
        base.push(us(t));
        let t = Instant::now();
        std::hint::black_box(store(&enc_db, Some(key.clone())));
        open_enc.push(us(t));
        let t = Instant::now();
        std::hint::black_box(store(&plain_db, None));
        open_plain.push(us(t));
    }
    let key_setup = result(
        "P11-key",
        "Key set-up at open: a new connection to the encrypted file, PRAGMA key (raw key), first read",
        "a new connection to the plain file and the same first read",
        a,
        ours,
        base,
        f64::INFINITY,
        Some(KEY_SETUP_MAX_US),
        json!({"store_open_encrypted_us": summary(open_enc), "store_open_plain_us": summary(open_plain),
               "note": "no ratio target; the absolute target is on the keyed first read's p95; store_open includes quick_check over every page"}),
    );

    // P6: the pages of an initial sync, applied to fresh stores.
    let (s, _seeder) = seeded_site(a, false);
    let dir = tempfile::tempdir().unwrap();
    let k = device(dir.path());
    let creds = Arc::new(MemoryCreds::default());
    enrol(&s, &k, &*creds);
    let raw = Raw::new(&s.server, &creds, k.lock().unwrap().device_id().unwrap());
    let scope = format!("user:{}", s.mentee);
    let (mut after, mut pages) = (0, Vec::new());
    loop {
        let page = raw.pull(&scope, after, 1000);
        after = page.next_after;
        let more = page.has_more;
        pages.push(page);
        if !more {
            break;
        }
    }
    let apply = |key: Option<DbKey>| {
        let d = tempfile::tempdir().unwrap();
        let mut st = store(&d.path().join("a.sqlite3"), key);
        let t = Instant::now();
        for page in &pages {
            st.write(|tx| apply_pull(tx, &scope, page, now_ms())).unwrap();
        }
        us(t)
    };
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for run in 0..a.runs.min(5) {
        ours.push(apply(Some(key.clone())));
        base.push(apply(None));
        eprintln!(
            "kindred-sync-bench: P11-P6 run {run}: encrypted {:.0} ms, plain {:.0} ms",
            ours[run] / 1e3,
            base[run] / 1e3
        );
    }
    let p6 = result(
        "P11-P6",
        "Apply the pages of an initial sync of the user scope to a fresh encrypted store (no network)",
        "the same pages applied to a fresh plain SQLite file",
        a,
        ours,
        base,
        RATIO_MAX,
        None,
        json!({"pages": pages.len()}),
    );
    vec![p1, p5, p6, key_setup]
}
