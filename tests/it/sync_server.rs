//! The server's protocol rules, driven in-process through `Service` on SQLite and PostgreSQL
//! (SYNC.md §16): page boundaries (S3), replays and late pushes (S4), clock re-stamping (S7),
//! delete versus edit (S8), poison changes (S13), tokens and revocation (AU-1, AU-2), scope
//! isolation, and the engine's loop guard (S14) and single flight (S16).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kindred_client::keys::MemoryCreds;
use kindred_client::sync::{sync_once, SingleFlight, Status, Transport, TransportError};
use kindred_client::Kindred;
use kindred_core::ids::ChangeId;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::ErrorCode;
use kindred_core::sync::wire::{
    EnrolRequest, HelloResponse, PullResponse, PushOutcome, PushRequest, PushResponse,
    RefreshRequest, WireChange,
};
use kindred_server::db::{self, Storage};
use kindred_server::service::DeviceAuth;
use kindred_server::{Error, Service};
use kindred_tests::sync::{Faults, Program, Rng, ServerClock, SimTransport};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_790_000_000_000;

/// A backend's name, its storage, and what keeps it alive.
type Backend = (&'static str, Arc<dyn Storage>, Box<dyn std::any::Any>);

/// One server on each available backend.
fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::open(dir.path().join("s.sqlite3").to_str().unwrap()).unwrap();
    let mut out: Vec<Backend> = vec![("sqlite", sqlite, Box::new(dir))];
    if let Some(pg) = crate::pg::fresh_database() {
        let db = db::open(&pg.url()).unwrap();
        out.push(("postgres", db, Box::new(pg)));
    }
    out
}

struct Setup {
    svc: Service,
    clock: ServerClock,
    program: Program,
    auth: DeviceAuth,
    epoch: String,
}

fn enrol_device(svc: &Service, program: &Program) -> (DeviceAuth, String) {
    let code = svc.invite(&program.mentee, 3_600_000).unwrap();
    let device_id = uuid::Uuid::from_u128(rand_u128()).to_string();
    let e = svc.enrol(&EnrolRequest { code, device_id, app_version: "t".into() }).unwrap();
    (svc.authenticate(&e.tokens.access_token).unwrap(), e.tokens.refresh_token)
}

fn rand_u128() -> u128 {
    static N: AtomicUsize = AtomicUsize::new(1);
    (0x0190_0000_0000_7000_8000_0000_0000_0000u128) | N.fetch_add(1, Ordering::SeqCst) as u128
}

fn setup(db: Arc<dyn Storage>) -> Setup {
    let clock = ServerClock::at(NOW);
    let svc = Service::open(db, Arc::new(clock.clone()), [1; 32]).unwrap();
    let program = Program::create(&svc);
    let (auth, _) = enrol_device(&svc, &program);
    let epoch = svc.epoch().to_owned();
    Setup { svc, clock, program, auth, epoch }
}

fn id() -> String {
    uuid::Uuid::from_u128(rand_u128()).to_string()
}

fn change(op: Op, record: &str, hlc: u64, fields: Value) -> WireChange {
    WireChange {
        change_id: ChangeId(uuid::Uuid::from_u128(rand_u128())),
        entity: "goal".into(),
        entity_version: 1,
        record_id: record.into(),
        op,
        cl: if op == Op::Delete { 2 } else { 1 },
        hlc: Hlc(hlc),
        base_row_seq: None,
        fields: fields.as_object().cloned().unwrap_or_default(),
    }
}

fn hlc_at(ms: i64) -> u64 {
    Hlc::new(ms as u64, 0).0
}

fn push(s: &Setup, changes: Vec<WireChange>) -> PushResponse {
    s.svc
        .push(
            &s.auth,
            &PushRequest { device_id: s.auth.device_id.clone(), epoch: s.epoch.clone(), changes },
        )
        .unwrap()
}

fn goal(n: usize) -> WireChange {
    change(
        Op::Create,
        &id(),
        hlc_at(NOW - 1000),
        json!({"text": format!("goal {n}"), "status": "active"}),
    )
}

