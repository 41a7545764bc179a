//! Store tests through the public `Kindred` facade on real temporary SQLite files: create,
//! upgrade from an empty file, reopen, corrupt and newer files, validation that loses nothing,
//! delete with undo, resets with history, celebrations and reminders.

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::store::schema::VERSION;
use kindred_client::{db_path, Error, Kindred};
use kindred_core::clock::Clock;
use kindred_core::ipc::{
    AckCelebrationReq, CreateTrackerReq, RenameTrackerReq, ResetTrackerReq, SettingsView,
    TrackerRef,
};
use kindred_core::model::ladder::Ladder;
use kindred_core::model::tracker::Halt;
use kindred_tests::{open, open_device, options, ManualClock};

const TZ: Tz = chrono_tz::America::New_York;

/// A May afternoon in New York: no DST change in the 60 days before it.
fn clock() -> ManualClock {
    ManualClock::at(Utc.with_ymd_and_hms(2026, 5, 20, 16, 0, 0).unwrap())
}

fn local(clock: &dyn Clock, ago: Duration) -> String {
    let now = clock.now() - ago;
    now.with_timezone(&TZ).format("%Y-%m-%dT%H:%M").to_string()
}

fn create(k: &mut Kindred, label: &str, ago: Duration) -> String {
    let start_local = local(&*k.clock(), ago);
    k.create_tracker(CreateTrackerReq {
        label: label.into(),
        start_local,
        tz: None,
        ladder: Ladder::Default,
    })
    .expect("create")
    .to_string()
}

fn count(k: &mut Kindred, sql: &str) -> i64 {
    k.store_mut().read(|tx| Ok(tx.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

#[test]
fn create_reopen_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let id = {
        let mut k = open(dir.path(), &c, TZ);
        assert_eq!(k.store_mut().user_version().unwrap(), VERSION);
        create(&mut k, "Alcohol", Duration::days(29) + Duration::hours(23))
    };
    let mut k = open(dir.path(), &c, TZ);
    let today = k.today().unwrap();
    assert_eq!(today.trackers.len(), 1);
    let card = &today.trackers[0];
    assert_eq!(card.id.to_string(), id);
    assert_eq!(card.label, "Alcohol");
    assert_eq!(card.sober.days, 29);
    assert_eq!(card.sober.hours, 23);
    assert!(!card.sober.show_hours);
    let next = card.next.as_ref().unwrap();
    assert_eq!(next.label, "30 days");
    assert_eq!(next.until, "in 1 hour");
    assert!(today.celebration.is_none(), "a back-dated start is not a surprise party");
}

#[test]
fn days_are_calendar_days_across_dst() {
    // 2026-03-08 springs forward in New York: 29 days 23 hours of elapsed time before
    // 2026-03-20 12:00 EDT started at 2026-02-18 12:00 EST, 30 calendar days earlier.
    let dir = tempfile::tempdir().unwrap();
    let c = ManualClock::at(Utc.with_ymd_and_hms(2026, 3, 20, 16, 0, 0).unwrap());
    let mut k = open(dir.path(), &c, TZ);
    create(&mut k, "Alcohol", Duration::days(29) + Duration::hours(23));
    let card = &k.today().unwrap().trackers[0];
    assert_eq!((card.sober.days, card.sober.hours), (30, 0));
    assert_eq!(card.next.as_ref().unwrap().label, "60 days");
    // The mentee moves to Los Angeles: the count does not shift.
    let mut s = k.get_settings().unwrap();
    s.tz = "America/Los_Angeles".into();
    k.save_settings(s).unwrap();
    assert_eq!(k.today().unwrap().trackers[0].sober.days, 30);
}

#[test]
fn empty_start_or_lapse_means_now() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = create(&mut k, "Me", Duration::days(3));
    c.advance(Duration::seconds(30));
    let fresh = k
        .create_tracker(CreateTrackerReq {
            label: "Now".into(),
            start_local: "  ".into(),
            tz: None,
            ladder: Ladder::Default,
        })
        .unwrap();
    c.advance(Duration::hours(2));
    let d = k.tracker_detail(TrackerRef { id: fresh.to_string() }).unwrap();
    assert_eq!((d.sober.days, d.sober.hours, d.sober.minutes), (0, 2, 0));
    k.reset_tracker(ResetTrackerReq {
        id: id.clone(),
        lapse_local: String::new(),
        new_start_local: None,
        halt: vec![],
        what_happened: String::new(),
        differently: String::new(),
    })
    .unwrap();
    let d = k.tracker_detail(TrackerRef { id }).unwrap();
    assert_eq!(d.attempts.len(), 2);
    assert_eq!(d.sober.days, 0);
}

#[test]
fn upgrade_from_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(db_path(dir.path()), b"").unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    assert_eq!(k.store_mut().user_version().unwrap(), VERSION);
    assert_eq!(k.today().unwrap().trackers.len(), 0);
}

