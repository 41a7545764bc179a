//! Protocol 2's compact pull page on the real server as a process, on SQLite and PostgreSQL:
//! hello offers protocol 1 to 2, phones sync with it (and an older app with protocol 1 beside
//! them), every compact page carries exactly the
//! rows of the protocol 1 page an older app still gets (fields written by a second change
//! travel as exceptions, a deleted row as a tombstone), and it is smaller on the wire.

use std::sync::Arc;

use kindred_client::keys::{CredentialStore, MemoryCreds, ACCESS};
use kindred_client::sync::{sync_once, Status};
use kindred_core::ipc::{AddGoalReq, ItemRef, LogCravingReq, SaveCravingReq, SetGoalStatusReq};
use kindred_core::model::craving::Outcome;
use kindred_core::model::plan::GoalStatus;
use kindred_core::sync::compact::CompactPage;
use kindred_core::sync::wire::{HelloResponse, PullResponse};
use kindred_tests::sync::{device_visible, real_device, server_visible, ServerProc};

#[test]
fn compact_pages_carry_protocol_1s_rows_and_phones_sync_with_them() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let key = dir.path().join(format!("key-{name}"));
        let server = ServerProc::start(&database, &key, 0, &["--device-per-minute", "100000"]);
        let program = server.staff(&["program", "create", "Riverside"]);
        let mentee = server.staff(&["mentee", "create", "--program", &program, "M-2"]);
        let (da, db_) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (real_device(da.path()), real_device(db_.path()));
        let (ca, cb) = (Arc::new(MemoryCreds::default()), Arc::new(MemoryCreds::default()));
        server.enrol(&mentee, &a, &*ca);
        server.enrol(&mentee, &b, &*cb);
        let (mut ta, mut tb) = (server.transport(ca.clone()), server.transport(cb.clone()));

        // A logs; B pulls it all, marks a goal done, deletes another and adds a craving's details.
        let mut cravings = Vec::new();
        for n in 0..5 {
            cravings
                .push(a.lock().unwrap().log_craving(LogCravingReq { intensity: n }).unwrap().id);
        }
        for text in ["Walk after dinner", "Call Sam on Fridays"] {
            a.lock().unwrap().add_goal(AddGoalReq { text: text.into() }).unwrap();
        }
        assert_eq!(sync_once(&a, &mut ta, true).unwrap().status, Status::Ok, "{name}");
        assert_eq!(sync_once(&b, &mut tb, true).unwrap().status, Status::Ok, "{name}");
        let goals = b.lock().unwrap().get_plan().unwrap().goals;
        let goal = |text: &str| goals.iter().find(|g| g.text == text).unwrap().id.to_string();
        b.lock()
            .unwrap()
            .set_goal_status(SetGoalStatusReq {
                id: goal("Walk after dinner"),
                status: GoalStatus::Done,
            })
            .unwrap();
        b.lock().unwrap().delete_goal(ItemRef { id: goal("Call Sam on Fridays") }).unwrap();
        // Details added on B: those fields carry B's clock, the rest A's.
        b.lock()
            .unwrap()
            .save_craving(SaveCravingReq {
                id: cravings[0].to_string(),
                triggers: vec![],
                tags: vec![],
                place: String::new(),
                with_whom: String::new(),
                coping: vec!["Walked".into()],
                outcome: Some(Outcome::RodeItOut),
                end_intensity: Some(1),
                note: String::new(),
            })
            .unwrap();
        assert_eq!(sync_once(&b, &mut tb, true).unwrap().status, Status::Ok, "{name}");
        assert_eq!(sync_once(&a, &mut ta, true).unwrap().status, Status::Ok, "{name}");

        // Both phones (speaking protocol 2) show what the server holds.
        let scope = a.lock().unwrap().enrolment().unwrap().unwrap().user_scope;
        let store = kindred_server::db::open(&database).unwrap();
        let held = server_visible(&*store, &scope);
        assert_eq!(device_visible(&kindred_client::db_path(da.path())), held, "{name}: A");
        assert_eq!(device_visible(&kindred_client::db_path(db_.path())), held, "{name}: B");
        // An older app, speaking protocol 1 only, gets the same.
        let dc = tempfile::tempdir().unwrap();
        let c = real_device(dc.path());
        let cc = Arc::new(MemoryCreds::default());
        server.enrol(&mentee, &c, &*cc);
        let mut tc = server.transport(cc.clone()).speaking(1);
        assert_eq!(sync_once(&c, &mut tc, true).unwrap().status, Status::Ok, "{name}");
        assert_eq!(device_visible(&kindred_client::db_path(dc.path())), held, "{name}: C (v1)");

        // The raw pages, two rows at a time, in both protocols.
        let http = server.client();
        let token = ca.get(ACCESS).unwrap().unwrap();
        let hello: HelloResponse = http
            .get(format!("{}/sync/v1/hello", server.url()))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!((hello.protocol_min, hello.protocol_max), (1, 2), "{name}");
        let body = |version: u32, after: i64| {
            let r = http
                .get(format!("{}/sync/v{version}/pull", server.url()))
                .query(&[("scope", scope.as_str()), ("after", &after.to_string()), ("limit", "2")])
                .bearer_auth(&token)
                .header("sync-epoch", &hello.epoch)
                .send()
                .unwrap();
            assert_eq!(r.status(), 200, "{name}: v{version}");
            r.bytes().unwrap().to_vec()
        };
        let (mut after, mut pages, mut bytes) = (0, 0, [0usize; 2]);
        let (mut exceptions, mut tombstones) = (0, 0);
        loop {
            let (one, two) = (body(1, after), body(2, after));
            bytes[0] += one.len();
            bytes[1] += two.len();
            let mut v1: PullResponse = serde_json::from_slice(&one).unwrap();
            let compact: CompactPage = serde_json::from_slice(&two).unwrap();
            exceptions += compact.rows.iter().filter(|r| !r.except.is_empty()).count();
            tombstones += compact.rows.iter().filter(|r| r.fields.is_none()).count();
            let mut v2 = compact.decode().expect("a consistent page");
            // The server's clock ticks on every answer; everything else is the same.
            assert_eq!(v1.server_hlc.is_some(), v2.server_hlc.is_some(), "{name}");
            (v1.server_hlc, v2.server_hlc) = (None, None);
            assert_eq!(v2, v1, "{name}: page after {after}");
            pages += 1;
            after = v1.next_after;
            if !v1.has_more {
                assert!(v1.digest.is_some(), "{name}: the last page has the digest");
                break;
            }
        }
        assert!(pages >= 3, "{name}: several pages ({pages})");
        assert!(exceptions >= 1, "{name}: the details written on B have their own clock");
        assert_eq!(tombstones, 1, "{name}: the deleted goal is a tombstone");
        assert!(bytes[1] < bytes[0], "{name}: compact is smaller ({bytes:?})");
        drop(server);
    }
}
