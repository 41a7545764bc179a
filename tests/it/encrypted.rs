//! The encrypted store on real files (SECURITY.md KY-1..KY-5, PR-5): canaries put into every
//! text field are nowhere in the data folder, the file is not plain SQLite, a wrong key and a
//! damaged file are told apart, the keystore is the only home of the key, a plain file of an
//! older Kindred is encrypted in place (also when killed at random points), and deleted
//! content is gone from the raw pages once its undo window is over.

use std::path::Path;
use std::process::Command;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::keys::{CredentialStore, DbKey, MemoryCreds, DB_KEY};
use kindred_client::{db_path, Error, Kindred};
use kindred_core::ipc::{
    AddGoalReq, AddPlanItemReq, CheckInReq, CravingRef, CreateTrackerReq, DebriefRef, ItemRef,
    LogCravingReq, ResetTrackerReq, SaveContactReq, SaveCravingReq, TrackerRef,
};
use kindred_core::model::contact::Role;
use kindred_core::model::craving::{Outcome, Trigger};
use kindred_core::model::ladder::Ladder;
use kindred_core::model::plan::Section;
use kindred_core::model::UNDO_WINDOW_MS;
use kindred_tests::{open_device, options, ManualClock};

const TZ: Tz = chrono_tz::Europe::Berlin;

fn clock() -> ManualClock {
    ManualClock::at(Utc.with_ymd_and_hms(2026, 10, 20, 9, 0, 0).unwrap())
}

/// Every byte of every file under `dir`, file by file.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out
}

/// The files under `dir` that contain `needle`.
fn hits(dir: &Path, needle: &str) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|(_, b)| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(p, _)| p.display().to_string())
        .collect()
}

/// Ids of what [`fill`] wrote that can be deleted.
struct Filled {
    tracker: String,
    cravings: Vec<String>,
    goal: String,
    plan_item: String,
    check_in: String,
}

/// Puts `CANARY-<field>` into every text field the mentee can write.
fn fill(k: &mut Kindred) -> Filled {
    let tracker = k
        .create_tracker(CreateTrackerReq {
            label: "CANARY-tracker-label".into(),
            start_local: "2026-05-01T20:00".into(),
            tz: None,
            ladder: Ladder::Default,
        })
        .unwrap()
        .to_string();
    k.reset_tracker(ResetTrackerReq {
        id: tracker.clone(),
        lapse_local: "2026-07-04T23:30".into(),
        new_start_local: None,
        halt: vec![],
        what_happened: "CANARY-reset-what-happened".into(),
        differently: "CANARY-reset-differently".into(),
    })
    .unwrap();
    let mut cravings = Vec::new();
    for n in 0..2 {
        let id = k.log_craving(LogCravingReq { intensity: 7 }).unwrap().id.to_string();
        k.save_craving(SaveCravingReq {
            id: id.clone(),
            triggers: vec![Trigger::Stress],
            tags: vec![format!("CANARY-craving-tag-{n}")],
            place: format!("CANARY-craving-place-{n}"),
            with_whom: format!("CANARY-craving-with-{n}"),
            coping: vec![format!("CANARY-craving-coping-{n}")],
            outcome: Some(Outcome::RodeItOut),
            end_intensity: Some(2),
            note: format!("CANARY-craving-note-{n}"),
        })
        .unwrap();
        cravings.push(id);
    }
    k.save_contact(SaveContactReq {
        role: Role::Primary,
        name: "CANARY-contact-name".into(),
        phone: "+15555550100".into(),
        sms: String::new(),
        email: "canary-contact@example.org".into(),
        hours_days: vec![],
        hours_from: String::new(),
        hours_to: String::new(),
        note: "CANARY-contact-note".into(),
    })
    .unwrap();
    k.check_in(CheckInReq {
        mood: 3,
        craving: false,
        halt: vec![],
        line: "CANARY-check-in".into(),
    })
    .unwrap();
    k.add_goal(AddGoalReq { text: "CANARY-goal".into() }).unwrap();
    k.add_plan_item(AddPlanItemReq { section: Section::Reasons, text: "CANARY-plan".into() })
        .unwrap();
    let plan = k.get_plan().unwrap();
    let check_in = k.check_ins().unwrap().entries[0].id.clone();
    Filled {
        check_in,
        tracker,
        cravings,
        goal: plan.goals[0].id.to_string(),
        plan_item: plan.sections.iter().flat_map(|s| &s.items).next().unwrap().id.to_string(),
    }
}

