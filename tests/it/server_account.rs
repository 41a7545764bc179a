//! The mentee's account on the real server process, on SQLite and PostgreSQL: Disconnect
//! revokes on the server (now, or later when it was offline), the device list and revoking
//! another phone, Delete everything purges the server (a raw scan of the SQLite files finds no
//! canary; staff see that it happened, not what), the refresh grace window, and enrolment and
//! refresh races where exactly one wins.

use std::sync::{Arc, Barrier, Mutex};

use kindred_client::keys::{CredentialStore, MemoryCreds, ACCESS, PENDING_REVOKE, REFRESH};
use kindred_client::sync::{account, disconnect, retry_pending_revoke, sync_once, Disconnected};
use kindred_client::sync::{Status, TransportError};
use kindred_client::Kindred;
use kindred_core::ipc::{AddGoalReq, LogCravingReq};
use kindred_server::db::{self, Mode};
use kindred_tests::sync::{real_device, ServerProc};
use serde_json::{json, Value};

struct Site {
    server: ServerProc,
    mentee: String,
}

fn site(dir: &std::path::Path, database: &str) -> Site {
    let key = dir.join(format!("mac-{}", database.len()));
    let server = ServerProc::start(database, &key, 0, &[]);
    let program = server.staff(&["program", "create", "Riverside"]);
    let mentee = server.staff(&["mentee", "create", "--program", &program, "M-9"]);
    Site { server, mentee }
}

struct Phone {
    _dir: tempfile::TempDir,
    k: Mutex<Kindred>,
    creds: Arc<MemoryCreds>,
}

fn phone(s: &Site) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let k = real_device(dir.path());
    let creds = Arc::new(MemoryCreds::default());
    s.server.enrol(&s.mentee, &k, &*creds);
    Phone { _dir: dir, k, creds }
}

fn sync(s: &Site, p: &Phone) -> kindred_client::sync::Report {
    sync_once(&p.k, &mut s.server.transport(p.creds.clone()), true).unwrap()
}

fn mentee_info(s: &Site) -> Value {
    serde_json::from_str(&s.server.staff(&["mentee", "show", &s.mentee])).unwrap()
}

fn count(database: &str, sql: &str) -> i64 {
    let db = db::open(database).unwrap();
    db::run(&*db, Mode::Read, |tx| tx.one(sql, &[])?.unwrap().int(0)).unwrap()
}

#[test]
fn disconnect_revokes_on_the_server_now_or_when_back_online() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let mut s = site(dir.path(), &database);
        let a = phone(&s);
        assert_eq!(sync(&s, &a).status, Status::Ok, "{name}");
        let access = a.creds.get(ACCESS).unwrap().unwrap();
        assert_eq!(disconnect(&a.k, &*a.creds).unwrap(), Disconnected::Revoked, "{name}");
        assert_eq!(a.creds.get(ACCESS).unwrap(), None);
        assert_eq!(a.k.lock().unwrap().enrolment().unwrap(), None);
        // The old access token no longer works on the server.
        let r =
            s.server.client().get(format!("{}/sync/v1/hello", s.server.url())).bearer_auth(&access);
        assert_eq!(r.send().unwrap().status(), 401, "{name}");
        // Offline: the phone forgets at once and tells the server when it is back.
        let b = phone(&s);
        let refresh = b.creds.get(REFRESH).unwrap().unwrap();
        s.server.kill9();
        assert_eq!(disconnect(&b.k, &*b.creds).unwrap(), Disconnected::RevokeLater, "{name}");
        assert_eq!((b.creds.get(ACCESS).unwrap(), b.creds.get(REFRESH).unwrap()), (None, None));
        assert!(b.creds.get(PENDING_REVOKE).unwrap().is_some());
        assert!(!retry_pending_revoke(&*b.creds), "{name}: still offline");
        s.server.restart();
        assert!(retry_pending_revoke(&*b.creds), "{name}");
        assert_eq!(b.creds.get(PENDING_REVOKE).unwrap(), None);
        let body = json!({"refresh_token": refresh});
        let r = s.server.client().post(format!("{}/auth/v1/refresh", s.server.url())).json(&body);
        assert_eq!(r.send().unwrap().status(), 401, "{name}: the refresh token is dead");
        let devices = s.server.staff_lines(&["devices", "list", "--mentee", &s.mentee]);
        assert!(devices.iter().all(|d| !d.contains("\"revoked_at\":null")), "{name}: {devices:?}");
    }
}