#[test]
fn page_boundaries() {
    for (name, db, _keep) in backends() {
        for p in [1u32, 2, 4, 500] {
            for n in [
                0usize,
                1,
                p as usize - 1,
                p as usize,
                p as usize + 1,
                3 * p as usize,
                3 * p as usize + 1,
            ] {
                if p == 500 && n > 1001 {
                    continue;
                }
                let s = setup(db.clone());
                // A fresh program per case: its scope starts empty.
                let _ = name;
                let changes: Vec<WireChange> = (0..n).map(goal).collect();
                for chunk in changes.chunks(250) {
                    push(&s, chunk.to_vec());
                }
                let scope = s.auth.user_scope();
                let (mut after, mut seen, mut requests) = (0i64, Vec::new(), 0);
                loop {
                    let page =
                        s.svc.pull(&s.auth, &scope, after, Some(i64::from(p)), &s.epoch).unwrap();
                    requests += 1;
                    assert!(page.rows.len() <= p as usize);
                    seen.extend(page.rows.iter().map(|r| r.id.clone()));
                    after = page.next_after;
                    if !page.has_more {
                        assert!(
                            page.digest.is_some() && page.scope_seq.is_some(),
                            "the last page carries the digest"
                        );
                        break;
                    }
                    assert!(page.digest.is_none());
                }
                let expected: Vec<String> = changes.iter().map(|c| c.record_id.clone()).collect();
                assert_eq!(seen, expected, "{name} p={p} n={n}: every row once, in order");
                let pages = if n == 0 { 1 } else { n.div_ceil(p as usize) };
                assert_eq!(requests, pages, "{name} p={p} n={n}: no extra round trip");
            }
        }
    }
}

#[test]
fn replays_are_harmless_and_reused_keys_are_refused() {
    for (name, db, _keep) in backends() {
        let s = setup(db);
        let c = goal(1);
        let first = push(&s, vec![c.clone()]);
        assert_eq!(first.results[0].outcome, PushOutcome::Applied);
        let snapshot = s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, &s.epoch).unwrap();
        // The same push again, and 30 days later.
        let again = push(&s, vec![c.clone()]);
        assert_eq!(again.results[0].outcome, PushOutcome::Duplicate, "{name}");
        assert_eq!(
            again.results[0].seq, first.results[0].seq,
            "{name}: the stored seq is returned"
        );
        s.clock.advance(30 * 86_400_000);
        let late = push(&s, vec![c.clone()]);
        assert_eq!(late.results[0].outcome, PushOutcome::Duplicate, "{name}");
        let after = s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, &s.epoch).unwrap();
        assert_eq!(after.rows, snapshot.rows, "{name}: replays leave state identical");
        assert_eq!(after.scope_seq, snapshot.scope_seq);
        // Same id, other payload: refused loudly, never dropped silently.
        let mut forged = c.clone();
        forged.fields.insert("text".into(), json!("something else"));
        let r = push(&s, vec![forged.clone()]);
        assert_eq!(r.results[0].outcome, PushOutcome::Rejected);
        assert_eq!(r.results[0].code.map(ErrorCode::as_str), Some("idempotency_key_reused"));
        // Also after the record was deleted and its content wiped.
        push(&s, vec![change(Op::Delete, &c.record_id, hlc_at(NOW), json!({}))]);
        let r = push(&s, vec![forged]);
        assert_eq!(
            r.results[0].code.map(ErrorCode::as_str),
            Some("idempotency_key_reused"),
            "{name}: after redaction too"
        );
        let r = push(&s, vec![c]);
        assert_eq!(
            r.results[0].outcome,
            PushOutcome::Duplicate,
            "{name}: the original still matches its MAC"
        );
    }
}

