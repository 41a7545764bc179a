//! The mentor's web view end to end in a real headless Chromium against the real server over
//! TLS: staff set a mentor up from the CLI; the mentor opens the one-time link, chooses a
//! password and confirms a code from the authenticator (TOTP); the caseload shows nothing
//! until the phone shares; then milestones and check-ins appear, the mentor leaves a message
//! for the next milestone, the phone pulls it and the log of who looked; the phone stops
//! sharing and the next page shows nothing of it. Phone-size screenshots of each page, and
//! axe-core finds no violations on any of them.

use std::sync::{Arc, Mutex};

use kindred_client::clock::SystemClock;
use kindred_client::keys::MemoryCreds;
use kindred_client::sync::sync_once;
use kindred_client::Kindred;
use kindred_core::clock::Clock;
use kindred_core::ipc::{CheckInReq, CreateTrackerReq, GrantReq, RevokeGrantReq};
use kindred_core::model::ladder::Ladder;
use kindred_tests::browser::Browser;
use kindred_tests::mentor::{totp, MentorSite};
use kindred_tests::sync::{real_device, ServerProc};

/// One sync of the phone (blocking HTTPS, off the async runtime's worker).
fn sync(server: &ServerProc, k: &Mutex<Kindred>, creds: &Arc<MemoryCreds>) {
    let r = tokio::task::block_in_place(|| {
        sync_once(k, &mut server.transport(creds.clone()), true).unwrap()
    });
    assert_eq!(r.status, kindred_client::sync::Status::Ok, "{r:?}");
}

async fn look(b: &Browser, name: &str) {
    let png = b.screenshot(name).await;
    assert!(std::fs::metadata(&png).unwrap().len() > 2000, "{name}: a real screenshot");
    let v = b.axe().await;
    assert!(v.is_empty(), "{name}: axe-core found {v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_mentor_web_view_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let server = ServerProc::start(db.to_str().unwrap(), &dir.path().join("mac"), 0, &[]);
    let site = MentorSite::create(|a| server.staff(a), &server.url(), "Riverside", "Sam R.");
    let (mentee, link) = (site.mentee, site.link);

    let pdir = tempfile::tempdir().unwrap();
    let k = real_device(pdir.path());
    let creds = Arc::new(MemoryCreds::default());
    tokio::task::block_in_place(|| server.enrol(&mentee, &k, &*creds));
    {
        let mut k = k.lock().unwrap();
        k.create_tracker(CreateTrackerReq {
            label: "Me".into(),
            // 87 days ago, so the 90-day milestone is always three days ahead (a fixed date
            // here stopped being "coming up" once it passed).
            start_local: (SystemClock.now() - chrono::Duration::days(87))
                .with_timezone(&chrono_tz::America::Chicago)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            tz: Some("America/Chicago".into()),
            ladder: Ladder::Default,
        })
        .unwrap();
        k.check_in(CheckInReq {
            mood: 4,
            craving: true,
            halt: vec![],
            line: "Went to a meeting".into(),
        })
        .unwrap();
    }
    sync(&server, &k, &creds);

    let pin = server.pins()[0].to_string();
    let b = Browser::launch(&pin).await;
    // The set-up link: the page, then the form.
    let secret = b.open_setup(&link).await;
    look(&b, "mentor-setup").await;
    b.finish_setup(&secret, "harbour lantern tuesday violet").await;
    assert!(b.url().await.ends_with("/mentor"));
    assert!(b.html().await.contains("shared anything with you yet"));
    look(&b, "mentor-caseload-nothing-shared").await;

    // The phone shares milestones and check-ins.
    let grant = {
        let mut k = k.lock().unwrap();
        let v = k.sharing().unwrap();
        let v = k
            .grant_sharing(GrantReq {
                assignment_id: v.mentors[0].assignment_id.clone(),
                categories: vec!["milestones".into(), "check_ins".into(), "goals_plan".into()],
                until: None,
                phone: Some("+15550101234".into()),
                replaces: None,
            })
            .unwrap();
        v.grants[0].id.clone()
    };
    sync(&server, &k, &creds);
    b.goto(&format!("{}/mentor", server.url())).await;
    let html = b.html().await;
    assert!(html.contains("Milestone coming up. Me: 90 days"), "{html}");
    assert!(html.contains("tel:+15550101234"));
    look(&b, "mentor-caseload").await;
    b.click("ul.cards h2 a").await;
    b.wait("textarea").await;
    let html = b.html().await;
    assert!(html.contains("Went to a meeting") && html.contains("42 CFR part 2"));
    look(&b, "mentor-mentee").await;
    b.fill("textarea", "90 days, Sam! <b>So proud</b> of you.").await;
    b.click("form.stack button.primary").await;
    b.wait_url("?done=message").await;
    b.wait("p.done").await;
    look(&b, "mentor-message-saved").await;
    // A goal agreed together, added from the page; it reaches the phone.
    b.fill("#new-goal", "Call Robin after Tuesday group").await;
    b.click("form.stack:has(#new-goal) button").await;
    b.wait_url("?done=goal").await;
    b.wait("p.done").await;
    assert!(b.html().await.contains("Call Robin after Tuesday group"));
    look(&b, "mentor-goal-added").await;

    // The phone gets the message and the log; then stops sharing.
    sync(&server, &k, &creds);
    {
        let mut k = k.lock().unwrap();
        let msgs = k.program_content("milestone_message").unwrap();
        assert_eq!(msgs[0].1["text"], "90 days, Sam! <b>So proud</b> of you.");
        let log = k.disclosure_log().unwrap();
        assert!(log.rows.len() >= 3, "{:?}", log.rows);
        let plan = k.get_plan().unwrap();
        assert!(format!("{plan:?}").contains("Call Robin after Tuesday group"), "{plan:?}");
        k.revoke_sharing(RevokeGrantReq { grant_id: grant }).unwrap();
    }
    sync(&server, &k, &creds);
    b.client.refresh().await.unwrap();
    b.wait("h1").await;
    let html = b.html().await;
    assert!(!html.contains("Went to a meeting") && html.contains("shared anything with you yet"));

    // Sign out, and the sign-in page with its second factor.
    b.goto(&format!("{}/mentor", server.url())).await;
    b.click("header form button").await;
    b.wait("#login").await;
    look(&b, "mentor-sign-in").await;
    b.fill("#login", "robin").await;
    b.fill("#password", "harbour lantern tuesday violet").await;
    b.fill("#code", &totp(&secret, 30)).await;
    b.click("button.primary").await;
    b.wait("ul.cards").await;
    b.quit().await;
}