#[test]
fn a_mentee_sees_their_phones_and_can_disconnect_another() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let s = site(dir.path(), &database);
        let (a, b) = (phone(&s), phone(&s));
        assert_eq!(sync(&s, &b).status, Status::Ok);
        let list = account::devices(&a.k, a.creds.clone()).unwrap();
        assert_eq!(list.devices.len(), 2, "{name}");
        let labels: Vec<_> =
            list.devices.iter().map(|d| (d.label.as_str(), d.this_phone)).collect();
        assert!(
            labels.contains(&("This phone", true)) && labels.contains(&("Another phone", false))
        );
        let other = list.devices.iter().find(|d| !d.this_phone).unwrap();
        assert!(other.last_synced.is_some(), "{name}: the other phone synced");
        let after = account::revoke_device(&a.k, a.creds.clone(), &other.id).unwrap();
        assert!(after.devices.iter().any(|d| d.id == other.id && d.revoked), "{name}");
        // The other phone hears it calmly and keeps its data; this one goes on syncing.
        assert_eq!(sync(&s, &b).status, Status::Revoked, "{name}");
        assert_eq!(sync(&s, &a).status, Status::Ok, "{name}");
        // Someone else's device id is "not found", as if it did not exist.
        match account::revoke_device(&a.k, a.creds.clone(), "0190f5b2-7c4e-7a00-8000-0000000000ee")
        {
            Err(account::AccountError::Refused(code)) => assert_eq!(code, "not_found"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// Every byte of the SQLite files (database and WAL).
fn raw_files(path: &str) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        all.extend(wal);
    }
    all
}

#[test]
fn delete_everything_purges_the_server_and_staff_see_only_that_it_happened() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let s = site(dir.path(), &database);
        let (a, b) = (phone(&s), phone(&s));
        {
            let mut k = a.k.lock().unwrap();
            k.add_goal(AddGoalReq { text: "CANARY-goal-1 walk at dusk".into() }).unwrap();
            k.log_craving(LogCravingReq { intensity: 8 }).unwrap();
        }
        assert_eq!(sync(&s, &a).status, Status::Ok, "{name}");
        assert!(mentee_info(&s)["records"].as_i64().unwrap() >= 2);
        let done = account::delete_on_server(&a.k, a.creds.clone())
            .unwrap_or_else(|e| {
                panic!("{name}: {e:?} {}", std::fs::read_to_string(&s.server.stderr).unwrap())
            })
            .unwrap();
        assert!(done.records_deleted >= 2 && done.devices_revoked == 2, "{name}: {done:?}");
        let info = mentee_info(&s);
        assert!(info["data_deleted_at"].is_i64(), "{name}: {info}");
        assert_eq!(info["records"], 0, "{name}");
        let scope = format!("user:{}", s.mentee);
        for table in ["record", "change_log"] {
            let sql = format!("SELECT count(*) FROM {table} WHERE scope_id = '{scope}'");
            assert_eq!(count(&database, &sql), 0, "{name}: {table}");
        }
        // Both phones' sign-ins are gone.
        assert_eq!(sync(&s, &b).status, Status::Reconnect, "{name}");
        match account::delete_on_server(&a.k, a.creds.clone()) {
            Err(account::AccountError::Refused(_)) => {}
            other => panic!("{name}: {other:?}"),
        }
        if name == "sqlite" {
            let raw = raw_files(&database);
            assert!(!raw.windows(7).any(|w| w == b"CANARY-"), "{name}: canary left in the files");
        }
        // A phone that wasn't connected has nothing to delete on a server.
        let c = tempfile::tempdir().unwrap();
        let lone = real_device(c.path());
        assert_eq!(
            account::delete_on_server(&lone, Arc::new(MemoryCreds::default())).unwrap(),
            None
        );
    }
}