#[test]
fn far_future_clocks_are_restamped_and_later_edits_win() {
    for (name, db, _keep) in backends() {
        let s = setup(db);
        let g = goal(1);
        push(&s, vec![g.clone()]);
        // A device three days ahead edits; staff... here a second edit stamped "now" follows.
        let ahead = change(
            Op::Set,
            &g.record_id,
            hlc_at(NOW + 3 * 86_400_000),
            json!({"text": "from the future"}),
        );
        let r = push(&s, vec![ahead]);
        assert!(r.clock_skew, "{name}: flagged");
        assert!(
            r.server_hlc.physical() < (NOW + 3 * 86_400_000) as u64,
            "{name}: re-stamped with the server clock"
        );
        // A causally later edit from a device that saw the server clock wins.
        let later = change(
            Op::Set,
            &g.record_id,
            r.server_hlc.send(NOW as u64).0,
            json!({"text": "later"}),
        );
        assert_eq!(push(&s, vec![later]).results[0].outcome, PushOutcome::Applied);
        let page = s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, &s.epoch).unwrap();
        assert_eq!(page.rows[0].fields.as_ref().unwrap()["text"].value, json!("later"), "{name}");
    }
}

#[test]
fn delete_beats_edit_in_both_orders() {
    for (name, db, _keep) in backends() {
        for edit_first in [true, false] {
            let s = setup(db.clone());
            let g = goal(1);
            push(&s, vec![g.clone()]);
            let edit = change(Op::Set, &g.record_id, hlc_at(NOW + 1000), json!({"status": "done"}));
            let delete = change(Op::Delete, &g.record_id, hlc_at(NOW), json!({}));
            let (a, b) = if edit_first { (edit, delete) } else { (delete, edit) };
            let ra = push(&s, vec![a.clone()]);
            let rb = push(&s, vec![b.clone()]);
            let page = s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, &s.epoch).unwrap();
            assert_eq!(page.rows.len(), 1);
            assert!(
                page.rows[0].fields.is_none() && page.rows[0].cl == 2,
                "{name}: a tombstone, never resurrected"
            );
            let edit_outcome =
                if edit_first { ra.results[0].outcome } else { rb.results[0].outcome };
            if !edit_first {
                assert_eq!(
                    edit_outcome,
                    PushOutcome::Superseded,
                    "{name}: the late edit loses, visibly"
                );
            }
            // A create for the deleted id is refused.
            let mut again = g.clone();
            again.change_id = ChangeId(uuid::Uuid::from_u128(rand_u128()));
            assert_eq!(
                push(&s, vec![again]).results[0].code.map(ErrorCode::as_str),
                Some("record_deleted")
            );
        }
    }
}

#[test]
fn poison_changes_do_not_block_and_dependents_are_refused() {
    for (name, db, _keep) in backends() {
        let s = setup(db);
        let bad =
            change(Op::Create, &id(), hlc_at(NOW), json!({"text": "x", "status": "exploded"}));
        let dependent = change(Op::Set, &bad.record_id, hlc_at(NOW + 1), json!({"text": "y"}));
        let good = goal(2);
        let r = push(&s, vec![bad, dependent, good]);
        let outcomes: Vec<_> =
            r.results.iter().map(|r| (r.outcome, r.code.map(ErrorCode::as_str))).collect();
        assert_eq!(
            outcomes,
            vec![
                (PushOutcome::Rejected, Some("out_of_range")),
                (PushOutcome::Rejected, Some("depends_on_rejected")),
                (PushOutcome::Applied, None)
            ],
            "{name}"
        );
    }
}

