//! The real program server as a process on 127.0.0.1, on SQLite and PostgreSQL: hostile input
//! to every endpoint (S10), two devices converging over HTTP with a kill -9 of the server in the
//! middle of a push (S5), kill -9 of a syncing client (S5), and the durability check (S6).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kindred_client::keys::{CredentialStore, MemoryCreds, ACCESS};
use kindred_client::sync::http::HttpTransport;
use kindred_client::sync::{connect, sync_once, Status};
use kindred_client::Kindred;
use kindred_core::ipc::LogCravingReq;
use kindred_core::sync::wire::ErrorBody;
use kindred_server::db;
use kindred_tests::sync::{device_visible, real_device, server_visible, FileCreds, ServerProc};
use kindred_tests::tls::TestCa;
use serde_json::json;

struct Site {
    server: ServerProc,
    mentee: String,
    program: String,
}

fn site(dir: &std::path::Path, database: &str, extra: &[&str]) -> Site {
    let key = dir.join(format!("key-{}", database.len()));
    // Every test here logs at debug level: nothing sensitive may appear at any level (LG-1).
    let tls = TestCa::new().server_cert(dir, &format!("tls-{}", database.len()));
    let server =
        ServerProc::start_with(database, &key, 0, Some(tls), extra, &[("KINDRED_LOG", "debug")]);
    let program = server.staff(&["program", "create", "Riverside"]);
    let mentee = server.staff(&["mentee", "create", "--program", &program, "M-7"]);
    Site { server, mentee, program }
}

fn device(dir: &std::path::Path) -> Mutex<Kindred> {
    real_device(dir)
}

fn enrol(s: &Site, k: &Mutex<Kindred>, creds: &dyn CredentialStore) {
    s.server.enrol(&s.mentee, k, creds);
}

