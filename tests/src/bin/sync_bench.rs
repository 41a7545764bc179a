//! `kindred-sync-bench`: the sync and write benchmarks of PERF.md, run by `cargo xtask bench`
//! against the real `kindred-server` (release) on 127.0.0.1.
//!
//! `kindred-sync-bench p1|p6|p7|p8|p11|p12 --rows N --runs N --seed S --out FILE.json --cache DIR [--pg URL]`
//!
//! - P6, initial sync of N rows: ours is a fresh device's `sync_once` (pull every page, apply,
//!   cursor per page); the baseline fetches the same rows with raw gzip GETs of the largest page
//!   (the current protocol's compact pages) and inserts them in one transaction of
//!   `prepare_cached` inserts into a bare table. Also reports bytes per row on the wire in
//!   protocols 1 and 2 (JSON and gzip, per entity) (`sync_bench/p6.rs`).
//! - P7, incremental sync with N rows present: a no-op sync (ours) against one raw GET per scope
//!   (baseline); and one new server row (ours) against a raw GET plus one upsert (baseline)
//!   (`sync_bench/p7.rs`).
//! - P8, server throughput from simulated devices (threads) issuing a fixed number of requests:
//!   no-op pulls against the authenticated hello route of the same binary, and durable pushes
//!   of 10 changes against the same rows upserted in one bare transaction on the same database.
//!   SQLite always, PostgreSQL when `--pg` is given.
//! - P1/P1b, the log-craving write against a bare insert, and FULL against NORMAL
//!   (`sync_bench/p1.rs`).
//! - P11, what SQLCipher costs (`sync_bench/p11.rs`); P12, the mentor's caseload page at 50
//!   mentees with a year of data each (`sync_bench/p12.rs`).
//!
//! Writes one JSON result (P8: a list) in the shape the xtask report expects.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use kindred_client::keys::{CredentialStore, MemoryCreds, ACCESS};
use kindred_client::sync::{sync_once, Status};
use kindred_client::Kindred;
use kindred_core::ids::ChangeId;
use kindred_core::sync::compact::CompactPage;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{PullResponse, PushRequest, WireChange};
use kindred_tests::bench_args::BenchArgs as Args;
use kindred_tests::figures::{percentile, summary};
use kindred_tests::sync::{Rng, ServerProc};
use serde_json::{json, Value};

#[path = "sync_bench/p1.rs"]
mod p1;
#[path = "sync_bench/p11.rs"]
mod p11;
#[path = "sync_bench/p12.rs"]
mod p12;
#[path = "sync_bench/p6.rs"]
mod p6;
#[path = "sync_bench/p7.rs"]
mod p7;
#[path = "sync_bench/p8.rs"]
mod p8;
use p1::p1;
use p11::p11;
use p12::p12;
use p6::p6;
use p7::p7;
use p8::p8;

const USAGE: &str = "kindred-sync-bench p1|p6|p7|p8|p11|p12 --rows N --runs N --seed S \
                     --out FILE.json --cache DIR [--pg URL]";

fn args() -> Args {
    let flags = ["--rows", "--runs", "--seed", "--out", "--cache", "--pg"];
    Args::defaults(50_000, "sync-bench.json").from_env(&flags, USAGE)
}

fn us(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e6
}

/// Times `n` alternating pairs of runs, ours (`run(i, true)`) then the baseline
/// (`run(i, false)`); returns both sides' times in µs.
fn alternate(n: usize, mut run: impl FnMut(usize, bool)) -> (Vec<f64>, Vec<f64>) {
    let (mut ours, mut base) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let t = Instant::now();
        run(i, true);
        ours.push(us(t));
        let t = Instant::now();
        run(i, false);
        base.push(us(t));
    }
    (ours, base)
}

/// The server process plus its staff ids.
struct Site {
    server: ServerProc,
    program: String,
    mentee: String,
}

fn site(db: &str, key: &Path) -> Site {
    let server = ServerProc::start(
        db,
        key,
        0,
        &["--device-per-minute", "100000000", "--enrol-per-minute", "100000"],
    );
    let ids = key.with_extension("ids.json");
    let (program, mentee) = match std::fs::read(&ids)
        .ok()
        .and_then(|b| serde_json::from_slice::<(String, String)>(&b).ok())
    {
        Some(p) => p,
        None => {
            let program = server.staff(&["program", "create", "Bench"]);
            let mentee = server.staff(&["mentee", "create", "--program", &program, "B-1"]);
            std::fs::write(&ids, serde_json::to_vec(&(&program, &mentee)).unwrap()).unwrap();
            (program, mentee)
        }
    };
    Site { server, program, mentee }
}