#[test]
fn hostile_changes_are_rejected_without_state_change() {
    for (name, db, _keep) in backends() {
        let s = setup(db);
        let mut cases: Vec<(WireChange, &str)> = Vec::new();
        let mut unknown = goal(1);
        unknown.entity = "journal".into();
        cases.push((unknown, "unknown_entity"));
        let mut private = change(Op::Create, &id(), hlc_at(NOW), json!({}));
        private.entity = "craving".into();
        private.fields = json!({"note": "CANARY-private"}).as_object().cloned().unwrap();
        cases.push((private, "field_not_allowed"));
        let mut staff_only = goal(1);
        staff_only.entity = "help_number".into();
        cases.push((staff_only, "not_writable"));
        let mut bad_id = goal(1);
        bad_id.record_id = "'; DROP TABLE record; --".into();
        cases.push((bad_id, "bad_id"));
        let mut newer = goal(1);
        newer.entity_version = 99;
        cases.push((newer, "entity_version_unsupported"));
        cases.push((
            change(
                Op::Create,
                &id(),
                hlc_at(NOW),
                json!({"text": "x".repeat(501), "status": "active"}),
            ),
            "too_long",
        ));
        cases.push((
            change(Op::Create, &id(), hlc_at(NOW), json!({"text": 5, "status": "active"})),
            "wrong_type",
        ));
        let mut bad_cl = goal(1);
        bad_cl.cl = 3;
        cases.push((bad_cl, "bad_op"));
        for (c, code) in cases {
            let r = push(&s, vec![c]);
            assert_eq!(r.results[0].outcome, PushOutcome::Rejected, "{name} {code}");
            assert_eq!(r.results[0].code.map(ErrorCode::as_str), Some(code), "{name}");
        }
        let page = s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, &s.epoch).unwrap();
        assert!(page.rows.is_empty(), "{name}: nothing stored");
        assert_eq!(page.scope_seq, Some(0));
        // HLC extremes are taken and re-stamped, never a crash.
        for h in [0, u64::MAX] {
            let r = push(
                &s,
                vec![change(Op::Create, &id(), h, json!({"text": "x", "status": "active"}))],
            );
            assert_eq!(r.results[0].outcome, PushOutcome::Applied, "{name} hlc {h}");
        }
        // Too many changes in one push.
        let many: Vec<_> = (0..251).map(goal).collect();
        let err = s.svc.push(
            &s.auth,
            &PushRequest {
                device_id: s.auth.device_id.clone(),
                epoch: s.epoch.clone(),
                changes: many,
            },
        );
        assert!(matches!(err, Err(Error::TooLarge(ErrorCode::BatchTooLarge, _))), "{name}");
    }
}

#[test]
fn scopes_are_isolated_between_mentees() {
    for (name, db, _keep) in backends() {
        let s = setup(db);
        let other = Program {
            program: s.program.program.clone(),
            mentee: s
                .svc
                .create_person(&s.program.program, kindred_server::PersonRole::Mentee, "M-2")
                .unwrap(),
        };
        let (other_auth, _) = enrol_device(&s.svc, &other);
        let g = goal(1);
        push(&s, vec![g.clone()]);
        // The other mentee cannot read the first one's scope...
        let e = s.svc.pull(&other_auth, &s.auth.user_scope(), 0, None, &s.epoch);
        assert!(matches!(e, Err(Error::Forbidden(ErrorCode::ScopeForbidden, _))), "{name}");
        // ...nor change its record: the same id lands in their own scope as a new record.
        let req = PushRequest {
            device_id: other_auth.device_id.clone(),
            epoch: s.epoch.clone(),
            changes: vec![change(
                Op::Set,
                &g.record_id,
                hlc_at(NOW + 5000),
                json!({"text": "hijack"}),
            )],
        };
        s.svc.push(&other_auth, &req).unwrap();
        let mine = s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, &s.epoch).unwrap();
        assert_eq!(mine.rows[0].fields.as_ref().unwrap()["text"].value, json!("goal 1"), "{name}");
        // A push naming another device id is refused.
        let spoof = PushRequest {
            device_id: s.auth.device_id.clone(),
            epoch: s.epoch.clone(),
            changes: vec![],
        };
        assert!(matches!(
            s.svc.push(&other_auth, &spoof),
            Err(Error::Forbidden(ErrorCode::DeviceMismatch, _))
        ));
        // Cursors: negative, beyond the scope, another epoch.
        assert!(matches!(
            s.svc.pull(&s.auth, &s.auth.user_scope(), -1, None, &s.epoch),
            Err(Error::BadRequest(ErrorCode::BadCursor, _))
        ));
        assert!(matches!(
            s.svc.pull(&s.auth, &s.auth.user_scope(), i64::MAX, None, &s.epoch),
            Err(Error::BadRequest(ErrorCode::BadCursor, _))
        ));
        assert!(matches!(
            s.svc.pull(&s.auth, &s.auth.user_scope(), 0, None, "old-epoch"),
            Err(Error::EpochChanged { .. })
        ));
        // An absurd page size is clamped, not refused.
        assert!(s
            .svc
            .pull(&s.auth, &s.auth.user_scope(), 0, Some(1_000_000_000), &s.epoch)
            .is_ok());
    }
}

