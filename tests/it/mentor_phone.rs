//! The mentor side as the phone lives it, with injected clocks and the real `Service`
//! in-process: a mentor's milestone message shows on the celebration screen when the
//! milestone comes (and not for a later attempt), the sharing screen's receipts and "who can
//! see what" follow grants, widening, expiry and revocation, and bad requests are refused in
//! plain words.

use std::sync::Mutex;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::keys::MemoryCreds;
use kindred_client::sync::sync_once;
use kindred_core::clock::Clock;
use kindred_core::ipc::{CreateTrackerReq, GrantReq, RevokeGrantReq};
use kindred_core::model::ladder::Ladder;
use kindred_tests::sync::{Faults, Program, Rng, SimTransport};
use kindred_tests::{open, ManualClock};

use crate::mentor_authz::{World, NOW};

#[test]
fn a_mentor_message_reaches_the_celebration_and_sharing_follows_the_mentee() {
    let dir = tempfile::tempdir().unwrap();
    let db = kindred_server::db::open(dir.path().join("s.sqlite3").to_str().unwrap()).unwrap();
    let w = World::new(db);
    let clock = ManualClock::at(Utc.timestamp_millis_opt(NOW).unwrap());
    let tz: Tz = "America/Chicago".parse().unwrap();
    let k = Mutex::new(open(&dir.path().join("phone"), &clock, tz));
    let creds = MemoryCreds::default();
    Program { program: String::new(), mentee: w.b.clone() }.enrol(&w.svc, &k, &creds);
    let mut rng = Rng::new(7);
    let mut sync = |k: &Mutex<kindred_client::Kindred>| {
        let mut t = SimTransport {
            svc: &w.svc,
            creds: &creds,
            rng: &mut rng,
            faults: Faults::default(),
            delayed: None,
        };
        let r = sync_once(k, &mut t, true).unwrap();
        assert_eq!(r.status, kindred_client::sync::Status::Ok, "{r:?}");
    };
    let tracker = k
        .lock()
        .unwrap()
        .create_tracker(CreateTrackerReq {
            label: "Me".into(),
            start_local: String::new(),
            tz: None,
            ladder: Ladder::Default,
        })
        .unwrap();
    sync(&k);

    // Nothing shared: the mentor may not leave a message.
    let v = k.lock().unwrap().sharing().unwrap();
    assert_eq!(v.mentors.len(), 1);
    assert_eq!(v.now, ["Robin sees nothing of yours."]);
    assert!(w.svc.leave_message(&w.m, &w.b, &tracker.to_string(), "h24", "hi").is_err());
    // Bad grants are refused in plain words, and nothing is written.
    let bad = |req: GrantReq| k.lock().unwrap().grant_sharing(req).unwrap_err().to_string();
    let base = GrantReq {
        assignment_id: v.mentors[0].assignment_id.clone(),
        categories: vec!["milestones".into()],
        until: None,
        phone: None,
        replaces: None,
    };
    assert_eq!(
        bad(GrantReq { categories: vec![], ..base.clone() }),
        "Pick at least one thing to share."
    );
    assert_eq!(
        bad(GrantReq { categories: vec!["notes".into()], ..base.clone() }),
        "Pick at least one thing to share."
    );
    assert!(bad(GrantReq { assignment_id: "x".into(), ..base.clone() }).contains("isn't linked"));
    assert!(
        bad(GrantReq { until: Some("2020-01-01".into()), ..base.clone() }).contains("after today")
    );
    assert!(bad(GrantReq { phone: Some("**21#".into()), ..base.clone() }).contains("phone number"));
    assert!(k.lock().unwrap().sharing().unwrap().grants.is_empty());

    // Shared for three days; the mentor leaves a message for the first milestone.
    let until = (clock.now().with_timezone(&tz) + Duration::days(3)).format("%Y-%m-%d").to_string();
    let v =
        k.lock().unwrap().grant_sharing(GrantReq { until: Some(until), ..base.clone() }).unwrap();
    assert_eq!(v.grants.len(), 1);
    assert!(v.grants[0].live && !v.grants[0].synced);
    assert!(v.grants[0].until.starts_with("Until the end of"), "{}", v.grants[0].until);
    sync(&k);
    assert!(k.lock().unwrap().sharing().unwrap().grants[0].synced);
    let page = w.svc.mentee_page(&w.m, &w.b).unwrap();
    let mine = page.trackers.unwrap().into_iter().find(|t| t.id == tracker.to_string()).unwrap();
    let key = mine.next.unwrap().key;
    w.svc
        .leave_message(&w.m, &w.b, &tracker.to_string(), &key, "A whole day! Proud of you.")
        .unwrap();
    clock.advance(Duration::hours(25));
    w.clock.advance(25 * 3_600_000);
    sync(&k);
    let today = k.lock().unwrap().today().unwrap();
    let c = today.celebration.expect("the 24 h celebration");
    let m = c.message.expect("the mentor's message");
    assert_eq!((m.from.as_str(), m.text.as_str()), ("Robin", "A whole day! Proud of you."));

    // Widening makes a new grant and stops the old one; expiry and revocation end them.
    let old = k.lock().unwrap().sharing().unwrap().grants[0].id.clone();
    let v = k
        .lock()
        .unwrap()
        .grant_sharing(GrantReq {
            categories: vec!["milestones".into(), "check_ins".into()],
            replaces: Some(old.clone()),
            ..base.clone()
        })
        .unwrap();
    assert_eq!(v.grants.len(), 2);
    assert!(v.grants[0].live && v.grants[1].state.starts_with("Stopped on"), "{:?}", v.grants);
    assert_eq!(v.now, ["Robin can see your milestones and sober time and check-ins."]);
    let again = k.lock().unwrap().grant_sharing(GrantReq { replaces: Some(old), ..base.clone() });
    assert!(again.unwrap_err().to_string().contains("already ended"));
    sync(&k);
    assert_eq!(w.svc.mentee_page(&w.m, &w.b).unwrap().shared.len(), 2);
    let live = v.grants[0].id.clone();
    let v = k.lock().unwrap().revoke_sharing(RevokeGrantReq { grant_id: live }).unwrap();
    assert_eq!(v.now, ["Robin sees nothing of yours."]);
    // Until the phone syncs, the program still has the grant: the phone says so.
    assert!(!v.grants[0].synced);
    sync(&k);
    assert!(w.svc.mentee_page(&w.m, &w.b).unwrap().shared.is_empty());
    // The log of who looked came down, with a summary.
    let log = k.lock().unwrap().disclosure_log().unwrap();
    assert!(log.rows.len() >= 2, "{:?}", log.rows);
    assert!(log.weeks[0].contains("Robin looked"), "{:?}", log.weeks);
    // The mentee can take the log with them: in the export, and as a spreadsheet.
    let e = k.lock().unwrap().export().unwrap();
    assert_eq!(e.who_looked.len(), log.rows.len());
    let files = k.lock().unwrap().export_csv().unwrap();
    let csv = &files.iter().find(|(n, _)| *n == "who-looked.csv").unwrap().1;
    assert!(csv.starts_with("when_utc,mentor,categories") && csv.contains("Robin"), "{csv}");
}
