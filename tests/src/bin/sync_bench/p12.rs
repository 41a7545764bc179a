//! P12 (issue 11): the mentor's caseload page on the server at 50 assigned mentees, each with
//! a year of data (a tracker, settings, a check-in a day, three cravings a day, goals and plan)
//! and a grant of every category. Ours: `Service::caseload` (authorization reads, consented
//! records, signals, one disclosure row per mentee, commit). Baseline: the same SQL bare in one
//! read transaction (the policy's two reads, each mentee's records of the same entities and
//! days, the
//! last-activity and last-sync reads), no parsing, no signals, no disclosure rows. In-process
//! `Service` (the page's server time, without HTTP or template rendering), SQLite, and
//! PostgreSQL when `--pg` is given. Alternating A/B.

use std::sync::Arc;

use kindred_core::consent::Category;
use kindred_server::db::{self, run, Mode, Storage};
use kindred_server::policy;
use kindred_server::service::mentor_sql;
use kindred_server::{PersonRole, Service};

use super::*;

/// Mentees on the caseload.
const MENTEES: usize = 50;
/// Days of data per mentee.
const DAYS: i64 = 365;
/// Ratio target (ours / bare medians): the page does the reads plus signals and 50 appends.
const RATIO_MAX: f64 = 3.0;

/// A UUIDv7 of instant `at`, as a phone mints it when an entry is made.
fn uid_at(at: i64) -> uuid::Uuid {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    let mut rand = [0u8; 10];
    rand[2..].copy_from_slice(&n);
    uuid::Builder::from_unix_timestamp_millis(at as u64, &rand).into_uuid()
}

fn uid() -> uuid::Uuid {
    uid_at(now_ms())
}

fn change_at(entity: &str, id: &str, at: i64, fields: Value) -> WireChange {
    WireChange {
        change_id: ChangeId(uid_at(at)),
        entity: entity.into(),
        entity_version: 1,
        record_id: id.into(),
        op: Op::Create,
        cl: 1,
        hlc: Hlc::new(at as u64, 0),
        base_row_seq: None,
        fields: fields.as_object().cloned().unwrap_or_default(),
    }
}

fn year_of_data(rng: &mut Rng, now: i64) -> Vec<WireChange> {
    let day = 86_400_000i64;
    let start = now - DAYS * day;
    let id = || uid().to_string();
    let mut out = vec![
        change_at(
            "tracker",
            &id(),
            start,
            json!({"label": "Me",
            "start": {"local": "2025-12-01T09:00:00", "tz": "America/Chicago"}, "ladder": {"kind": "default"}}),
        ),
        change_at(
            "settings",
            &id(),
            start,
            json!({"tz": "America/Chicago", "milestone_reminders": true,
            "reminder_time": "09:00:00", "discreet": true}),
        ),
    ];
    for g in 0..5 {
        out.push(change_at(
            "goal",
            &id(),
            start,
            json!({"text": format!("goal {g}"), "status": "active"}),
        ));
    }
    for d in 0..DAYS {
        let t = start + d * day + 20 * 3_600_000;
        out.push(change_at("check_in", &uid_at(t).to_string(), t, json!({"at": t, "tz": "America/Chicago",
            "mood": 1 + (rng.next_u64() % 5) as i64, "craving": rng.chance(0.4), "halt": [], "line": "ok"})));
        for c in 0..3 {
            let t = start + d * day + c * 5 * 3_600_000;
            out.push(change_at("craving", &uid_at(t).to_string(), t, json!({"started_at": t, "tz": "America/Chicago",
                "intensity": (rng.next_u64() % 11) as i64, "triggers": ["stress"], "tags": [], "coping": ["walk"]})));
        }
    }
    out
}