#[test]
fn tokens_expire_rotate_and_revoke() {
    for (name, db, _keep) in backends() {
        let clock = ServerClock::at(NOW);
        let svc = Service::open(db, Arc::new(clock.clone()), [2; 32]).unwrap();
        let program = Program::create(&svc);
        let code = svc.invite(&program.mentee, 3_600_000).unwrap();
        let device_id = id();
        let e = svc
            .enrol(&EnrolRequest {
                code: code.to_lowercase(),
                device_id: device_id.clone(),
                app_version: "t".into(),
            })
            .unwrap();
        // An invite is single-use.
        let again = svc.enrol(&EnrolRequest {
            code: code.clone(),
            device_id: id(),
            app_version: "t".into(),
        });
        assert!(matches!(again, Err(Error::Unauthorized(ErrorCode::InviteInvalid, _))), "{name}");
        // Expired invites do not work either.
        let late = svc.invite(&program.mentee, 60_000).unwrap();
        clock.advance(61_000);
        assert!(matches!(
            svc.enrol(&EnrolRequest { code: late, device_id: id(), app_version: "t".into() }),
            Err(Error::Unauthorized(ErrorCode::InviteInvalid, _))
        ));
        // Access tokens last 15 minutes.
        assert!(svc.authenticate(&e.tokens.access_token).is_ok());
        clock.advance(15 * 60_000);
        assert!(
            matches!(
                svc.authenticate(&e.tokens.access_token),
                Err(Error::Unauthorized(ErrorCode::TokenExpired, _))
            ),
            "{name}"
        );
        assert!(matches!(
            svc.authenticate("ka_forged"),
            Err(Error::Unauthorized(ErrorCode::TokenInvalid, _))
        ));
        // Refresh rotates; a reused refresh token revokes the device.
        let pair =
            svc.refresh(&RefreshRequest { refresh_token: e.tokens.refresh_token.clone() }).unwrap();
        assert!(svc.authenticate(&pair.access_token).is_ok());
        // A retry within the grace window (the answer was lost) gets the same pair back.
        let retry =
            svc.refresh(&RefreshRequest { refresh_token: e.tokens.refresh_token.clone() }).unwrap();
        assert_eq!(retry.refresh_token, pair.refresh_token, "{name}");
        assert_eq!(retry.access_token, pair.access_token, "{name}");
        // After it, a second use is a reuse.
        clock.advance(kindred_server::service::REFRESH_GRACE_MS + 1);
        let reuse = svc.refresh(&RefreshRequest { refresh_token: e.tokens.refresh_token.clone() });
        assert!(
            matches!(reuse, Err(Error::Unauthorized(ErrorCode::DeviceRevoked, _))),
            "{name}: reuse detected"
        );
        let after = svc.authenticate(&pair.access_token);
        assert!(
            matches!(after, Err(Error::Unauthorized(ErrorCode::DeviceRevoked, _))),
            "{name}: nothing syncs after reuse: {after:?}"
        );
        // Staff revocation works the same; re-enrolling with a new code restores the device.
        let code = svc.invite(&program.mentee, 3_600_000).unwrap();
        let e2 = svc
            .enrol(&EnrolRequest { code, device_id: device_id.clone(), app_version: "t".into() })
            .unwrap();
        assert!(svc.authenticate(&e2.tokens.access_token).is_ok());
        svc.revoke(&device_id).unwrap();
        assert!(
            matches!(svc.authenticate(&e2.tokens.access_token), Err(Error::Unauthorized(..))),
            "{name}"
        );
        let devices = svc.devices(&program.mentee).unwrap();
        assert!(devices.iter().any(|d| d.device_id == device_id && d.revoked_at.is_some()));
    }
}

/// A transport that answers every pull with the same cursor and `has_more`.
struct Stuck(usize);