#[test]
fn corrupt_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    let junk: Vec<u8> = (0..16_384u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &junk).unwrap();
    let c = clock();
    let err = open_device(dir.path(), options(&c, TZ)).unwrap_err();
    assert!(matches!(err, Error::Corrupt), "{err:?}");
    assert_eq!(err.to_command_error().code, "corrupt");
    assert_eq!(std::fs::read(&path).unwrap(), junk, "the file must not be touched");
}

#[test]
fn newer_version_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (1);").unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = open_device(dir.path(), options(&clock(), TZ)).unwrap_err();
    assert!(matches!(err, Error::NewerVersion { found, .. } if found == VERSION + 1), "{err:?}");
    assert_eq!(err.to_command_error().code, "newer_version");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = create(&mut k, "Gambling", Duration::days(10));
    let before = (
        count(&mut k, "SELECT count(*) FROM tracker"),
        count(&mut k, "SELECT count(*) FROM outbox"),
    );

    let bad = |k: &mut Kindred, label: &str, start: String| {
        k.create_tracker(CreateTrackerReq {
            label: label.into(),
            start_local: start,
            tz: None,
            ladder: Ladder::Default,
        })
        .unwrap_err()
        .to_command_error()
    };
    let start = local(&c, Duration::days(1));
    let e = bad(&mut k, "", start.clone());
    assert_eq!((e.code.as_str(), e.message.as_str()), ("invalid", "Please give this a name."));
    let e = bad(&mut k, &"x".repeat(10_000), start.clone());
    assert!(e.message.contains("too long"), "{e:?}");
    let e = bad(&mut k, "Ok", local(&c, -Duration::days(2)));
    assert_eq!(e.message, "The start can't be in the future.");
    let e = bad(&mut k, "Ok", "yesterday".into());
    assert_eq!(e.code, "invalid");
    let e = k
        .create_tracker(CreateTrackerReq {
            label: "Ok".into(),
            start_local: start,
            tz: Some("Mars/Base".into()),
            ladder: Ladder::Default,
        })
        .unwrap_err()
        .to_command_error();
    assert!(e.message.contains("time zone"), "{e:?}");

    let reset = |k: &mut Kindred, id: &str, lapse: String| {
        k.reset_tracker(ResetTrackerReq {
            id: id.into(),
            lapse_local: lapse,
            new_start_local: None,
            halt: vec![],
            what_happened: String::new(),
            differently: String::new(),
        })
        .unwrap_err()
        .to_command_error()
    };
    let e = reset(&mut k, &id, local(&c, Duration::days(11)));
    assert_eq!(e.message, "The date of the lapse can't be before this attempt started.");
    let unknown = "0190f5b2-7c4e-7a00-8000-000000000001";
    let e = reset(&mut k, unknown, local(&c, Duration::days(1)));
    assert_eq!(e.code, "not_found");
    let e = reset(&mut k, "not-an-id", local(&c, Duration::days(1)));
    assert_eq!(e.code, "invalid");
    let e = k.rename_tracker(RenameTrackerReq { id: id.clone(), label: " ".into() }).unwrap_err();
    assert_eq!(e.to_command_error().code, "invalid");

    let after = (
        count(&mut k, "SELECT count(*) FROM tracker"),
        count(&mut k, "SELECT count(*) FROM outbox"),
    );
    assert_eq!(before, after, "rejected input must not write anything");
    assert_eq!(k.today().unwrap().trackers[0].label, "Gambling");
}

#[test]
fn delete_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = create(&mut k, "Alcohol", Duration::days(3));
    k.delete_tracker(TrackerRef { id: id.clone() }).unwrap();
    assert!(k.today().unwrap().trackers.is_empty());
    assert_eq!(
        k.tracker_detail(TrackerRef { id: id.clone() }).unwrap_err().to_command_error().code,
        "not_found"
    );
    k.undo_delete_tracker(TrackerRef { id: id.clone() }).unwrap();
    assert_eq!(k.today().unwrap().trackers.len(), 1);
    // Nothing left to undo.
    assert!(matches!(k.undo_delete_tracker(TrackerRef { id }), Err(Error::UndoExpired)));
}