#[test]
fn a_deleted_record_loses_its_content_in_the_phones_sent_log_once_the_delete_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("s.sqlite3").to_string_lossy().into_owned();
    let s = site(dir.path(), &database);
    let pdir = tempfile::tempdir().unwrap();
    let clock = kindred_tests::ManualClock::at(kindred_core::clock::Clock::now(
        &kindred_client::clock::SystemClock,
    ));
    let k = Mutex::new(kindred_tests::open(pdir.path(), &clock, chrono_tz::UTC));
    let creds = Arc::new(MemoryCreds::default());
    s.server.enrol(&s.mentee, &k, &*creds);
    let p = Phone { _dir: tempfile::tempdir().unwrap(), k, creds };
    p.k.lock()
        .unwrap()
        .add_goal(AddGoalReq { text: "CANARY-goal-2 call my sister".into() })
        .unwrap();
    assert_eq!(sync(&s, &p).status, Status::Ok);
    let file = kindred_client::db_path(pdir.path());
    let in_sent_log = || {
        let c = kindred_tests::device_connection(&file);
        c.query_row("SELECT count(*) FROM sent_log WHERE change LIKE '%CANARY%'", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(in_sent_log(), 1, "kept for a server restore");
    let goal = p.k.lock().unwrap().get_plan().unwrap().goals[0].id;
    p.k.lock().unwrap().delete_goal(kindred_core::ipc::ItemRef { id: goal.to_string() }).unwrap();
    // Past the undo window, the delete goes out and the kept copy loses its text.
    clock.advance(chrono::Duration::milliseconds(kindred_core::model::UNDO_WINDOW_MS + 1000));
    let report = sync(&s, &p);
    assert_eq!((report.status, report.pushed), (Status::Ok, 1));
    assert_eq!(in_sent_log(), 0);
    let c = kindred_tests::device_connection(&file);
    let outbox: i64 = c
        .query_row(
            "SELECT count(*) FROM outbox WHERE payload LIKE '%CANARY%' OR undo LIKE '%CANARY%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(outbox, 0);
    // On the server the delete wiped the content, and the files hold no older copy.
    let raw = raw_files(&database);
    assert!(!raw.windows(7).any(|w| w == b"CANARY-"), "the server's files keep no copy");
}

fn post(s: &Site, path: &str, body: &Value) -> (u16, Value) {
    let r = s.server.client().post(format!("{}{path}", s.server.url())).json(body).send().unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

#[test]
fn a_lost_refresh_answer_gets_the_same_pair_and_a_later_reuse_revokes() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let s = site(dir.path(), &database);
        let a = phone(&s);
        let old = json!({"refresh_token": a.creds.get(REFRESH).unwrap().unwrap()});
        let (st1, first) = post(&s, "/auth/v1/refresh", &old);
        let (st2, again) = post(&s, "/auth/v1/refresh", &old);
        assert_eq!((st1, st2), (200, 200), "{name}: {first} {again}");
        assert_eq!(first["refresh_token"], again["refresh_token"], "{name}: the same successor");
        assert_eq!(first["access_token"], again["access_token"], "{name}");
        // The successor is used: now the old token is a reuse, and revokes the device.
        let next = json!({"refresh_token": first["refresh_token"]});
        let (st, _) = post(&s, "/auth/v1/refresh", &next);
        assert_eq!(st, 200, "{name}");
        let (st, body) = post(&s, "/auth/v1/refresh", &old);
        assert_eq!((st, body["error"].as_str()), (401, Some("device_revoked")), "{name}");
    }
}

#[test]
fn racing_enrolments_and_refreshes_have_exactly_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let s = site(dir.path(), &database);
        for round in 0..5 {
            let code = s.server.staff(&["invite", "--mentee", &s.mentee]);
            let secret = kindred_core::sync::pin::split_typed(&code).unwrap().0;
            let barrier = Barrier::new(2);
            let answers: Vec<(u16, Value)> = std::thread::scope(|sc| {
                let hs: Vec<_> = (0..2u128)
                    .map(|i| {
                        let (s, barrier, secret) = (&s, &barrier, &secret);
                        sc.spawn(move || {
                            let device = uuid::Uuid::from_u128(
                                0x0190_0000_0000_7000_8000_0000_0000_0000 | (round * 2 + i + 1),
                            );
                            barrier.wait();
                            post(
                                s,
                                "/enrol/v1",
                                &json!({"code": secret, "device_id": device, "app_version": "t"}),
                            )
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let wins: Vec<_> = answers.iter().filter(|(st, _)| *st == 200).collect();
            assert_eq!(wins.len(), 1, "{name}: {answers:?}");
            // Two refreshes with the winner's token at once: one chain.
            let token = wins[0].1["tokens"]["refresh_token"].clone();
            let device = wins[0].1["device_id"].as_str().unwrap().to_owned();
            let barrier = Barrier::new(2);
            let pairs: Vec<(u16, Value)> = std::thread::scope(|sc| {
                let hs: Vec<_> = (0..2)
                    .map(|_| {
                        let (s, barrier, token) = (&s, &barrier, &token);
                        sc.spawn(move || {
                            barrier.wait();
                            post(s, "/auth/v1/refresh", &json!({"refresh_token": token}))
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let ok: Vec<_> = pairs.iter().filter(|(st, _)| *st == 200).collect();
            assert!(!ok.is_empty(), "{name}: {pairs:?}");
            assert!(
                ok.iter().all(|(_, p)| p["refresh_token"] == ok[0].1["refresh_token"]),
                "{name}"
            );
            let live = format!(
                "SELECT count(*) FROM token WHERE device_id = '{device}' AND kind = 'refresh' \
                 AND used_at IS NULL"
            );
            assert_eq!(count(&database, &live), 1, "{name}: exactly one live refresh token");
        }
    }
}

#[test]
fn an_old_enrolment_without_pins_is_asked_to_connect_again() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("s.sqlite3").to_string_lossy().into_owned();
    let s = site(dir.path(), &database);
    let creds: Arc<dyn CredentialStore> = Arc::new(MemoryCreds::default());
    let err = kindred_client::sync::http::HttpTransport::new(&s.server.url(), vec![], creds);
    assert_eq!(err.err(), Some(TransportError::Insecure));
    assert_eq!(
        kindred_client::sync::backoff::classify(&TransportError::Insecure),
        kindred_client::sync::backoff::Retry::Reconnect
    );
}