impl Transport for Stuck {
    fn hello(&mut self) -> Result<HelloResponse, TransportError> {
        Ok(HelloResponse {
            epoch: "e".into(),
            server_hlc: Hlc(1),
            protocol_min: 1,
            protocol_max: 1,
            entities: Default::default(),
            capabilities: vec![],
            pins: vec![],
        })
    }
    fn push(&mut self, _: &PushRequest) -> Result<PushResponse, TransportError> {
        Err(TransportError::Network("not used".into()))
    }
    fn pull(
        &mut self,
        _: &str,
        after: i64,
        _: u32,
        _: &str,
    ) -> Result<PullResponse, TransportError> {
        self.0 += 1;
        Ok(PullResponse {
            rows: vec![],
            has_more: true,
            next_after: after,
            digest: None,
            scope_seq: None,
            server_hlc: None,
        })
    }
}

fn device() -> (tempfile::TempDir, Mutex<Kindred>) {
    let dir = tempfile::tempdir().unwrap();
    let clock =
        kindred_tests::ManualClock::at(chrono::DateTime::from_timestamp_millis(NOW).unwrap());
    let k = kindred_tests::open_device(dir.path(), kindred_tests::options(&clock, chrono_tz::UTC))
        .unwrap();
    (dir, Mutex::new(k))
}

#[test]
fn a_server_that_makes_no_progress_stops_the_cycle() {
    let (_dir, k) = device();
    k.lock()
        .unwrap()
        .set_enrolment(&kindred_client::store::sync::Enrolled {
            server_url: "sim://".into(),
            user_scope: "user:x".into(),
            program_scope: "program:y".into(),
            program_name: "P".into(),
            pins: vec![],
        })
        .unwrap();
    let mut t = Stuck(0);
    let r = sync_once(&k, &mut t, true).unwrap();
    assert_eq!(r.status, Status::Stalled);
    assert_eq!(t.0, 1, "a page that does not advance the cursor stops at once");
    assert!(r.retry_at.is_some(), "and backs off");
    // A backed-off device does not call again until the time passes (unless forced).
    let r = sync_once(&k, &mut t, false).unwrap();
    assert_eq!(t.0, 1);
    assert!(r.retry_at.is_some());
}

