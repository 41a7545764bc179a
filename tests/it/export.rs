//! Export and import on real files: a full export imported into a fresh data folder gives the
//! same data; truncated, newer, hostile or contradictory files are refused and change nothing.

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::Kindred;
use kindred_core::ipc::{
    AddGoalReq, AddPlanItemReq, CheckInReq, CreateTrackerReq, LogCravingReq, ResetTrackerReq,
    SaveContactReq, SaveCravingReq,
};
use kindred_core::model::contact::Role;
use kindred_core::model::craving::{Outcome, Trigger};
use kindred_core::model::ladder::{Ladder, Span};
use kindred_core::model::plan::Section;
use kindred_core::model::tracker::Halt;
use kindred_tests::{open, ManualClock};

const TZ: Tz = chrono_tz::America::Chicago;

fn clock() -> ManualClock {
    ManualClock::at(Utc.with_ymd_and_hms(2026, 9, 1, 15, 0, 0).unwrap())
}

/// A store with one of everything, in odd text.
fn filled(dir: &std::path::Path, c: &ManualClock) -> Kindred {
    let mut k = open(dir, c, TZ);
    let mut s = k.get_settings().unwrap();
    s.checkin_reminder = true;
    s.reminder_time = "10:15".into();
    k.save_settings(s).unwrap();
    let t = k
        .create_tracker(CreateTrackerReq {
            label: "Gambling 🎲".into(),
            start_local: "2026-05-01T20:00".into(),
            tz: None,
            ladder: Ladder::Custom(vec![Span::Days(3), Span::Days(45)]),
        })
        .unwrap();
    k.reset_tracker(ResetTrackerReq {
        id: t.to_string(),
        lapse_local: "2026-07-04T23:30".into(),
        new_start_local: Some("2026-07-05T09:00".into()),
        halt: vec![Halt::Angry],
        what_happened: "=cmd|' /C calc'!A0 and a \"quote\", a comma\nand a newline".into(),
        differently: "שלום".into(),
    })
    .unwrap();
    let id = k.log_craving(LogCravingReq { intensity: 9 }).unwrap().id.to_string();
    k.save_craving(SaveCravingReq {
        id,
        triggers: vec![Trigger::Celebration],
        tags: vec!["wedding".into()],
        place: "Hall".into(),
        with_whom: "cousins 👨‍👩‍👧".into(),
        coping: vec!["Went for a walk".into(), "+1 my own".into()],
        outcome: Some(Outcome::NotSure),
        end_intensity: Some(4),
        note: "private".into(),
    })
    .unwrap();
    c.advance(Duration::minutes(5));
    k.log_craving(LogCravingReq { intensity: 0 }).unwrap();
    k.save_contact(SaveContactReq {
        role: Role::Backup,
        name: "Ana".into(),
        phone: "+52 55 1234 5678".into(),
        sms: String::new(),
        email: String::new(),
        hours_days: vec![5, 6],
        hours_from: "22:00".into(),
        hours_to: "02:00".into(),
        note: "weekends".into(),
    })
    .unwrap();
    k.check_in(CheckInReq {
        mood: 2,
        craving: true,
        halt: vec![Halt::Tired],
        line: "long day".into(),
    })
    .unwrap();
    k.add_goal(AddGoalReq { text: "Walk every morning".into() }).unwrap();
    k.add_plan_item(AddPlanItemReq { section: Section::People, text: "Ana".into() }).unwrap();
    k.add_plan_item(AddPlanItemReq { section: Section::Reasons, text: "My kids".into() }).unwrap();
    k
}

