//! Store tests for the craving log and mentor contacts on real temporary SQLite files, including
//! the upgrade from schema version 1 with data in it.

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::store::schema::{V1, VERSION};
use kindred_client::{db_path, Kindred};
use kindred_core::ipc::{
    ContactChannel, ContactMentorReq, CravingRef, LogCravingReq, SaveContactReq, SaveCravingReq,
};
use kindred_core::model::contact::Role;
use kindred_core::model::craving::{Outcome, Trigger};
use kindred_tests::{open, ManualClock};

const TZ: Tz = chrono_tz::Europe::Berlin;

fn clock() -> ManualClock {
    ManualClock::at(Utc.with_ymd_and_hms(2026, 6, 10, 16, 30, 0).unwrap())
}

fn count(k: &mut Kindred, sql: &str) -> i64 {
    k.store_mut().read(|tx| Ok(tx.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

fn details(id: &str) -> SaveCravingReq {
    SaveCravingReq {
        id: id.into(),
        triggers: vec![Trigger::Stress, Trigger::Lonely],
        tags: vec!["payday".into()],
        place: "كافيه".into(),
        with_whom: "\u{202e}reversed\u{202c} 👩\u{200d}👩\u{200d}👧".into(),
        coping: vec!["Called someone".into(), "Ran 🏃".into()],
        outcome: Some(Outcome::RodeItOut),
        end_intensity: Some(2),
        note: "CANARY-note-1 שלום".into(),
    }
}

#[test]
fn upgrade_from_v1_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    {
        let conn = rusqlite::Connection::open(db_path(dir.path())).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute(
            "INSERT INTO tracker (id, cl, label, start, ladder, created_at)
             VALUES ('0190f5b2-7c4e-7a00-8000-000000000001', 1, 'Alcohol',
                     '{\"local\":\"2026-01-01T08:00:00\",\"tz\":\"Europe/Berlin\"}',
                     '{\"kind\":\"default\"}', 0)",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let mut k = open(dir.path(), &c, TZ);
    assert_eq!(k.store_mut().user_version().unwrap(), VERSION);
    let today = k.today().unwrap();
    assert_eq!(today.trackers.len(), 1);
    assert_eq!(today.trackers[0].label, "Alcohol");
    assert_eq!(today.trackers[0].sober.days, 160);
    // The new tables work on the upgraded file.
    k.log_craving(LogCravingReq { intensity: 4 }).unwrap();
    assert_eq!(count(&mut k, "SELECT count(*) FROM craving"), 1);
}

#[test]
fn quick_log_details_round_trip_and_privacy() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let logged = k.log_craving(LogCravingReq { intensity: 8 }).unwrap();
    assert!(logged.offer_plan);
    assert_eq!(logged.time, "18:30");
    assert!(!k.log_craving(LogCravingReq { intensity: 6 }).unwrap().offer_plan);
    let id = logged.id.to_string();
    k.save_craving(details(&id)).unwrap();
    drop(k);
    let mut k = open(dir.path(), &c, TZ);
    let v = k.craving_detail(CravingRef { id: id.clone() }).unwrap();
    assert_eq!(v.triggers, vec![Trigger::Lonely, Trigger::Stress]);
    assert_eq!(v.place, "كافيه");
    assert_eq!(v.with_whom, "\u{202e}reversed\u{202c} 👩\u{200d}👩\u{200d}👧");
    assert_eq!(v.coping, vec!["Called someone".to_owned(), "Ran 🏃".to_owned()]);
    assert_eq!(v.outcome, Some(Outcome::RodeItOut));
    assert_eq!(v.end_intensity, Some(2));
    assert_eq!(v.note, "CANARY-note-1 שלום");
    assert!(v.coping_options.contains(&"Ran 🏃".to_owned()), "own coping is offered again");
    // The note never enters a sync payload; the other fields do.
    assert_eq!(count(&mut k, "SELECT count(*) FROM outbox WHERE payload LIKE '%CANARY%'"), 0);
    assert_eq!(count(&mut k, "SELECT count(*) FROM outbox WHERE payload LIKE '%payday%'"), 1);
    // The insights rollups follow the details.
    let triggers = "SELECT sum(n) FROM craving_rollup WHERE kind = 'trigger'";
    assert_eq!(count(&mut k, triggers), 2);
    let log = k.craving_log().unwrap();
    assert_eq!(log.days.len(), 1);
    assert_eq!(log.days[0].entries.len(), 2);
    assert_eq!(log.days[0].entries[1].outcome, Some(Outcome::RodeItOut));
}

#[test]
fn bad_craving_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = k.log_craving(LogCravingReq { intensity: 5 }).unwrap().id.to_string();
    let before = count(&mut k, "SELECT count(*) FROM outbox");
    for bad in [-1, 11, i64::MAX] {
        let e = k.log_craving(LogCravingReq { intensity: bad }).unwrap_err().to_command_error();
        assert_eq!(e.message, "Intensity goes from 0 to 10.");
    }
    let mut long = details(&id);
    long.note = "x".repeat(100_000);
    let e = k.save_craving(long).unwrap_err().to_command_error();
    assert_eq!(e.code, "invalid");
    assert!(e.message.contains("too long"), "{e:?}");
    let mut nul = details(&id);
    nul.place = "a\0b".into();
    assert_eq!(k.save_craving(nul).unwrap_err().to_command_error().code, "invalid");
    let mut end = details(&id);
    end.end_intensity = Some(42);
    assert_eq!(k.save_craving(end).unwrap_err().to_command_error().code, "invalid");
    let unknown = details("0190f5b2-7c4e-7a00-8000-000000000009");
    assert_eq!(k.save_craving(unknown).unwrap_err().to_command_error().code, "not_found");
    assert_eq!(count(&mut k, "SELECT count(*) FROM outbox"), before);
    let v = k.craving_detail(CravingRef { id }).unwrap();
    assert_eq!((v.intensity, v.note.as_str()), (5, ""));
}

#[test]
fn craving_delete_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = k.log_craving(LogCravingReq { intensity: 3 }).unwrap().id.to_string();
    k.delete_craving(CravingRef { id: id.clone() }).unwrap();
    assert!(k.craving_log().unwrap().days.is_empty());
    k.undo_delete_craving(CravingRef { id: id.clone() }).unwrap();
    assert_eq!(k.craving_log().unwrap().days[0].entries.len(), 1);
    assert!(k.undo_delete_craving(CravingRef { id }).is_err());
}

fn contact(role: Role, phone: &str) -> SaveContactReq {
    SaveContactReq {
        role,
        name: "Sam Rivera".into(),
        phone: phone.into(),
        sms: String::new(),
        email: "sam@example.org".into(),
        hours_days: vec![0, 1, 2, 3, 4],
        hours_from: "09:00".into(),
        hours_to: "17:00".into(),
        note: String::new(),
    }
}

#[test]
fn mentor_contacts_links_and_hours() {
    let dir = tempfile::tempdir().unwrap();
    // Wednesday 2026-06-10, 18:30 in Berlin: after hours.
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    k.save_contact(contact(Role::Primary, "(555) 123-4567")).unwrap();
    let v = k.get_contacts().unwrap();
    let p = v.primary.unwrap();
    assert_eq!(p.phone.as_deref(), Some("+15551234567"));
    assert_eq!(p.hours_text.as_deref(), Some("Mon–Fri 09:00–17:00"));
    assert!(!p.available_now);
    assert!(v.backup.is_none());
    c.set(Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap());
    assert!(k.get_contacts().unwrap().primary.unwrap().available_now);
    let link = |k: &mut Kindred, channel| {
        k.mentor_link(ContactMentorReq { role: Role::Primary, channel }).unwrap()
    };
    assert_eq!(link(&mut k, ContactChannel::Call), "tel:+15551234567");
    assert_eq!(link(&mut k, ContactChannel::Text), "sms:+15551234567");
    assert_eq!(link(&mut k, ContactChannel::Email), "mailto:sam@example.org");
    // Saving again updates the one primary, never a second row.
    k.save_contact(contact(Role::Primary, "+44 20 7946 0958")).unwrap();
    assert_eq!(count(&mut k, "SELECT count(*) FROM mentor_contact"), 1);
    assert_eq!(link(&mut k, ContactChannel::Call), "tel:+442079460958");
    let err = k.mentor_link(ContactMentorReq { role: Role::Backup, channel: ContactChannel::Call });
    assert_eq!(err.unwrap_err().to_command_error().code, "not_found");
    for bad in ["tel:*#06#", "javascript:alert(1)", "12"] {
        let e = k.save_contact(contact(Role::Backup, bad)).unwrap_err().to_command_error();
        assert_eq!(e.code, "invalid", "{bad}");
    }
    let mut bad_email = contact(Role::Backup, "");
    bad_email.email = "not an email".into();
    assert_eq!(k.save_contact(bad_email).unwrap_err().to_command_error().code, "invalid");
    assert!(k.get_contacts().unwrap().backup.is_none());
}

#[test]
fn help_links_are_bundled() {
    assert_eq!(Kindred::help_link("988-text").unwrap(), "sms:988");
    assert_eq!(Kindred::help_link("samhsa").unwrap(), "tel:+18006624357");
    assert!(Kindred::help_link("../../etc").is_err());
}

#[test]
fn urge_surfing_is_computed_from_stored_times() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let id = k.log_craving(LogCravingReq { intensity: 7 }).unwrap().id.to_string();
    let end = |k: &mut Kindred, i| {
        k.end_surf(kindred_core::ipc::EndSurfReq { id: id.clone(), end_intensity: i })
    };
    assert_eq!(end(&mut k, 2).unwrap_err().to_command_error().code, "not_found");
    k.start_surf(CravingRef { id: id.clone() }).unwrap();
    let started = k.craving_detail(CravingRef { id: id.clone() }).unwrap().surf_started_ms;
    // The app is closed and reopened 12 minutes later: the start is the same.
    drop(k);
    c.advance(chrono::Duration::minutes(12));
    let mut k = open(dir.path(), &c, TZ);
    k.start_surf(CravingRef { id: id.clone() }).unwrap();
    let v = k.craving_detail(CravingRef { id: id.clone() }).unwrap();
    assert_eq!(v.surf_started_ms, started);
    assert_eq!(v.now_ms - started.unwrap(), 12 * 60 * 1000);
    assert_eq!(end(&mut k, 11).unwrap_err().to_command_error().code, "invalid");
    end(&mut k, 2).unwrap();
    let v = k.craving_detail(CravingRef { id }).unwrap();
    assert_eq!(v.surf_ended_ms.unwrap() - v.surf_started_ms.unwrap(), 12 * 60 * 1000);
    assert_eq!((v.intensity, v.end_intensity), (7, Some(2)));
}