#[test]
fn one_sync_in_flight() {
    let flight = Arc::new(SingleFlight::default());
    let running = Arc::new(AtomicUsize::new(0));
    let cycles = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (flight, running, cycles) = (flight.clone(), running.clone(), cycles.clone());
            std::thread::spawn(move || {
                flight.run(|| {
                    assert_eq!(running.fetch_add(1, Ordering::SeqCst), 0, "never two at once");
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    cycles.fetch_add(1, Ordering::SeqCst);
                    running.fetch_sub(1, Ordering::SeqCst);
                });
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let n = cycles.load(Ordering::SeqCst);
    assert!((1..8).contains(&n), "triggers coalesce ({n} cycles for 8 triggers)");
}

#[test]
fn two_devices_converge_with_staff_content_and_a_delete_during_an_edit() {
    for (name, db, _keep) in backends() {
        let clock = ServerClock::at(NOW);
        let svc = Service::open(db.clone(), Arc::new(clock.clone()), [3; 32]).unwrap();
        let program = Program::create(&svc);
        let (_da, a) = device();
        let (_db, b) = device();
        let (ca, cb) = (MemoryCreds::default(), MemoryCreds::default());
        program.enrol(&svc, &a, &ca);
        program.enrol(&svc, &b, &cb);
        let mut f = Map::new();
        f.insert("name".into(), json!("Sam"));
        f.insert("phone".into(), json!("+15551234567"));
        svc.set_contact(&program.mentee, "primary", f).unwrap();
        let scope = svc.program_scope(&program.program).unwrap();
        let mut h = Map::new();
        h.insert("label".into(), json!("Program line"));
        h.insert("phone".into(), json!("+15550001111"));
        h.insert("position".into(), json!(1));
        svc.staff_write(&scope, "help_number", None, Op::Create, h).unwrap();
        let mut rng = Rng::new(1);
        let mut sync = |k: &Mutex<Kindred>, c: &MemoryCreds| {
            let mut t = SimTransport {
                svc: &svc,
                creds: c,
                rng: &mut rng,
                faults: Faults::default(),
                delayed: None,
            };
            assert_eq!(sync_once(k, &mut t, true).unwrap().status, Status::Ok);
        };
        sync(&a, &ca);
        // Staff content reached the device.
        let contacts = a.lock().unwrap().get_contacts().unwrap();
        assert_eq!(contacts.primary.as_ref().map(|c| c.name.as_str()), Some("Sam"), "{name}");
        let help = a.lock().unwrap().program_content("help_number").unwrap();
        assert_eq!(help.len(), 1);
        assert_eq!(help[0].1["label"], json!("Program line"));
        // A adds a goal; B gets it; A deletes it while B edits it offline.
        a.lock()
            .unwrap()
            .add_goal(kindred_core::ipc::AddGoalReq { text: "Walk daily".into() })
            .unwrap();
        sync(&a, &ca);
        sync(&b, &cb);
        let goal_id = b.lock().unwrap().get_plan().unwrap().goals[0].id.to_string();
        a.lock().unwrap().delete_goal(kindred_core::ipc::ItemRef { id: goal_id.clone() }).unwrap();
        b.lock()
            .unwrap()
            .set_goal_status(kindred_core::ipc::SetGoalStatusReq {
                id: goal_id.clone(),
                status: kindred_core::model::plan::GoalStatus::Done,
            })
            .unwrap();
        sync(&b, &cb);
        let mut rng = Rng::new(2);
        for _ in 0..2 {
            for (k, c) in [(&a, &ca), (&b, &cb)] {
                let mut t = SimTransport {
                    svc: &svc,
                    creds: c,
                    rng: &mut rng,
                    faults: Faults::default(),
                    delayed: None,
                };
                assert_eq!(sync_once(k, &mut t, true).unwrap().status, Status::Ok);
            }
        }
        for k in [&a, &b] {
            let mut k = k.lock().unwrap();
            assert!(
                k.get_plan().unwrap().goals.is_empty(),
                "{name}: the delete wins on both phones"
            );
            assert_eq!(k.sync_status().unwrap().pending, 0, "{name}: nothing left to send");
        }
        let server = kindred_tests::sync::server_visible(&*db, &program.user_scope());
        assert!(!server.contains_key(&goal_id), "{name}: the server holds a tombstone");
        assert_eq!(server.len(), 1, "{name}: only the staff-set contact is live");
    }
}

#[test]
fn contacts_from_the_server_are_checked_again_before_a_link_is_built() {
    for (name, db, _keep) in backends() {
        let clock = ServerClock::at(NOW);
        let svc = Service::open(db.clone(), Arc::new(clock.clone()), [3; 32]).unwrap();
        let program = Program::create(&svc);
        let (_d, k) = device();
        let creds = MemoryCreds::default();
        program.enrol(&svc, &k, &creds);
        // Values the registry takes as short text, but no phone may dial or mail.
        let mut f = Map::new();
        f.insert("role".into(), json!("primary"));
        f.insert("name".into(), json!("Sam"));
        f.insert("phone".into(), json!("**21*5551234567#"));
        f.insert("email".into(), json!("sam@example.org?cc=x@evil.example"));
        svc.staff_write(&program.user_scope(), "mentor_contact", None, Op::Create, f).unwrap();
        let mut rng = Rng::new(7);
        let mut t = SimTransport {
            svc: &svc,
            creds: &creds,
            rng: &mut rng,
            faults: Faults::default(),
            delayed: None,
        };
        assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok, "{name}");
        use kindred_core::ipc::{ContactChannel, ContactMentorReq};
        use kindred_core::model::contact::Role;
        for channel in [ContactChannel::Call, ContactChannel::Text, ContactChannel::Email] {
            let link =
                k.lock().unwrap().mentor_link(ContactMentorReq { role: Role::Primary, channel });
            let err = link.expect_err("no link from an unsafe value").to_string();
            assert!(err.contains("yourself"), "{name}: {err}");
        }
    }
}