fn seed(db: Arc<dyn Storage>, rng: &mut Rng) -> (Service, String, Vec<String>) {
    let svc = Service::open(db, Arc::new(kindred_server::SystemClock), [7; 32]).unwrap();
    let program = svc.create_program("Bench").unwrap();
    let mentor = svc.create_person(&program, PersonRole::Mentor, "Robin").unwrap();
    let now = now_ms();
    let mut mentees = Vec::new();
    for i in 0..MENTEES {
        let mentee = svc.create_person(&program, PersonRole::Mentee, &format!("M-{i:02}")).unwrap();
        let assignment = svc.assign(&mentor, &mentee).unwrap();
        let code = svc.invite(&mentee, 3_600_000).unwrap();
        let e = svc
            .enrol(&kindred_core::sync::wire::EnrolRequest {
                code,
                device_id: uid().to_string(),
                app_version: "bench".into(),
            })
            .unwrap();
        let auth = svc.authenticate(&e.tokens.access_token).unwrap();
        let mut changes = year_of_data(rng, now);
        let cats: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        changes.push(change_at(
            "consent_event",
            &uid().to_string(),
            now - 1000,
            json!({"action": "grant", "assignment_id": assignment, "recipient": mentor,
                   "categories": cats, "purpose": "peer recovery support", "signed_at": now - 1000,
                   "app_version": "bench", "text_version": 1}),
        ));
        for batch in changes.chunks(250) {
            let req = PushRequest {
                device_id: auth.device_id.clone(),
                epoch: svc.epoch().to_owned(),
                changes: batch.to_vec(),
            };
            svc.push(&auth, &req).unwrap();
        }
        mentees.push(mentee);
    }
    (svc, mentor, mentees)
}

/// The caseload's SQL, bare.
fn bare(db: &dyn Storage, mentor: &str, mentees: &[String], now: i64) -> usize {
    run(db, Mode::Read, |tx| {
        let mut n = tx.query(policy::ASSIGNED_SQL, &[mentor.into(), "".into()])?.len();
        n += tx.query(policy::CONSENTED_SQL, &[mentor.into(), "".into(), now.into()])?.len();
        for m in mentees {
            let scope = format!("user:{m}");
            for e in ["settings", "tracker", "tracker_reset"] {
                n += tx.query(mentor_sql::RECORDS, &[scope.as_str().into(), e.into()])?.len();
            }
            for (e, days) in [("check_in", 31), ("craving", 43)] {
                let floor = mentor_sql::id_floor(now - days * 86_400_000);
                n += tx
                    .query(
                        mentor_sql::RECORDS_SINCE,
                        &[scope.as_str().into(), e.into(), floor.into()],
                    )?
                    .len();
            }
            n += tx.query(mentor_sql::LAST_ACTIVITY, &[scope.as_str().into()])?.len();
            n += tx.query(mentor_sql::LAST_SYNC, &[m.as_str().into()])?.len();
            n += tx.query(mentor_sql::GRANT_FIELDS, &[scope.as_str().into(), "".into()])?.len();
        }
        Ok(n)
    })
    .unwrap()
}

fn one(a: &Args, backend: &str, db: Arc<dyn Storage>) -> Value {
    let mut rng = Rng::new(a.seed);
    let t = Instant::now();
    let (svc, mentor, mentees) = seed(db.clone(), &mut rng);
    eprintln!(
        "kindred-sync-bench: P12 {backend}: seeded {MENTEES} mentees in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    let runs = a.runs.max(5);
    for _ in 0..runs {
        let t = Instant::now();
        let c = svc.caseload(&mentor).unwrap();
        ours.push(us(t));
        assert_eq!(c.rows.len(), MENTEES);
        let t = Instant::now();
        std::hint::black_box(bare(&*db, &mentor, &mentees, now_ms()));
        base.push(us(t));
    }
    result(
        &format!("P12-{backend}"),
        &format!("The mentor's caseload page on the server ({backend}): {MENTEES} mentees with a year of data each, every category shared"),
        "the same SQL bare in one read transaction (no signals, no disclosure rows)",
        a,
        ours,
        base,
        RATIO_MAX,
        Some(250_000.0),
        json!({"mentees": MENTEES, "days": DAYS, "records_per_mentee": 2 + 5 + DAYS * 4}),
    )
}

pub fn p12(a: &Args) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::open(dir.path().join("p12.sqlite3").to_str().unwrap()).unwrap();
    let mut out = vec![one(a, "sqlite", sqlite)];
    if let Some(url) = &a.pg {
        out.push(one(a, "postgres", db::open(url).unwrap()));
    }
    out
}