#[test]
fn an_encrypted_store_keeps_no_canary_anywhere_in_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    {
        let mut k = open_device(dir.path(), options(&c, TZ)).unwrap();
        fill(&mut k);
        // While open (WAL and shm present) and after closing.
        assert_eq!(hits(dir.path(), "CANARY"), Vec::<String>::new());
    }
    assert_eq!(hits(dir.path(), "CANARY"), Vec::<String>::new());
    assert_eq!(hits(dir.path(), "canary-contact"), Vec::<String>::new());
    let head = std::fs::read(db_path(dir.path())).unwrap();
    assert_ne!(&head[..16], b"SQLite format 3\0", "the file must not be plain SQLite");
    // It reads back with its key.
    let mut k = open_device(dir.path(), options(&c, TZ)).unwrap();
    assert_eq!(k.get_plan().unwrap().goals[0].text, "CANARY-goal");
}

#[test]
fn a_wrong_key_and_a_damaged_file_are_told_apart_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    drop(open_device(dir.path(), options(&c, TZ)).unwrap());
    let path = db_path(dir.path());
    let before = std::fs::read(&path).unwrap();

    let other = DbKey::from_bytes([0x11; 32]);
    let err = open_device(dir.path(), options(&c, TZ).with_key(other)).unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    assert_eq!(err.to_command_error().code, "wrong_key");
    assert_eq!(std::fs::read(&path).unwrap(), before, "a wrong key changes nothing");
    // Opened without any key, the encrypted file is not taken for an empty or plain one.
    let plain = kindred_client::store::Store::open(&path, &Default::default());
    assert!(plain.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // Truncated in the middle of a page: damaged, not a key problem.
    let cut = &before[..before.len() - 1000];
    std::fs::write(&path, cut).unwrap();
    let err = open_device(dir.path(), options(&c, TZ)).unwrap_err();
    assert!(matches!(err, Error::Corrupt), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), cut);

    // A flipped bit in the first page with the right key: damaged (the file names its key).
    let mut flipped = before.clone();
    flipped[100] ^= 0x04;
    std::fs::write(&path, &flipped).unwrap();
    let err = open_device(dir.path(), options(&c, TZ)).unwrap_err();
    assert!(matches!(err, Error::Corrupt), "{err:?}");
    // The same with another key: a key problem.
    let err =
        open_device(dir.path(), options(&c, TZ).with_key(DbKey::from_bytes([3; 32]))).unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
}

/// A keystore that can't be used.
struct NoKeystore;
impl CredentialStore for NoKeystore {
    fn get(&self, _: &str) -> Result<Option<String>, kindred_client::keys::CredError> {
        Err(kindred_client::keys::CredError("locked".into()))
    }
    fn set(&self, _: &str, _: &str) -> Result<(), kindred_client::keys::CredError> {
        Err(kindred_client::keys::CredError("locked".into()))
    }
    fn delete(&self, _: &str) -> Result<(), kindred_client::keys::CredError> {
        Err(kindred_client::keys::CredError("locked".into()))
    }
}

#[test]
fn the_key_lives_in_the_keystore_and_nowhere_else() {
    let c = clock();
    // No keystore: nothing is written to disk, and the app can still run for the session.
    let dir = tempfile::tempdir().unwrap();
    let err = Kindred::open_with_keystore(dir.path(), options(&c, TZ), &NoKeystore).unwrap_err();
    assert!(matches!(err, Error::KeystoreUnavailable), "{err:?}");
    assert!(files(dir.path()).is_empty(), "nothing may be persisted without the keystore");
    let mut session = Kindred::session_only(options(&c, TZ)).unwrap();
    session.add_goal(AddGoalReq { text: "CANARY-session".into() }).unwrap();
    assert!(files(dir.path()).is_empty());

    // Two installs get two different keys, each only in its keystore.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ca, cb) = (MemoryCreds::default(), MemoryCreds::default());
    let mut ka = Kindred::open_with_keystore(a.path(), options(&c, TZ), &ca).unwrap();
    fill(&mut ka);
    drop(ka);
    drop(Kindred::open_with_keystore(b.path(), options(&c, TZ), &cb).unwrap());
    let key_a = ca.get(DB_KEY).unwrap().unwrap();
    assert_ne!(Some(key_a.clone()), cb.get(DB_KEY).unwrap());
    assert_eq!(hits(a.path(), &key_a), Vec::<String>::new(), "the key is in no file");
    assert_eq!(hits(a.path(), "CANARY"), Vec::<String>::new());
    // It opens again with its keystore, and not with another one.
    assert!(Kindred::open_with_keystore(a.path(), options(&c, TZ), &ca).is_ok());
    let err = Kindred::open_with_keystore(a.path(), options(&c, TZ), &cb).unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    // Keystore wiped (a restored backup, a new phone): a key problem, the file kept as it was.
    let before = std::fs::read(db_path(a.path())).unwrap();
    let empty = MemoryCreds::default();
    let err = Kindred::open_with_keystore(a.path(), options(&c, TZ), &empty).unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    assert_eq!(empty.get(DB_KEY).unwrap(), None, "no new key is made over an existing store");
    assert_eq!(std::fs::read(db_path(a.path())).unwrap(), before);
}