#[test]
fn export_then_import_into_a_fresh_folder_gives_the_same_data() {
    let c = clock();
    let a = tempfile::tempdir().unwrap();
    let mut k = filled(a.path(), &c);
    let json = k.export_json().unwrap();
    let first = k.export().unwrap();

    let b = tempfile::tempdir().unwrap();
    let mut fresh = open(b.path(), &c, TZ);
    let summary = fresh.import_json(json.as_bytes()).unwrap();
    assert_eq!((summary.trackers, summary.cravings, summary.check_ins), (1, 2, 1));
    let second = fresh.export().unwrap();
    assert_eq!(first, second, "every record and field survives the round trip");
    // The views agree too.
    assert_eq!(k.today().unwrap(), fresh.today().unwrap());
    assert_eq!(k.craving_log().unwrap(), fresh.craving_log().unwrap());
    assert_eq!(k.insights().unwrap(), fresh.insights().unwrap());
    assert_eq!(k.get_plan().unwrap(), fresh.get_plan().unwrap());
    assert_eq!(k.get_settings().unwrap(), fresh.get_settings().unwrap());
    // A second import is refused: nothing is overwritten.
    let e = fresh.import_json(json.as_bytes()).unwrap_err().to_command_error();
    assert!(e.message.contains("fresh install"), "{e:?}");
    assert_eq!(fresh.export().unwrap(), second);
}

#[test]
fn bad_import_files_are_refused_and_change_nothing() {
    let c = clock();
    let a = tempfile::tempdir().unwrap();
    let json = filled(a.path(), &c).export_json().unwrap();
    let b = tempfile::tempdir().unwrap();
    let mut fresh = open(b.path(), &c, TZ);
    let before = fresh.export().unwrap();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let newer = json.replacen("\"version\": 1", "\"version\": 2", 1);
    let wrong_type = json.replacen("\"intensity\": 9", "\"intensity\": \"9\"", 1);
    let out_of_range = json.replacen("\"intensity\": 9", "\"intensity\": 11", 1);
    let unknown = json.replacen("\"format\"", "\"owner_id\": 7, \"format\"", 1);
    let not_ours = json.replacen("kindred-export", "something-else", 1);
    let orphan = {
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["trackers"] = serde_json::json!([]);
        v.to_string()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", json.as_bytes()[..json.len() / 2].to_vec(), "cut short"),
        ("empty", Vec::new(), "cut short"),
        ("deep", deep.into_bytes(), "cut short"),
        ("garbage", b"\xff\xfe\x00garbage".to_vec(), "cut short"),
        ("newer", newer.into_bytes(), "newer Kindred"),
        ("wrong type", wrong_type.into_bytes(), "wrong kind"),
        ("out of range", out_of_range.into_bytes(), "0 to 10"),
        ("unknown field", unknown.into_bytes(), "doesn't understand"),
        ("not ours", not_ours.into_bytes(), "isn't a Kindred export"),
        ("orphan reset", orphan.into_bytes(), "contradicts itself"),
    ];
    for (name, bytes, expect) in cases {
        let e = fresh.import_json(&bytes).unwrap_err().to_command_error();
        assert_eq!(e.code, "invalid", "{name}");
        assert!(e.message.contains(expect), "{name}: {}", e.message);
        assert_eq!(fresh.export().unwrap(), before, "{name} changed the store");
    }
    let huge = vec![b' '; kindred_client::export::MAX_BYTES + 1];
    assert!(fresh.import_json(&huge).unwrap_err().to_string().contains("too big"));
}

#[test]
fn csv_per_kind_escapes_formulas_and_keeps_everything() {
    let c = clock();
    let a = tempfile::tempdir().unwrap();
    let files = filled(a.path(), &c).export_csv().unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "trackers.csv",
            "resets.csv",
            "cravings.csv",
            "check_ins.csv",
            "contacts.csv",
            "goals.csv",
            "plan.csv",
            "who-looked.csv"
        ]
    );
    let resets = &files[1].1;
    let mut rdr = csv::Reader::from_reader(resets.as_bytes());
    let row = rdr.records().next().unwrap().unwrap();
    assert!(row[6].starts_with("'=cmd"), "formula cells are defused: {}", &row[6]);
    assert!(row[6].contains("a \"quote\", a comma\nand a newline"));
    let cravings = &files[2].1;
    assert_eq!(csv::Reader::from_reader(cravings.as_bytes()).records().count(), 2);
    assert!(cravings.contains("Went for a walk; +1 my own"));
    assert!(cravings.contains("cousins 👨‍👩‍👧"));
}