fn sync_until_ok(k: &Mutex<Kindred>, t: &mut HttpTransport) {
    let started = Instant::now();
    loop {
        let r = sync_once(k, t, true).unwrap();
        let pending = k.lock().unwrap().sync_status().unwrap().pending;
        if r.status == Status::Ok && pending == 0 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "sync did not settle: {r:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn error_of(r: reqwest::blocking::Response) -> (u16, ErrorBody) {
    let status = r.status().as_u16();
    let body: ErrorBody = r.json().expect("every error is JSON {error, message}");
    assert!(!body.message.is_empty());
    (status, body)
}

#[test]
fn hostile_input_gets_a_clear_4xx_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let s = site(dir.path(), &database, &[]);
        let (da, db_) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (device(da.path()), device(db_.path()));
        let (ca, cb) = (MemoryCreds::default(), MemoryCreds::default());
        enrol(&s, &a, &ca);
        let other = s.server.staff(&["mentee", "create", "--program", &s.program, "M-8"]);
        let code = s.server.staff(&["invite", "--mentee", &other]);
        connect(&b, &cb, &s.server.url(), &code, "test").unwrap();
        let token = ca.get(ACCESS).unwrap().unwrap();
        let other_token = cb.get(ACCESS).unwrap().unwrap();
        let scope = a.lock().unwrap().enrolment().unwrap().unwrap().user_scope;
        let device_id = a.lock().unwrap().device_id().unwrap();
        let http = s.server.client();
        let url = |p: &str| format!("{}{p}", s.server.url());
        let epoch: String = http
            .get(url("/sync/v1/hello"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json::<serde_json::Value>()
            .unwrap()["epoch"]
            .as_str()
            .unwrap()
            .to_owned();
        let push = |body: Vec<u8>, tok: &str| {
            http.post(url("/sync/v1/push"))
                .bearer_auth(tok)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .unwrap()
        };
        let pull_at = |path: &str, q: &str, tok: &str, ep: Option<&str>| {
            let mut r = http.get(format!("{}?{q}", url(path))).bearer_auth(tok);
            if let Some(e) = ep {
                r = r.header("sync-epoch", e);
            }
            r.send().unwrap()
        };
        let expect = |r: reqwest::blocking::Response, status: u16, code: &str| {
            let (got, body) = error_of(r);
            assert_eq!((got, body.error.as_str()), (status, code), "{name}: {}", body.message);
        };
        // Credentials.
        expect(http.get(url("/sync/v1/hello")).send().unwrap(), 401, "missing_token");
        expect(
            http.get(url("/sync/v1/hello")).bearer_auth("ka_0000").send().unwrap(),
            401,
            "token_invalid",
        );
        expect(
            http.get(format!("{}?access_token={token}", url("/sync/v1/hello"))).send().unwrap(),
            401,
            "missing_token",
        );
        // Push bodies.
        expect(push(b"{".to_vec(), &token), 400, "bad_json");
        expect(
            push(br#"{"device_id": 1, "epoch": "x", "changes": []}"#.to_vec(), &token),
            400,
            "bad_json",
        );
        expect(
            push(
                format!(
                    r#"{{"device_id":"{device_id}","epoch":"{epoch}","changes":[],"owner":"x"}}"#
                )
                .into_bytes(),
                &token,
            ),
            400,
            "bad_json",
        );
        expect(push(vec![b'['; 10_000], &token), 400, "bad_json");
        let mut big =
            format!(r#"{{"device_id":"{device_id}","epoch":"{epoch}","changes":[],"pad":""#)
                .into_bytes();
        big.resize(256 * 1024 + 1, b'x');
        expect(push(big, &token), 413, "body_too_large");
        let change = |i: usize| {
            json!({"change_id": uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | i as u128), "entity": "goal",
                   "entity_version": 1, "record_id": uuid::Uuid::from_u128(0x0190_0000_0000_7000_9000_0000_0000_0000 | i as u128),
                   "op": "create", "cl": 1, "hlc": 1, "base_row_seq": null, "fields": {"text": "t", "status": "active"}})
        };
        let many: Vec<_> = (0..251).map(change).collect();
        let body = json!({"device_id": device_id, "epoch": epoch, "changes": many});
        expect(push(serde_json::to_vec(&body).unwrap(), &token), 413, "batch_too_large");
        let spoof = json!({"device_id": "0190f5b2-7c4e-7a00-8000-0000000000aa", "epoch": epoch, "changes": []});
        expect(push(serde_json::to_vec(&spoof).unwrap(), &token), 403, "device_mismatch");
        let stale =
            json!({"device_id": device_id, "epoch": "another-epoch", "changes": [change(1)]});
        expect(push(serde_json::to_vec(&stale).unwrap(), &token), 409, "epoch_changed");
        // A gzip bomb: 64 MiB of zeros in a small body.
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        for _ in 0..64 {
            enc.write_all(&vec![b' '; 1 << 20]).unwrap();
        }
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 256 * 1024);
        let t = Instant::now();
        let r = http
            .post(url("/sync/v1/push"))
            .bearer_auth(&token)
            .header("content-encoding", "gzip")
            .body(bomb)
            .send()
            .unwrap();
        expect(r, 413, "body_too_large");
        assert!(t.elapsed() < Duration::from_secs(5), "{name}: refused fast");
        // Per-change problems are answered per change, and nothing is stored.
        let unknown = json!({"device_id": device_id, "epoch": epoch, "changes": [
            {"change_id": "0190f5b2-7c4e-7a00-8000-0000000000b1", "entity": "journal", "entity_version": 1,
             "record_id": "0190f5b2-7c4e-7a00-8000-0000000000b2", "op": "create", "cl": 1, "hlc": 1, "base_row_seq": null,
             "fields": {"text": "CANARY-hostile"}}]});
        let r: serde_json::Value =
            push(serde_json::to_vec(&unknown).unwrap(), &token).json().unwrap();
        assert_eq!(r["results"][0]["code"], "unknown_entity", "{name}");
        // Pull parameters, refused alike by protocol 1 and protocol 2's compact page.
        for path in ["/sync/v1/pull", "/sync/v2/pull"] {
            let pull = |q: &str, tok: &str, ep: Option<&str>| pull_at(path, q, tok, ep);
            expect(pull("after=0", &token, Some(&epoch)), 400, "bad_query");
            expect(
                pull(&format!("scope={scope}&after=abc"), &token, Some(&epoch)),
                400,
                "bad_query",
            );
            expect(
                pull(&format!("scope={scope}&after=-1"), &token, Some(&epoch)),
                400,
                "bad_cursor",
            );
            expect(
                pull(&format!("scope={scope}&after=1000000000000000000"), &token, Some(&epoch)),
                400,
                "bad_cursor",
            );
            expect(
                pull(&format!("scope={scope}&after=99999999999999999999999"), &token, Some(&epoch)),
                400,
                "bad_query",
            );
            expect(pull(&format!("scope={scope}&after=0"), &token, None), 400, "missing_epoch");
            expect(
                pull(&format!("scope={scope}&after=0"), &token, Some("old")),
                409,
                "epoch_changed",
            );
            expect(
                pull(&format!("scope={scope}&after=0"), &other_token, Some(&epoch)),
                403,
                "scope_forbidden",
            );
            assert_eq!(
                pull(&format!("scope={scope}&after=0&limit=1000000000"), &token, Some(&epoch))
                    .status(),
                200
            );
        }
        expect(http.get(url("/admin")).send().unwrap(), 404, "not_found");
        // Enrolment.
        let enrol_body = |code: &str| json!({"code": code, "device_id": "0190f5b2-7c4e-7a00-8000-0000000000cc", "app_version": "x"});
        expect(
            http.post(url("/enrol/v1")).json(&enrol_body("AAAA-BBBB-CCCC-DDDD")).send().unwrap(),
            401,
            "invite_invalid",
        );
        expect(http.post(url("/enrol/v1")).body("nope").send().unwrap(), 400, "bad_json");
        // Brute force meets the per-address limit (10 a minute; two enrolments and two tries so far).
        let mut limited = false;
        for _ in 0..12 {
            let r = http
                .post(url("/enrol/v1"))
                .json(&enrol_body("AAAA-BBBB-CCCC-DDDE"))
                .send()
                .unwrap();
            if r.status() == 429 {
                assert!(r.headers().get("retry-after").is_some(), "{name}: Retry-After given");
                limited = true;
                break;
            }
        }
        assert!(limited, "{name}: enrolment attempts are rate-limited");
        // Revoked devices hear it plainly.
        s.server.staff(&["devices", "revoke", &device_id]);
        expect(
            http.get(url("/sync/v1/hello")).bearer_auth(&token).send().unwrap(),
            401,
            "device_revoked",
        );
        // Still up, nothing stored, nothing secret in the log.
        assert_eq!(
            http.get(url("/healthz")).send().unwrap().status(),
            200,
            "{name}: the server stays up"
        );
        let store = db::open(&database).unwrap();
        assert!(server_visible(&*store, &scope).is_empty(), "{name}: nothing stored");
        let log = std::fs::read_to_string(&s.server.stderr).unwrap();
        assert!(log.contains("DEBUG") || log.contains("INFO"), "{name}: the log was written");
        let refresh = ca.get(kindred_client::keys::REFRESH).unwrap().unwrap();
        let record = "0190f5b2-7c4e-7a00-8000-0000000000b2";
        for secret in [
            token.as_str(),
            other_token.as_str(),
            &refresh,
            &code,
            "CANARY",
            &scope,
            &device_id,
            record,
        ] {
            assert!(!log.contains(secret), "{name}: the log must not contain {secret}");
        }
    }
}

#[test]
fn two_devices_converge_over_http_through_a_server_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let mut s = site(dir.path(), &database, &["--device-per-minute", "100000"]);
        s.server.staff(&[
            "contact",
            "set",
            "--mentee",
            &s.mentee,
            "--role",
            "primary",
            "--name",
            "Sam",
            "--phone",
            "+15551234567",
        ]);
        let (da, db_) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (device(da.path()), device(db_.path()));
        let (ca, cb) = (Arc::new(MemoryCreds::default()), Arc::new(MemoryCreds::default()));
        enrol(&s, &a, &*ca);
        enrol(&s, &b, &*cb);
        const N: i64 = 600;
        for n in 0..N {
            a.lock().unwrap().log_craving(LogCravingReq { intensity: n % 11 }).unwrap();
        }
        // Push in the background and kill the server in the middle of it.
        let mut ta = s.server.transport(ca.clone());
        let report = std::thread::scope(|scope| {
            let h = scope.spawn(|| sync_once(&a, &mut ta, true).unwrap());
            std::thread::sleep(Duration::from_millis(40));
            s.server.kill9();
            h.join().unwrap()
        });
        let pending = a.lock().unwrap().sync_status().unwrap().pending;
        assert!(report.status == Status::Offline || pending == 0, "{name}: {report:?}");
        s.server.restart();
        let mut ta = s.server.transport(ca.clone());
        let mut tb = s.server.transport(cb.clone());
        sync_until_ok(&a, &mut ta);
        sync_until_ok(&b, &mut tb);
        // B changes something; A sees it.
        b.lock()
            .unwrap()
            .add_goal(kindred_core::ipc::AddGoalReq { text: "Call Sam on Fridays".into() })
            .unwrap();
        sync_until_ok(&b, &mut tb);
        sync_until_ok(&a, &mut ta);
        let store = db::open(&database).unwrap();
        let scope = a.lock().unwrap().enrolment().unwrap().unwrap().user_scope;
        let server = server_visible(&*store, &scope);
        assert_eq!(
            device_visible(&kindred_client::db_path(da.path())),
            server,
            "{name}: A shows what the server holds"
        );
        assert_eq!(
            device_visible(&kindred_client::db_path(db_.path())),
            server,
            "{name}: so does B"
        );
        let cravings = server.values().filter(|f| f.contains_key("intensity")).count() as i64;
        assert_eq!(cravings, N, "{name}: every craving exactly once");
        let creates = db::run(&*store, db::Mode::Read, |tx| {
            tx.one(
                "SELECT count(*) FROM change_log WHERE entity = 'craving' AND op = 'create'",
                &[],
            )
        })
        .unwrap()
        .unwrap()
        .int(0)
        .unwrap();
        assert_eq!(creates, N, "{name}: no create applied twice");
        assert_eq!(
            b.lock().unwrap().get_contacts().unwrap().primary.map(|c| c.name),
            Some("Sam".into())
        );
        let plan = a.lock().unwrap().get_plan().unwrap();
        assert_eq!(plan.goals.len(), 1, "{name}: B's goal reached A");
    }
}

