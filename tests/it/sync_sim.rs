//! S1: the seeded convergence property test. Two devices of one mentee (with skewed clocks),
//! staff and the real server service (SQLite, and PostgreSQL when reachable) run random
//! operations and syncs over a network that loses requests and responses and duplicates
//! pushes, with crashes (the app closed and reopened) between steps. After healing, every
//! device shows exactly what the server shows, outboxes are empty, no deleted record is
//! visible anywhere, no created one is missing, and the server's state equals a shuffled replay
//! of its change log through the merge rule. Device-only text never reaches the server.
//!
//! Fixed seeds run in the test command; `KINDRED_SIM_SEEDS=n` (used by `cargo xtask soak`)
//! runs more, and `KINDRED_SIM_SEED=s` replays one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use kindred_client::ids::IdGen;
use kindred_client::keys::MemoryCreds;
use kindred_client::sync::{sync_once, Status, SyncSummary};
use kindred_client::{Kindred, OpenOptions};
use kindred_core::ids::ChangeId;
use kindred_core::ipc::{
    AddGoalReq, CravingRef, CreateTrackerReq, ItemRef, LogCravingReq, RenameTrackerReq,
    SaveContactReq, SaveCravingReq, SetGoalStatusReq, TrackerRef,
};
use kindred_core::model::contact::Role;
use kindred_core::model::craving::{Outcome, Trigger};
use kindred_core::model::ladder::Ladder;
use kindred_core::model::plan::GoalStatus;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::{self, Op, RecordState};
use kindred_server::db::{self, Mode, Storage};
use kindred_server::Service;
use kindred_tests::sync::{
    device_visible, norm, server_visible, Delayed, Faults, Program, Rng, ServerClock, SimTransport,
};
use kindred_tests::{open_device, ManualClock};
use serde_json::{json, Map, Value};

/// Ids from a seeded generator (UUID v4 layout), so a seed replays exactly.
struct SeededIds(Mutex<Rng>);

impl IdGen for SeededIds {
    fn next(&self) -> uuid::Uuid {
        let mut r = self.0.lock().unwrap();
        let hi = u128::from(r.next_u64());
        let lo = u128::from(r.next_u64());
        uuid::Builder::from_random_bytes(((hi << 64) | lo).to_be_bytes()).into_uuid()
    }
}

struct Device {
    _dir: tempfile::TempDir,
    file: PathBuf,
    clock: ManualClock,
    skew_ms: i64,
    ids: Arc<SeededIds>,
    k: Mutex<Kindred>,
    creds: MemoryCreds,
}

const TZ: chrono_tz::Tz = chrono_tz::America::New_York;
const START_MS: i64 = 1_790_000_000_000;

impl Device {
    fn new(seed: u64, skew_ms: i64, server_ms: i64) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::at(DateTime::from_timestamp_millis(server_ms + skew_ms).unwrap());
        let ids = Arc::new(SeededIds(Mutex::new(Rng::new(seed))));
        let options = OpenOptions::new(Arc::new(clock.clone()), ids.clone(), TZ)
            .with_key(kindred_tests::test_key());
        let k = open_device(dir.path(), options).unwrap();
        let file = kindred_client::db_path(dir.path());
        Device {
            _dir: dir,
            file,
            clock,
            skew_ms,
            ids,
            k: Mutex::new(k),
            creds: MemoryCreds::default(),
        }
    }

    /// Closes and reopens the app on the same file: a crash between steps.
    fn crash(&self) {
        let mut k = self.k.lock().unwrap();
        let dir = self.file.parent().unwrap().to_owned();
        // The old connection closes when replaced; every committed write is on disk.
        let options = OpenOptions::new(Arc::new(self.clock.clone()), self.ids.clone(), TZ)
            .with_key(kindred_tests::test_key());
        *k = open_device(&dir, options).unwrap();
    }

    fn live(&self, table: &str) -> Vec<String> {
        let sql = format!("SELECT id FROM {table} WHERE cl % 2 = 1 ORDER BY id");
        self.k
            .lock()
            .unwrap()
            .store_mut()
            .read(|tx| {
                let mut s = tx.prepare(&sql)?;
                let ids = s
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(ids)
            })
            .unwrap()
    }

    fn counts(&self) -> (i64, i64) {
        let SyncSummary { pending, rejected, .. } = self.k.lock().unwrap().sync_status().unwrap();
        (pending, rejected)
    }
}

/// An operation's error must be one a user could meet (the record went away, say), never a
/// storage failure.
fn tolerate(r: kindred_client::Result<impl Sized>) -> bool {
    match r {
        Ok(_) => true,
        Err(e) => {
            let code = e.to_command_error().code;
            assert!(code == "not_found" || code == "invalid", "unexpected error: {e}");
            false
        }
    }
}