#[test]
fn check_ins_goals_and_plan() {
    use kindred_core::ipc::{AddGoalReq, AddPlanItemReq, CheckInReq, ItemRef, SetGoalStatusReq};
    use kindred_core::model::plan::{GoalStatus, Section};
    use kindred_core::model::tracker::Halt;
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open(dir.path(), &c, TZ);
    let ok = CheckInReq {
        mood: 4,
        craving: false,
        halt: vec![Halt::Tired, Halt::Tired],
        line: " ok ".into(),
    };
    k.check_in(ok.clone()).unwrap();
    for bad in [
        CheckInReq { mood: 0, ..ok.clone() },
        CheckInReq { mood: 6, ..ok.clone() },
        CheckInReq { line: "x".repeat(281), ..ok.clone() },
    ] {
        assert_eq!(k.check_in(bad).unwrap_err().to_command_error().code, "invalid");
    }
    let list = k.check_ins().unwrap().entries;
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].mood, list[0].halt.clone(), list[0].line.as_deref()),
        (4, vec![Halt::Tired], Some("ok"))
    );

    k.add_goal(AddGoalReq { text: "Sleep by 11".into() }).unwrap();
    assert_eq!(
        k.add_goal(AddGoalReq { text: "  ".into() }).unwrap_err().to_command_error().message,
        "Please write something first."
    );
    let goal = k.get_plan().unwrap().goals[0].clone();
    k.set_goal_status(SetGoalStatusReq { id: goal.id.to_string(), status: GoalStatus::Done })
        .unwrap();
    assert_eq!(k.get_plan().unwrap().goals[0].status, GoalStatus::Done);
    let unknown = "0190f5b2-7c4e-7a00-8000-00000000000a".to_owned();
    let e = k.set_goal_status(SetGoalStatusReq { id: unknown.clone(), status: GoalStatus::Paused });
    assert_eq!(e.unwrap_err().to_command_error().code, "not_found");

    k.add_plan_item(AddPlanItemReq {
        section: Section::WarningSigns,
        text: "Skipping meals".into(),
    })
    .unwrap();
    k.add_plan_item(AddPlanItemReq { section: Section::WarningSigns, text: "Isolating".into() })
        .unwrap();
    let plan = k.get_plan().unwrap();
    assert_eq!(plan.sections.len(), 5);
    let signs: Vec<_> = plan.sections[0].items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(signs, ["Skipping meals", "Isolating"], "in the order added");
    k.delete_plan_item(ItemRef { id: plan.sections[0].items[0].id.to_string() }).unwrap();
    assert_eq!(k.get_plan().unwrap().sections[0].items.len(), 1);
    assert_eq!(
        k.delete_plan_item(ItemRef { id: unknown }).unwrap_err().to_command_error().code,
        "not_found"
    );
    for _ in 1..50 {
        k.add_plan_item(AddPlanItemReq { section: Section::Reasons, text: "r".into() }).unwrap();
    }
    let e = k.add_plan_item(AddPlanItemReq { section: Section::Reasons, text: "one more".into() });
    assert!(e.is_ok(), "50 fit");
    let e = k.add_plan_item(AddPlanItemReq { section: Section::Reasons, text: "too many".into() });
    assert_eq!(e.unwrap_err().to_command_error().code, "invalid");
    k.delete_goal(ItemRef { id: goal.id.to_string() }).unwrap();
    assert!(k.get_plan().unwrap().goals.is_empty());
}