/// A plain store of an older Kindred, with data, at `dir`.
fn plain_store(dir: &Path, c: &ManualClock, cravings: usize) {
    let mut k = open_device(dir, kindred_tests::plain_options(c, TZ)).unwrap();
    fill(&mut k);
    for i in 0..cravings {
        k.log_craving(LogCravingReq { intensity: (i % 11) as i64 }).unwrap();
    }
    drop(k);
    let head = std::fs::read(db_path(dir)).unwrap();
    assert_eq!(&head[..16], b"SQLite format 3\0");
}

#[test]
fn a_plain_store_is_encrypted_in_place_at_first_open() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    plain_store(dir.path(), &c, 10);
    assert!(!hits(dir.path(), "CANARY").is_empty(), "the old file is plain");
    let creds = MemoryCreds::default();
    let mut k = Kindred::open_with_keystore(dir.path(), options(&c, TZ), &creds).unwrap();
    assert_eq!(k.get_plan().unwrap().goals[0].text, "CANARY-goal");
    assert_eq!(count_cravings(&mut k), 12);
    drop(k);
    assert_eq!(hits(dir.path(), "CANARY"), Vec::<String>::new(), "no plain copy is left");
    let names: Vec<String> = files(dir.path())
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".encrypting")), "{names:?}");
}

#[test]
fn kill_9_while_encrypting_in_place_leaves_the_old_or_the_new_file() {
    let c = clock();
    let fixture = tempfile::tempdir().unwrap();
    plain_store(fixture.path(), &c, 4000);
    let plain = std::fs::read(db_path(fixture.path())).unwrap();
    // How long one migration takes here, so the kills land all over it.
    let timed = tempfile::tempdir().unwrap();
    std::fs::write(db_path(timed.path()), &plain).unwrap();
    let started = Instant::now();
    let ok = Command::new(env!("CARGO_BIN_EXE_kindred-encrypter")).arg(timed.path()).status();
    assert!(ok.unwrap().success());
    let full = started.elapsed().as_micros().max(2000) as u64;

    let mut seen = (0, 0);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(db_path(dir.path()), &plain).unwrap();
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_kindred-encrypter")).arg(dir.path()).spawn().unwrap();
        std::thread::sleep(StdDuration::from_micros(seed % (full + full / 4)));
        let _ = child.kill();
        child.wait().unwrap();
        let head = std::fs::read(db_path(dir.path())).unwrap();
        let expected = 4000 + 2;
        if head.starts_with(b"SQLite format 3\0") {
            seen.0 += 1;
            // The old plain file, whole.
            let mut k = open_device(dir.path(), kindred_tests::plain_options(&c, TZ)).unwrap();
            assert_eq!(count_cravings(&mut k), expected, "round {round}: plain file intact");
        } else {
            seen.1 += 1;
        }
        // Either way the next start finishes the job with all the data.
        let mut k = open_device(dir.path(), options(&c, TZ)).unwrap();
        assert_eq!(count_cravings(&mut k), expected, "round {round}");
        drop(k);
        assert_eq!(hits(dir.path(), "CANARY"), Vec::<String>::new(), "round {round}");
    }
    eprintln!(
        "kill -9 while encrypting: {} rounds found the plain file, {} the encrypted",
        seen.0, seen.1
    );
}

fn count_cravings(k: &mut Kindred) -> usize {
    k.store_mut()
        .read(|tx| {
            Ok(tx.query_row("SELECT count(*) FROM craving WHERE cl = 1", [], |r| {
                r.get::<_, i64>(0)
            })?)
        })
        .unwrap() as usize
}