fn device(dir: &Path) -> Mutex<Kindred> {
    kindred_tests::sync::real_device(dir)
}

fn enrol(s: &Site, k: &Mutex<Kindred>, creds: &dyn CredentialStore) {
    s.server.enrol(&s.mentee, k, creds);
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn craving_change(rng: &mut Rng, now: i64) -> WireChange {
    let id = |r: &mut Rng| {
        uuid::Builder::from_random_bytes(
            ((u128::from(r.next_u64()) << 64) | u128::from(r.next_u64())).to_be_bytes(),
        )
        .into_uuid()
    };
    WireChange {
        change_id: ChangeId(id(rng)),
        entity: "craving".into(),
        entity_version: 1,
        record_id: id(rng).to_string(),
        op: Op::Create,
        cl: 1,
        hlc: Hlc::new(now as u64, 0),
        base_row_seq: None,
        fields: json!({
            "started_at": now - rng.below(5 * 365 * 86_400_000) as i64, "tz": "America/New_York",
            "intensity": rng.below(11), "triggers": ["lonely", "tired"], "tags": [], "place": null,
            "with_whom": null, "coping": ["walk"], "outcome": "rode_it_out", "end_intensity": rng.below(11),
            "surf_started_at": null, "surf_ended_at": null
        })
        .as_object()
        .cloned()
        .unwrap(),
    }
}

/// A raw client for one device: token, device id, epoch.
struct Raw {
    http: reqwest::blocking::Client,
    base: String,
    token: String,
    device_id: String,
    epoch: String,
}

impl Raw {
    fn new(server: &ServerProc, creds: &MemoryCreds, device_id: String) -> Raw {
        let http = server.client();
        let base = server.url();
        let token = creds.get(ACCESS).unwrap().unwrap();
        let epoch = http
            .get(format!("{base}/sync/v1/hello"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json::<Value>()
            .unwrap()["epoch"]
            .as_str()
            .unwrap()
            .to_owned();
        Raw { http, base, token, device_id, epoch }
    }
    fn push(&self, changes: Vec<WireChange>) {
        let req =
            PushRequest { device_id: self.device_id.clone(), epoch: self.epoch.clone(), changes };
        let r = self
            .http
            .post(format!("{}/sync/v1/push", self.base))
            .bearer_auth(&self.token)
            .json(&req)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "push: {}", r.status());
        let body: kindred_core::sync::wire::PushResponse = r.json().unwrap();
        let applied = kindred_core::sync::wire::PushOutcome::Applied;
        assert!(body.results.iter().all(|r| r.outcome == applied), "push: {:?}", body.results);
    }
    /// One page as the current protocol sends it (compact), decoded.
    fn pull(&self, scope: &str, after: i64, limit: u32) -> PullResponse {
        self.page(2, scope, after, limit).1
    }
    /// One page in protocol `version`: its JSON body (decompressed) and the rows it carries.
    fn page(&self, version: u32, scope: &str, after: i64, limit: u32) -> (Vec<u8>, PullResponse) {
        let body = self.page_body(version, scope, after, limit);
        let page = if version == 1 {
            serde_json::from_slice::<PullResponse>(&body).unwrap()
        } else {
            serde_json::from_slice::<CompactPage>(&body)
                .unwrap()
                .decode()
                .expect("a consistent page")
        };
        (body, page)
    }
    fn page_body(&self, version: u32, scope: &str, after: i64, limit: u32) -> Vec<u8> {
        let r = self
            .http
            .get(format!("{}/sync/v{version}/pull", self.base))
            .query(&[
                ("scope", scope),
                ("after", &after.to_string()),
                ("limit", &limit.to_string()),
            ])
            .bearer_auth(&self.token)
            .header("sync-epoch", &self.epoch)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "pull: {}", r.status());
        r.bytes().unwrap().to_vec()
    }
    fn hello(&self) {
        let r = self
            .http
            .get(format!("{}/sync/v1/hello", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        assert!(r.status().is_success());
        std::hint::black_box(r.bytes().unwrap());
    }
}

fn bare_db(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    let _: String = c.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).unwrap();
    c.pragma_update(None, "synchronous", "FULL").unwrap();
    c.execute_batch("CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, entity TEXT NOT NULL, cl INTEGER NOT NULL, seq INTEGER NOT NULL, fields TEXT)").unwrap();
    c
}

fn bare_insert(c: &mut rusqlite::Connection, rows: &[kindred_core::sync::wire::PulledRow]) {
    let tx = c.transaction().unwrap();
    {
        let mut s = tx
            .prepare_cached("INSERT INTO t (id, entity, cl, seq, fields) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET cl = excluded.cl, seq = excluded.seq, fields = excluded.fields")
            .unwrap();
        for r in rows {
            s.execute(rusqlite::params![
                r.id,
                r.entity,
                r.cl,
                r.row_seq,
                r.fields.as_ref().map(|f| serde_json::to_string(f).unwrap())
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// A server holding a user scope of `rows` cravings, built once per seed and size.
/// With `scratch`, the server runs on a copy, so a benchmark that adds rows (P7) leaves the
/// cached scope at exactly `rows` for the next run.
fn seeded_site(a: &Args, scratch: bool) -> (Site, tempfile::TempDir) {
    std::fs::create_dir_all(&a.cache).unwrap();
    let db = a.cache.join(format!("sync-seed{}-rows{}.sqlite3", a.seed, a.rows));
    let key = a.cache.join(format!("sync-seed{}-rows{}.key", a.seed, a.rows));
    let fresh = !db.exists();
    let s = site(db.to_str().unwrap(), &key);
    let seeder_dir = tempfile::tempdir().unwrap();
    if fresh {
        let t = Instant::now();
        let k = device(seeder_dir.path());
        let creds = MemoryCreds::default();
        enrol(&s, &k, &creds);
        let raw = Raw::new(&s.server, &creds, k.lock().unwrap().device_id().unwrap());
        let mut rng = Rng::new(a.seed);
        let now = now_ms();
        let mut left = a.rows;
        while left > 0 {
            let n = left.min(250);
            raw.push((0..n).map(|_| craving_change(&mut rng, now)).collect());
            left -= n;
        }
        eprintln!(
            "kindred-sync-bench: seeded {} rows in {:.1} s",
            a.rows,
            t.elapsed().as_secs_f64()
        );
    }
    if !scratch {
        return (s, seeder_dir);
    }
    drop(s);
    let tmp = tempfile::tempdir().unwrap();
    for name in [db.clone(), key.clone(), key.with_extension("ids.json")]
        .into_iter()
        .chain(["-wal", "-shm"].map(|x| PathBuf::from(format!("{}{x}", db.display()))))
    {
        if name.exists() {
            std::fs::copy(&name, tmp.path().join(name.file_name().unwrap())).unwrap();
        }
    }
    let copy = tmp.path().join(db.file_name().unwrap());
    let s = site(copy.to_str().unwrap(), &tmp.path().join(key.file_name().unwrap()));
    (s, tmp)
}

#[allow(clippy::too_many_arguments)] // one call per benchmark, each naming every part
fn result(
    id: &str,
    what: &str,
    baseline_what: &str,
    a: &Args,
    ours: Vec<f64>,
    base: Vec<f64>,
    ratio_max: f64,
    abs_p95_us_max: Option<f64>,
    extra: Value,
) -> Value {
    let head = json!({
        "id": id, "what": what, "baseline_what": baseline_what, "seed": a.seed, "rows": a.rows,
        "runs_per_side": a.runs,
    });
    kindred_tests::figures::result(head, ours, base, ratio_max, abs_p95_us_max, extra)
}

fn main() {
    let a = args();
    let v = match a.bench.as_str() {
        "p1" => Value::Array(p1(&a)),
        "p6" => p6(&a),
        "p7" => Value::Array(p7(&a)),
        "p8" => Value::Array(p8(&a)),
        "p11" => Value::Array(p11(&a)),
        "p12" => Value::Array(p12(&a)),
        other => {
            eprintln!("unknown benchmark {other:?}\nusage: {USAGE}");
            std::process::exit(2);
        }
    };
    std::fs::write(&a.out, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
}