#[test]
fn reset_keeps_history_and_debrief_stays_on_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = create(&mut k, "Alcohol", Duration::days(29) + Duration::hours(23));
    let canary = "CANARY-debrief-1 שלום 🌱";
    k.reset_tracker(ResetTrackerReq {
        id: id.clone(),
        lapse_local: local(&c, Duration::days(1)),
        new_start_local: None,
        halt: vec![Halt::Tired, Halt::Lonely, Halt::Tired],
        what_happened: canary.into(),
        differently: "Call someone".into(),
    })
    .unwrap();
    let d = k.tracker_detail(TrackerRef { id: id.clone() }).unwrap();
    assert_eq!(d.attempts.len(), 2);
    assert_eq!(d.attempts[0].days, 28);
    assert_eq!(d.attempts[0].halt, vec![Halt::Lonely, Halt::Tired]);
    assert_eq!(d.attempts[0].what_happened.as_deref(), Some(canary));
    assert!(d.attempts[1].end.is_none());
    assert_eq!(d.sober.days, 1);
    assert_eq!(d.stats.longest_streak_days, 28);
    assert_eq!(d.stats.current_streak_days, 1);
    assert_eq!(d.stats.attempts, 2);
    assert!(d.stats.total_sober_days >= 28);
    // The debrief is in the local row but never in a sync payload.
    let leaked = count(&mut k, "SELECT count(*) FROM outbox WHERE payload LIKE '%CANARY%'");
    assert_eq!(leaked, 0);
    let resets = count(&mut k, "SELECT count(*) FROM outbox WHERE entity = 'tracker_reset'");
    assert_eq!(resets, 1);
    // Survives a reopen.
    drop(k);
    let mut k = open(dir.path(), &c, TZ);
    assert_eq!(k.tracker_detail(TrackerRef { id }).unwrap().attempts.len(), 2);
}

#[test]
fn celebration_appears_once_after_a_milestone() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    create(&mut k, "Alcohol", Duration::days(29) + Duration::hours(23));
    assert!(k.today().unwrap().celebration.is_none());
    c.advance(Duration::hours(2));
    let cel = k.today().unwrap().celebration.expect("30 days reached");
    assert_eq!(cel.milestone_label, "30 days");
    // Forged keys are ignored; the real ones are stored.
    k.ack_celebration(AckCelebrationReq {
        tracker_id: cel.tracker_id.to_string(),
        keys: vec!["0:d999".into()],
    })
    .unwrap();
    assert!(k.today().unwrap().celebration.is_some());
    k.ack_celebration(AckCelebrationReq { tracker_id: cel.tracker_id.to_string(), keys: cel.keys })
        .unwrap();
    assert!(k.today().unwrap().celebration.is_none());
    drop(k);
    let mut k = open(dir.path(), &c, TZ);
    assert!(k.today().unwrap().celebration.is_none());
}

#[test]
fn reminders_are_planned_discreetly() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    create(&mut k, "Alcohol", Duration::days(5));
    let now = k.clock().now();
    let plan = k.reminders(now, Duration::days(3)).unwrap();
    // 7 days falls in two days: the day-before and on-the-day reminders are both inside.
    assert_eq!(plan.len(), 2, "{plan:?}");
    for r in &plan {
        let text = format!("{} {}", r.title, r.body).to_lowercase();
        assert!(!text.contains("alcohol") && !text.contains("sober"), "{text}");
    }
    let mut s = k.get_settings().unwrap();
    s.milestone_reminders = false;
    k.save_settings(s).unwrap();
    assert!(k.reminders(now, Duration::days(3)).unwrap().is_empty());
}

#[test]
fn settings_round_trip_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let s = k.get_settings().unwrap();
    assert_eq!(s.tz, "America/New_York");
    assert!(s.discreet);
    let changed =
        SettingsView { tz: "Europe/Berlin".into(), reminder_time: "18:30".into(), ..s.clone() };
    k.save_settings(changed.clone()).unwrap();
    drop(k);
    let mut k = open(dir.path(), &c, TZ);
    assert_eq!(k.get_settings().unwrap(), changed);
    let err = k
        .save_settings(SettingsView { reminder_time: "25:99".into(), ..changed.clone() })
        .unwrap_err();
    assert_eq!(err.to_command_error().code, "invalid");
    let err =
        k.save_settings(SettingsView { tz: "Nowhere".into(), ..changed.clone() }).unwrap_err();
    assert_eq!(err.to_command_error().code, "invalid");
    assert_eq!(k.get_settings().unwrap(), changed);
}