#[test]
fn deleted_content_is_gone_from_the_raw_pages_after_the_undo_window() {
    // Plain SQLite on purpose: the raw pages can be read. The encrypted store runs the same
    // delete, wipe and checkpoint code.
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open_device(dir.path(), kindred_tests::plain_options(&c, TZ)).unwrap();
    let f = fill(&mut k);
    for id in &f.cravings {
        k.delete_craving(CravingRef { id: id.clone() }).unwrap();
    }
    k.delete_tracker(TrackerRef { id: f.tracker.clone() }).unwrap();
    k.delete_goal(ItemRef { id: f.goal.clone() }).unwrap();
    k.delete_plan_item(ItemRef { id: f.plan_item.clone() }).unwrap();
    k.delete_check_in(ItemRef { id: f.check_in.clone() }).unwrap();
    // Goals, plan entries and check-ins have no undo: gone at once.
    assert_eq!(hits(dir.path(), "CANARY-goal"), Vec::<String>::new());
    assert_eq!(hits(dir.path(), "CANARY-check-in"), Vec::<String>::new());
    assert_eq!(hits(dir.path(), "CANARY-plan"), Vec::<String>::new());
    // Cravings and trackers wait out the undo window, and can come back inside it.
    assert!(!hits(dir.path(), "CANARY-craving-place-0").is_empty());
    k.undo_delete_craving(CravingRef { id: f.cravings[1].clone() }).unwrap();
    c.advance(Duration::milliseconds(UNDO_WINDOW_MS + 1));
    let err = k.undo_delete_tracker(TrackerRef { id: f.tracker.clone() }).unwrap_err();
    assert!(matches!(err, Error::UndoExpired), "{err:?}");
    assert!(k.purge_deleted().unwrap() > 0);
    for canary in [
        "CANARY-craving-place-0",
        "CANARY-craving-note-0",
        "CANARY-craving-with-0",
        "CANARY-craving-tag-0",
        "CANARY-tracker-label",
        "CANARY-reset-what-happened",
        "CANARY-reset-differently",
    ] {
        assert_eq!(hits(dir.path(), canary), Vec::<String>::new(), "{canary}");
    }
    // What was not deleted is still there, and the deletes still go to the server.
    assert!(!hits(dir.path(), "CANARY-craving-place-1").is_empty());
    assert!(!hits(dir.path(), "CANARY-contact-name").is_empty());
    let deletes = k
        .store_mut()
        .read(|tx| {
            Ok(tx.query_row("SELECT count(*) FROM outbox WHERE op = 'delete'", [], |r| {
                r.get::<_, i64>(0)
            })?)
        })
        .unwrap();
    assert_eq!(deletes, 5, "one craving, the tracker, the goal, the plan entry, the check-in");
    drop(k);
    // Reopening finds the same (and the wiped rows stay out of every view).
    let mut k = open_device(dir.path(), kindred_tests::plain_options(&c, TZ)).unwrap();
    assert_eq!(count_cravings(&mut k), 1);
    assert!(k.today().unwrap().trackers.is_empty());
}

#[test]
fn removing_a_lapse_debrief_wipes_its_text_and_keeps_the_lapse() {
    // Plain SQLite on purpose, as above: the raw pages can be read.
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open_device(dir.path(), kindred_tests::plain_options(&c, TZ)).unwrap();
    let f = fill(&mut k);
    let detail = k.tracker_detail(TrackerRef { id: f.tracker.clone() }).unwrap();
    let ended = detail.attempts.iter().find(|a| a.debrief_id.is_some()).expect("a debrief");
    let reset = ended.debrief_id.clone().unwrap();
    assert!(!hits(dir.path(), "CANARY-reset-what-happened").is_empty());
    // Another tracker's id, or a made-up lapse, removes nothing.
    let other = k
        .create_tracker(CreateTrackerReq {
            label: "Other".into(),
            start_local: "2026-05-01T20:00".into(),
            tz: None,
            ladder: Ladder::Default,
        })
        .unwrap()
        .to_string();
    let err =
        k.delete_debrief(DebriefRef { tracker_id: other, reset_id: reset.clone() }).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    k.delete_debrief(DebriefRef { tracker_id: f.tracker.clone(), reset_id: reset.clone() })
        .unwrap();
    for canary in ["CANARY-reset-what-happened", "CANARY-reset-differently"] {
        assert_eq!(hits(dir.path(), canary), Vec::<String>::new(), "{canary}");
    }
    // The lapse stays in the history; only its notes went. A second remove finds nothing.
    let after = k.tracker_detail(TrackerRef { id: f.tracker.clone() }).unwrap();
    assert_eq!(after.attempts.len(), detail.attempts.len());
    assert!(after.attempts.iter().all(|a| a.what_happened.is_none() && a.debrief_id.is_none()));
    let again = k.delete_debrief(DebriefRef { tracker_id: f.tracker, reset_id: reset });
    assert!(matches!(again, Err(Error::NotFound(_))), "{again:?}");
    assert!(!hits(dir.path(), "CANARY-tracker-label").is_empty());
}
