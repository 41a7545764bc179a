//! A milestone celebration, seen end to end in the real window: a tracker whose 24-hour
//! milestone comes two minutes after the test starts, inside quiet hours that end a minute after
//! it. The reminder reaches a real notification daemon (`dunst` on a private D-Bus session,
//! recorded by `dbus-monitor`) once, when the quiet hours end and not before, in the discreet
//! words; the next start of the app shows the celebration screen, and the start after that does
//! not.

use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Duration, DurationRound, Utc};
use kindred_client::clock::{system_tz, SystemClock};
use kindred_core::clock::Clock;
use kindred_core::reminders::BLOCKLIST;
use kindred_tests::gui::App;
use kindred_tests::notify::NotifyBus;

fn epoch(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

fn hhmm(t: DateTime<Utc>) -> String {
    t.with_timezone(&system_tz()).format("%H:%M").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_milestone_reminder_waits_for_quiet_hours_then_the_celebration_shows_once() {
    let bus = NotifyBus::start();
    let data = tempfile::tempdir().unwrap();
    let now = SystemClock.now();
    let milestone = now.duration_trunc(Duration::minutes(1)).unwrap() + Duration::minutes(2);
    let quiet_end = milestone + Duration::minutes(1);

    let app = App::launch_with(data.path(), "[data-test=add-tracker]", &[bus.env()]).await;
    app.click("[data-test=add-tracker]").await;
    app.type_into("[data-test=label]", "Evening walks").await;
    let start = (milestone - Duration::hours(24)).with_timezone(&system_tz());
    app.set_value("[data-test=start]", &start.format("%Y-%m-%dT%H:%M").to_string()).await;
    app.click("[data-test=save]").await;
    app.wait("[data-test=tracker-card]").await;

    // Reminders at midnight (so the on-the-day one is due at the milestone itself), quiet
    // hours from an hour before the milestone to a minute after it.
    app.nav("settings").await;
    app.set_value("[data-test=reminder-time]", "00:00").await;
    let quiet_on = app
        .client
        .execute("return document.querySelector('[data-test=quiet]').checked;", vec![])
        .await
        .unwrap();
    if quiet_on != serde_json::json!(true) {
        app.click("[data-test=quiet]").await;
    }
    app.set_value("[data-test=quiet-from]", &hhmm(milestone - Duration::hours(1))).await;
    app.set_value("[data-test=quiet-to]", &hhmm(quiet_end)).await;
    app.click("[data-test=save-settings]").await;
    app.wait("[data-test=settings-form] [role=status]").await;

    // Wait past the end of the quiet hours and one tick of the reminder loop (30 s).
    let deadline = epoch(quiet_end) + 50.0;
    let now_secs = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    while now_secs() < deadline && bus.seen().is_empty() {
        tokio::time::sleep(StdDuration::from_millis(500)).await;
    }
    let seen = bus.seen();
    assert_eq!(seen.len(), 1, "one reminder: {seen:?}");
    let n = &seen[0];
    assert!(
        n.at >= epoch(quiet_end) - 1.0,
        "shown {:.0} s before the quiet hours ended",
        epoch(quiet_end) - n.at
    );
    assert!(n.at <= epoch(quiet_end) + 45.0, "shown {:.0} s late", n.at - epoch(quiet_end));
    assert_eq!(n.summary, "Kindred");
    let words = format!("{} {}", n.summary, n.body).to_lowercase();
    for w in BLOCKLIST.iter().chain(&["evening walks", "24 h", "craving"]) {
        assert!(!words.contains(w), "the notification says {w:?}: {n:?}");
    }
    app.quit().await;

    // The next start celebrates, once.
    let app = App::launch_with(data.path(), "[data-test=celebration]", &[bus.env()]).await;
    let shown = app.text("[data-test=celebration]").await;
    assert!(shown.contains("You reached a milestone"), "{shown}");
    app.screenshot("celebration.png", 390, 844).await;
    app.click("[data-test=celebration-ok]").await;
    app.quit().await;
    let app = App::launch_with(data.path(), "[data-test=tracker-card]", &[bus.env()]).await;
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert_eq!(app.count("[data-test=celebration]").await, 0, "celebrated once only");
    app.quit().await;
    assert_eq!(bus.seen().len(), 1, "no reminder again for the time the app was closed");
}