#[test]
fn a_client_killed_mid_sync_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let s = site(dir.path(), &database, &["--device-per-minute", "100000"]);
        let data = tempfile::tempdir().unwrap();
        let creds_file = data.path().join("creds.json");
        {
            let k = device(data.path());
            enrol(&s, &k, &FileCreds(creds_file.clone()));
        }
        for round in 0..3 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_kindred-syncer"))
                .arg(data.path())
                .arg(&creds_file)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            for _ in 0..=round {
                let l = lines.next().expect("syncer output").unwrap();
                assert!(l.starts_with("synced"), "{l}");
            }
            // Let it get into the next cycle, then kill it wherever it is.
            std::thread::sleep(Duration::from_millis(15 * (round + 1)));
            child.kill().unwrap();
            child.wait().unwrap();
        }
        let status = Command::new(env!("CARGO_BIN_EXE_kindred-syncer"))
            .arg(data.path())
            .arg(&creds_file)
            .arg("--drain")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let local = kindred_tests::device_connection(&kindred_client::db_path(data.path()))
            .query_row("SELECT count(*) FROM craving WHERE cl = 1", [], |r| r.get::<_, i64>(0))
            .unwrap();
        let store = db::open(&database).unwrap();
        let scope = format!("user:{}", s.mentee);
        let server = server_visible(&*store, &scope);
        assert!(local >= 75, "{name}: the syncer made progress ({local})");
        assert_eq!(server.len() as i64, local, "{name}: every local craving is on the server once");
        assert_eq!(device_visible(&kindred_client::db_path(data.path())), server, "{name}");
    }
}

#[test]
fn the_server_refuses_weak_durability() {
    let Some(pg) = crate::pg::fresh_database() else { return };
    let url = format!("{}?options=-c%20synchronous_commit%3Doff", pg.url());
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(kindred_tests::sync::server_bin())
        .args(["--database", &url, "--key-file"])
        .arg(dir.path().join("k"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "must not start");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("synchronous_commit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
