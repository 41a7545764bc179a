//! P8, server throughput: simulated devices (threads) issuing a fixed number of requests, no-op
//! pulls against the authenticated hello route and durable pushes of 10 changes, each against a
//! bare baseline on the same database; SQLite always, PostgreSQL when `--pg` is given.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// Runs `total` calls of `f` from `threads` threads; returns per-call latencies (µs) and wall µs.
fn load(threads: usize, total: usize, f: &(dyn Fn(usize) + Sync)) -> (Vec<f64>, f64) {
    let next = AtomicUsize::new(0);
    let lat = Mutex::new(Vec::with_capacity(total));
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= total {
                        break;
                    }
                    let t = Instant::now();
                    f(i);
                    mine.push(us(t));
                }
                lat.lock().unwrap().extend(mine);
            });
        }
    });
    (lat.into_inner().unwrap(), us(start))
}

fn p8_on(a: &Args, backend: &str, db: &str, dir: &Path) -> Vec<Value> {
    let key = dir.join(format!("p8-{backend}.key"));
    let s = site(db, &key);
    const THREADS: usize = 8;
    // One device per mentee, as in a program: pushes of different mentees do not share a scope.
    let devices: Vec<(Raw, tempfile::TempDir, String)> = (0..THREADS)
        .map(|n| {
            let mentee =
                s.server.staff(&["mentee", "create", "--program", &s.program, &format!("P8-{n}")]);
            let d = tempfile::tempdir().unwrap();
            let k = device(d.path());
            let creds = MemoryCreds::default();
            s.server.enrol(&mentee, &k, &creds);
            let id = k.lock().unwrap().device_id().unwrap();
            (Raw::new(&s.server, &creds, id), d, format!("user:{mentee}"))
        })
        .collect();
    let pulls = a.runs * 400;
    let pushes = a.runs * 100;
    // Warm up.
    let (_, _) = load(THREADS, THREADS * 10, &|i| devices[i % THREADS].0.hello());
    let (base_lat, base_wall) = load(THREADS, pulls, &|i| devices[i % THREADS].0.hello());
    let (ours_lat, ours_wall) = load(THREADS, pulls, &|i| {
        let (dev, _, scope) = &devices[i % THREADS];
        let p = dev.pull(scope, 0, 500);
        std::hint::black_box(p);
    });
    let pull_rps = (pulls as f64 / (ours_wall / 1e6), pulls as f64 / (base_wall / 1e6));
    let rngs: Vec<Mutex<Rng>> =
        (0..THREADS).map(|i| Mutex::new(Rng::new(a.seed + i as u64))).collect();
    let (push_lat, push_wall) = load(THREADS, pushes, &|i| {
        let changes: Vec<WireChange> = {
            let mut r = rngs[i % THREADS].lock().unwrap();
            (0..10).map(|_| craving_change(&mut r, now_ms())).collect()
        };
        devices[i % THREADS].0.push(changes);
    });
    // Baseline (b): the same 10 rows upserted in one bare durable transaction on the same DB.
    let rows: Vec<Vec<(String, String)>> = {
        let mut r = Rng::new(a.seed ^ 99);
        (0..pushes)
            .map(|_| {
                (0..10)
                    .map(|_| {
                        let c = craving_change(&mut r, now_ms());
                        (c.record_id, Value::Object(c.fields).to_string())
                    })
                    .collect()
            })
            .collect()
    };
    let (bare_lat, bare_wall) = bare_upserts(db, &rows, THREADS);
    let push_rps = (pushes as f64 / (push_wall / 1e6), pushes as f64 / (bare_wall / 1e6));
    eprintln!("kindred-sync-bench: P8 {backend}: pulls {:.0}/s (hello {:.0}/s); pushes {:.0}/s (bare {:.0}/s)", pull_rps.0, pull_rps.1, push_rps.0, push_rps.1);
    let mut pull = result(
        &format!("P8-pull-{backend}"),
        &format!("Server throughput, no-op pulls from {THREADS} simulated devices (one per mentee) on loopback ({backend}); times are per-request latency, the ratio is hello req/s ÷ pull req/s"),
        "the authenticated hello route of the same binary under the same load",
        a, ours_lat, base_lat, 2.0, Some(10_000.0),
        json!({"requests": pulls, "ours_rps": pull_rps.0.round(), "baseline_rps": pull_rps.1.round()}),
    );
    let mut push = result(
        &format!("P8-push-{backend}"),
        &format!("Server throughput, durable pushes of 10 new changes from {THREADS} simulated devices (one per mentee) ({backend}); the ratio is bare tx/s ÷ push req/s"),
        "the same 10 rows upserted in one bare durable transaction on the same database, same concurrency",
        a, push_lat, bare_lat, 1.0 / 0.7, Some(50_000.0),
        json!({"requests": pushes, "ours_rps": push_rps.0.round(), "baseline_tx_per_s": push_rps.1.round()}),
    );
    // The targets are on throughput: replace the latency ratio with the throughput ratio.
    for (v, (o, b), max) in [(&mut pull, pull_rps, 2.0), (&mut push, push_rps, 1.0 / 0.7)] {
        let ratio = ((b / o) * 1000.0).round() / 1000.0;
        v["ratio"] = json!(ratio);
        v["pass_ratio"] = json!(ratio <= max);
        v["pass"] = json!(ratio <= max && v["pass_abs"] == json!(true));
        v["targets"]["ratio_max"] = json!((max * 1000.0_f64).round() / 1000.0);
        v["targets"]["abs_p95_us_max"] = v["targets"]["abs_p95_us_max"].clone();
        v["targets"]["note"] = json!("PERF.md states p99; the p99 is in ours.p99_us");
    }
    vec![pull, push]
}