struct World {
    svc: Service,
    db: Arc<dyn Storage>,
    clock: ServerClock,
    program: Program,
    devices: Vec<Device>,
    rng: Rng,
    created: BTreeSet<String>,
    /// Record id → devices whose delete of it stands (a delete undone on one device does not
    /// undo the other's).
    deleted: BTreeMap<String, BTreeSet<usize>>,
    canary: String,
    delayed: Delayed,
}

impl World {
    fn new(seed: u64, db: Arc<dyn Storage>) -> World {
        let clock = ServerClock::at(START_MS);
        let svc = Service::open(db.clone(), Arc::new(clock.clone()), [7; 32]).unwrap();
        let program = Program::create(&svc);
        let mut rng = Rng::new(seed);
        let skews = [0, 40_000, -40_000, 3 * 86_400_000, -3 * 86_400_000];
        let devices: Vec<Device> = (0..2)
            .map(|i| {
                let skew = *rng.pick(&skews).unwrap();
                let d = Device::new(seed * 31 + i, skew, START_MS);
                program.enrol(&svc, &d.k, &d.creds);
                d
            })
            .collect();
        World {
            svc,
            db,
            clock,
            program,
            devices,
            rng,
            created: BTreeSet::new(),
            deleted: BTreeMap::new(),
            canary: format!("CANARY-{seed}-note"),
            delayed: Delayed::default(),
        }
    }

    fn advance(&mut self, ms: i64) {
        self.clock.advance(ms);
        for d in &self.devices {
            d.clock.advance(Duration::milliseconds(ms));
        }
    }

    fn sync(&mut self, i: usize, faults: Faults) -> Status {
        let d = &self.devices[i];
        let mut t = SimTransport {
            svc: &self.svc,
            creds: &d.creds,
            rng: &mut self.rng,
            faults,
            delayed: Some(&self.delayed),
        };
        let r = sync_once(&d.k, &mut t, true).expect("sync never fails on the store");
        r.status
    }

    fn step(&mut self, faults: Faults) {
        let i = self.rng.below(self.devices.len() as u64) as usize;
        let op = self.rng.below(17);
        let n = self.rng.below(1000);
        let d = &self.devices[i];
        match op {
            0 => {
                let r = d.k.lock().unwrap().add_goal(AddGoalReq { text: format!("goal {n}") });
                assert!(tolerate(r));
                if let Some(id) = d.live("goal").into_iter().find(|id| !self.created.contains(id)) {
                    self.created.insert(id);
                }
            }
            1 => {
                if let Some(id) = self.rng.pick(&d.live("goal")).cloned() {
                    let status = GoalStatus::ALL[(n % 3) as usize];
                    tolerate(d.k.lock().unwrap().set_goal_status(SetGoalStatusReq { id, status }));
                }
            }
            2 => {
                if let Some(id) = self.rng.pick(&d.live("goal")).cloned() {
                    if tolerate(d.k.lock().unwrap().delete_goal(ItemRef { id: id.clone() })) {
                        self.deleted.entry(id).or_default().insert(i);
                    }
                }
            }
            3 if d.skew_ms < 20 * 3_600_000 => {
                let logged =
                    d.k.lock().unwrap().log_craving(LogCravingReq { intensity: (n % 11) as i64 });
                if let Ok(l) = logged {
                    self.created.insert(l.id.to_string());
                }
            }
            4 => {
                if let Some(id) = self.rng.pick(&d.live("craving")).cloned() {
                    let req = SaveCravingReq {
                        id,
                        triggers: vec![Trigger::Lonely],
                        tags: vec![],
                        place: format!("place {n}"),
                        with_whom: String::new(),
                        coping: vec!["walk".into()],
                        outcome: Some(Outcome::RodeItOut),
                        end_intensity: Some((n % 11) as i64),
                        note: self.canary.clone(),
                    };
                    tolerate(d.k.lock().unwrap().save_craving(req));
                }
            }
            5 => {
                if let Some(id) = self.rng.pick(&d.live("craving")).cloned() {
                    if tolerate(d.k.lock().unwrap().delete_craving(CravingRef { id: id.clone() })) {
                        self.deleted.entry(id.clone()).or_default().insert(i);
                        if self.rng.chance(0.4)
                            && d.k
                                .lock()
                                .unwrap()
                                .undo_delete_craving(CravingRef { id: id.clone() })
                                .is_ok()
                        {
                            if let Some(by) = self.deleted.get_mut(&id) {
                                by.remove(&i);
                                if by.is_empty() {
                                    self.deleted.remove(&id);
                                }
                            }
                        }
                    }
                }
            }
            6 => {
                let start_local = (d.clock.now_local(TZ) - Duration::days((n % 90) as i64))
                    .format("%Y-%m-%dT%H:%M")
                    .to_string();
                let r = d.k.lock().unwrap().create_tracker(CreateTrackerReq {
                    label: format!("tracker {n}"),
                    start_local,
                    tz: None,
                    ladder: Ladder::Default,
                });
                if let Ok(id) = r {
                    self.created.insert(id.to_string());
                }
            }
            7 => {
                if let Some(id) = self.rng.pick(&d.live("tracker")).cloned() {
                    tolerate(
                        d.k.lock()
                            .unwrap()
                            .rename_tracker(RenameTrackerReq { id, label: format!("renamed {n}") }),
                    );
                }
            }
            8 => {
                if let Some(id) = self.rng.pick(&d.live("tracker")).cloned() {
                    if tolerate(d.k.lock().unwrap().delete_tracker(TrackerRef { id: id.clone() })) {
                        self.deleted.entry(id.clone()).or_default().insert(i);
                        if self.rng.chance(0.4)
                            && d.k
                                .lock()
                                .unwrap()
                                .undo_delete_tracker(TrackerRef { id: id.clone() })
                                .is_ok()
                        {
                            if let Some(by) = self.deleted.get_mut(&id) {
                                by.remove(&i);
                                if by.is_empty() {
                                    self.deleted.remove(&id);
                                }
                            }
                        }
                    }
                }
            }
            9 => {
                let req = SaveContactReq {
                    role: if n.is_multiple_of(2) { Role::Primary } else { Role::Backup },
                    name: format!("Sam {n}"),
                    phone: "+15551234567".into(),
                    sms: String::new(),
                    email: String::new(),
                    hours_days: vec![],
                    hours_from: String::new(),
                    hours_to: String::new(),
                    note: String::new(),
                };
                tolerate(d.k.lock().unwrap().save_contact(req));
            }
            10 | 11 => {
                self.sync(i, faults);
            }
            12 => d.crash(),
            16 => {
                // A held push finally arrives, after newer ones.
                let n = self.delayed.borrow().len();
                if n > 0 {
                    let (auth, req) =
                        self.delayed.borrow_mut().remove(self.rng.below(n as u64) as usize);
                    let _ = self.svc.push(&auth, &req);
                }
            }
            13 => {
                let role = if n.is_multiple_of(2) { "primary" } else { "backup" };
                let mut f = Map::new();
                f.insert("name".into(), json!(format!("Staff set {n}")));
                f.insert("email".into(), json!("coach@example.org"));
                self.svc.set_contact(&self.program.mentee, role, f).unwrap();
            }
            _ => self.advance((n as i64) * 7_000),
        }
    }

