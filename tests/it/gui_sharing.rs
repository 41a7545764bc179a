//! Sharing in the phone's real window with a mentor in a real headless Chromium: the app
//! connects to the program (and says what connecting sends); the Sharing screen says the
//! mentor sees nothing; the mentee shares milestones and check-ins; the mentor's page shows
//! those categories; "Who looked" on the phone lists the mentor's looks after a sync; the
//! mentee stops sharing and the mentor's next request shows nothing of it. Phone-size
//! screenshots of the Sharing and Who looked screens.

use std::time::{Duration, Instant};

use kindred_tests::browser::Browser;
use kindred_tests::gui::{App, ProgramServer};
use kindred_tests::mentor::MentorSite;

/// Reloads the mentor's page until it holds (or lacks) `text`, up to 30 s.
async fn mentor_sees(b: &Browser, url: &str, text: &str, present: bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        b.goto(url).await;
        let html = b.html().await;
        if html.contains(text) == present {
            return html;
        }
        assert!(Instant::now() < deadline, "mentor page: {text:?} present={present}: {html}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_sharing_grant_seen_logged_then_revoked() {
    let server = ProgramServer::start();
    let site = MentorSite::create(|a| server.staff(a), &server.url, "Riverside Recovery", "M-21");
    let (mentee, link) = (site.mentee, site.link);
    let code = server.staff(&["invite", "--mentee", &mentee]);

    // The phone connects; the connect screen says what connecting sends.
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(data.path(), "[data-test=nav-more]").await;
    app.nav("settings").await;
    app.click("[data-test=connect-link]").await;
    let sends = app.text("[data-test=connect-mentor]").await;
    assert!(sends.contains("sees nothing until you choose"), "{sends}");
    app.type_into("[data-test=server]", &server.url).await;
    app.type_into("[data-test=invite-code]", &code).await;
    app.click("[data-test=connect]").await;
    app.text_until("[data-test=last-synced]", |t| t.starts_with("Last synced")).await;

    // Sharing: nothing yet.
    app.nav("mentor").await;
    app.click("[data-test=sharing-link]").await;
    let now = app.text("[data-test=sees-now]").await;
    assert!(now.contains("Robin sees nothing of yours."), "{now}");
    app.screenshot("sharing-nothing-yet-390x844.png", 390, 844).await;

    // The mentor signs up in Chromium and sees the pseudonym only.
    let b = Browser::launch(&server.pin()).await;
    let secret = b.open_setup(&link).await;
    b.finish_setup(&secret, "harbour lantern tuesday violet").await;
    b.click("ul.cards h2 a").await;
    b.wait_url("/mentor/m/").await;
    b.wait("h1").await;
    let page = b.url().await;
    assert!(b.html().await.contains("hasn't shared anything with you yet"));

    // The mentee shares milestones and check-ins.
    app.click("[data-test=share-milestones] input").await;
    app.click("[data-test=share-check_ins] input").await;
    app.click("[data-test=share]").await;
    let receipt = app.text_until("[data-test=receipt]", |t| t.contains("Sharing now")).await;
    assert!(receipt.contains("Milestones and sober time, Check-ins"), "{receipt}");
    assert!(receipt.contains("You agreed on"), "{receipt}");
    let now = app.text_until("[data-test=sees-now]", |t| t.contains("can see")).await;
    assert!(now.contains("Robin can see your milestones and sober time and check-ins."), "{now}");
    app.screenshot("sharing-granted-390x844.png", 390, 844).await;
    let html = mentor_sees(&b, &page, "Milestones and sober time", true).await;
    assert!(html.contains("Check-ins, last two weeks") && !html.contains("Goals"), "{html}");

    // The phone's log of who looked, after its next sync.
    app.nav("settings").await;
    app.click("[data-test=sync-now]").await;
    app.text_until("[data-test=sync-now]", |t| t == "Sync now").await;
    app.nav("mentor").await;
    app.click("[data-test=sharing-link]").await;
    app.click("[data-test=sees-now] a").await;
    let row = app.text("[data-test=log-row]").await;
    assert!(row.contains("Robin saw your page: Milestones and sober time, Check-ins"), "{row}");
    let weeks = app.text("[data-test=log-weeks]").await;
    assert!(weeks.contains("This week: Robin looked"), "{weeks}");
    app.screenshot("sharing-who-looked-390x844.png", 390, 844).await;

    // Stop sharing: one tap; the mentor's next request shows nothing of it.
    app.nav("mentor").await;
    app.click("[data-test=sharing-link]").await;
    app.click("[data-test=stop-sharing]").await;
    let receipt = app.text_until("[data-test=receipt]", |t| t.contains("Stopped on")).await;
    assert!(receipt.contains("Stopped on"), "{receipt}");
    let html = mentor_sees(&b, &page, "Milestones and sober time", false).await;
    assert!(html.contains("hasn't shared anything with you yet"), "{html}");
    app.screenshot("sharing-stopped-390x844.png", 390, 844).await;
    b.quit().await;
    app.quit().await;
}