fn bare_upserts(db: &str, rows: &[Vec<(String, String)>], threads: usize) -> (Vec<f64>, f64) {
    const DDL: &str =
        "CREATE TABLE IF NOT EXISTS bench_bare (id TEXT PRIMARY KEY, fields TEXT NOT NULL)";
    const UPSERT: &str = "INSERT INTO bench_bare (id, fields) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET fields = excluded.fields";
    if db.starts_with("postgres") {
        let mut c = postgres::Client::connect(db, postgres::NoTls).unwrap();
        c.batch_execute(DDL).unwrap();
        let pool: Vec<Mutex<postgres::Client>> = (0..threads)
            .map(|_| Mutex::new(postgres::Client::connect(db, postgres::NoTls).unwrap()))
            .collect();
        load(threads, rows.len(), &|i| {
            let mut c = pool[i % threads].lock().unwrap();
            let mut tx = c.transaction().unwrap();
            let st = tx.prepare(UPSERT).unwrap();
            for (id, f) in &rows[i] {
                tx.execute(&st, &[id, f]).unwrap();
            }
            tx.commit().unwrap();
        })
    } else {
        let conns: Vec<Mutex<rusqlite::Connection>> = (0..threads)
            .map(|_| {
                let c = rusqlite::Connection::open(db).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
                let _: String =
                    c.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).unwrap();
                c.pragma_update(None, "synchronous", "FULL").unwrap();
                c.execute_batch(DDL).unwrap();
                Mutex::new(c)
            })
            .collect();
        load(threads, rows.len(), &|i| {
            let mut c = conns[i % threads].lock().unwrap();
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
            {
                let mut st = tx.prepare_cached(&UPSERT.replace('$', "?")).unwrap();
                for (id, f) in &rows[i] {
                    st.execute([id, f]).unwrap();
                }
            }
            tx.commit().unwrap();
        })
    }
}

pub(crate) fn p8(a: &Args) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = p8_on(a, "sqlite", dir.path().join("p8.sqlite3").to_str().unwrap(), dir.path());
    if let Some(pg) = &a.pg {
        out.extend(p8_on(a, "postgres", pg, dir.path()));
    }
    out
}