    fn heal(&mut self) {
        // Held requests arrive (or are lost) before the network heals.
        let held: Vec<_> = self.delayed.borrow_mut().drain(..).collect();
        for (auth, req) in held {
            if self.rng.chance(0.5) {
                let _ = self.svc.push(&auth, &req);
            }
        }
        // Past every undo window; then sync until nothing moves.
        self.advance(60_000);
        for _ in 0..4 {
            for i in 0..self.devices.len() {
                assert_eq!(self.sync(i, Faults::default()), Status::Ok, "a healed network syncs");
            }
        }
    }

    fn check(&self, seed: u64) {
        let scope = self.program.user_scope();
        let server = server_visible(&*self.db, &scope);
        for (i, d) in self.devices.iter().enumerate() {
            let (pending, rejected) = d.counts();
            assert_eq!(
                (pending, rejected),
                (0, 0),
                "seed {seed}: device {i} outbox drained, nothing refused"
            );
            let shown = device_visible(&d.file);
            if shown != server {
                let only_dev: Vec<_> = shown.keys().filter(|k| !server.contains_key(*k)).collect();
                let only_srv: Vec<_> = server.keys().filter(|k| !shown.contains_key(*k)).collect();
                let differ: Vec<_> = shown
                    .iter()
                    .filter(|(k, v)| server.get(*k).is_some_and(|s| s != *v))
                    .map(|(k, v)| (k, v, &server[k]))
                    .collect();
                panic!("seed {seed}: device {i} differs from the server\nonly device: {only_dev:?}\nonly server: {only_srv:?}\ndiffer: {differ:#?}");
            }
        }
        for id in self.deleted.keys() {
            assert!(!server.contains_key(id), "seed {seed}: deleted record {id} is visible");
        }
        for id in self.created.iter().filter(|id| !self.deleted.contains_key(*id)) {
            // A tracker deleted on the other device takes nothing else with it; everything
            // created and not deleted is on the server.
            if !server.contains_key(id) {
                let state = db::run(&*self.db, Mode::Read, |tx| {
                    tx.query(
                        "SELECT entity, cl, has_create, row_seq FROM record WHERE id = $1",
                        &[id.as_str().into()],
                    )
                })
                .unwrap();
                let log = db::run(&*self.db, Mode::Read, |tx| {
                    tx.query(
                        "SELECT op, outcome, actor FROM change_log WHERE record_id = $1",
                        &[id.as_str().into()],
                    )
                })
                .unwrap();
                panic!("seed {seed}: created record {id} is missing: {state:?} {log:?}");
            }
        }
        self.replay_matches(seed, &scope);
        self.canary_absent(seed);
    }

    /// The server's records equal a shuffled replay of its change log (invariants 3, 11).
    fn replay_matches(&self, seed: u64, scope: &str) {
        let log = db::run(&*self.db, Mode::Read, |tx| {
            tx.query(
                "SELECT record_id, op, hlc_eff, actor, device_id, change_id, payload FROM change_log
                 WHERE scope_id = $1",
                &[scope.into()],
            )
        })
        .unwrap();
        let mut changes: Vec<(String, merge::Change)> = log
            .iter()
            .map(|r| {
                let op = match r.text(1).unwrap().as_str() {
                    "create" => Op::Create,
                    "delete" => Op::Delete,
                    _ => Op::Set,
                };
                let node = match r.opt_text(4).unwrap() {
                    Some(d) => format!("d:{d}"),
                    None => "s:staff".to_owned(),
                };
                let fields: BTreeMap<String, Value> = r
                    .opt_text(6)
                    .unwrap()
                    .map(|p| serde_json::from_str(&p).unwrap())
                    .unwrap_or_default();
                let change = merge::Change {
                    change_id: r.text(5).unwrap().parse::<ChangeId>().unwrap(),
                    op,
                    cl: if op == Op::Delete { 2 } else { 1 },
                    hlc: Hlc(r.int(2).unwrap() as u64),
                    node,
                    fields,
                };
                (r.text(0).unwrap(), change)
            })
            .collect();
        let mut rng = Rng::new(seed ^ 0xABCD);
        for i in (1..changes.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            changes.swap(i, j);
        }
        let mut replay: BTreeMap<String, RecordState> = BTreeMap::new();
        for (id, c) in &changes {
            merge::apply(replay.entry(id.clone()).or_default(), c);
        }
        let visible: BTreeMap<String, BTreeMap<String, Value>> = replay
            .iter()
            .filter_map(|(id, s)| {
                s.visible().map(|f| {
                    (
                        id.clone(),
                        f.into_iter().filter_map(|(k, v)| norm(&v).map(|v| (k, v))).collect(),
                    )
                })
            })
            .collect();
        assert_eq!(
            visible,
            server_visible(&*self.db, scope),
            "seed {seed}: replay differs from the server"
        );
    }

    fn canary_absent(&self, seed: u64) {
        let hits = db::run(&*self.db, Mode::Read, |tx| {
            let a = tx.query(
                "SELECT 1 FROM record WHERE fields LIKE $1",
                &[format!("%{}%", self.canary).into()],
            )?;
            let b = tx.query(
                "SELECT 1 FROM change_log WHERE payload LIKE $1",
                &[format!("%{}%", self.canary).into()],
            )?;
            Ok(a.len() + b.len())
        })
        .unwrap();
        assert_eq!(hits, 0, "seed {seed}: a device-only note reached the server");
    }
}

/// Runs one seeded history on `db`.
pub fn run(seed: u64, steps: usize, db: Arc<dyn Storage>) {
    let mut w = World::new(seed, db);
    let faults = Faults { lose_request: 0.1, lose_response: 0.15, duplicate: 0.15, delay: 0.1 };
    for _ in 0..steps {
        w.step(faults);
    }
    w.heal();
    w.check(seed);
}

fn seeds(default: u64) -> Vec<u64> {
    if let Some(s) = std::env::var("KINDRED_SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![s];
    }
    let n = std::env::var("KINDRED_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    (0..n).collect()
}

fn sqlite() -> (tempfile::TempDir, Arc<dyn Storage>) {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(dir.path().join("server.sqlite3").to_str().unwrap()).unwrap();
    (dir, db)
}

#[test]
fn convergence_sqlite() {
    for seed in seeds(24) {
        let (_dir, db) = sqlite();
        run(seed, 120, db);
    }
}

#[test]
fn convergence_postgres() {
    for seed in seeds(6) {
        let Some(pg) = crate::pg::fresh_database() else { return };
        let db = db::open(&pg.url()).unwrap();
        run(seed, 100, db);
    }
}

trait LocalNow {
    fn now_local(&self, tz: chrono_tz::Tz) -> chrono::NaiveDateTime;
}

impl LocalNow for ManualClock {
    fn now_local(&self, tz: chrono_tz::Tz) -> chrono::NaiveDateTime {
        use kindred_core::clock::Clock;
        let now: DateTime<Utc> = self.now();
        now.with_timezone(&tz).naive_local()
    }
}
