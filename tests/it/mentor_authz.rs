//! The mentor side's authorization (SECURITY.md AZ-2, AZ-3, AZ-4) on both backends, through
//! `Service`: the allow/deny table [`MATRIX`] (actor × view × category), nothing of a refused
//! category in any answer (canaries), exactly one disclosure row per allowed view and none per
//! refusal, revocation, expiry, unassignment and reassignment, and ledger rules for consent
//! events. `mentor_consent_prop` checks the consent state machine against the core reference.

use std::collections::BTreeSet;
use std::sync::Arc;

use kindred_core::consent::Category;
use kindred_core::ids::ChangeId;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{ErrorCode, PushOutcome, PushRequest, WireChange};
use kindred_server::db::{self, run, Mode, Storage};
use kindred_server::policy::{access, authorize, Action};
use kindred_server::service::{DeviceAuth, MenteePage};
use kindred_server::{Error, PersonRole, Principal, Service, StaffId};
use kindred_tests::sync::ServerClock;
use serde_json::{json, Value};

pub const NOW: i64 = 1_790_000_000_000;
const DAY: i64 = 86_400_000;

pub type Backend = (&'static str, Arc<dyn Storage>, Box<dyn std::any::Any>);

pub fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::open(dir.path().join("s.sqlite3").to_str().unwrap()).unwrap();
    let mut out: Vec<Backend> = vec![("sqlite", sqlite, Box::new(dir))];
    if let Some(pg) = crate::pg::fresh_database() {
        let db = db::open(&pg.url()).unwrap();
        out.push(("postgres", db, Box::new(pg)));
    }
    out
}

pub fn id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::SeqCst);
    uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000u128 | u128::from(n)).to_string()
}

pub fn change(entity: &str, record: &str, hlc_ms: i64, fields: Value) -> WireChange {
    WireChange {
        change_id: ChangeId(id().parse().unwrap()),
        entity: entity.into(),
        entity_version: 1,
        record_id: record.into(),
        op: Op::Create,
        cl: 1,
        hlc: Hlc::new(hlc_ms as u64, 0),
        base_row_seq: None,
        fields: fields.as_object().cloned().unwrap_or_default(),
    }
}

/// A phone of a mentee, enrolled through the service.
pub struct Phone {
    pub auth: DeviceAuth,
}

impl Phone {
    pub fn enrol(svc: &Service, mentee: &str) -> Phone {
        let code = svc.invite(mentee, 3_600_000).unwrap();
        let e = svc
            .enrol(&kindred_core::sync::wire::EnrolRequest {
                code,
                device_id: id(),
                app_version: "t".into(),
            })
            .unwrap();
        Phone { auth: svc.authenticate(&e.tokens.access_token).unwrap() }
    }

    pub fn push(
        &self,
        svc: &Service,
        changes: Vec<WireChange>,
    ) -> Vec<(PushOutcome, Option<ErrorCode>)> {
        let epoch = svc.epoch().to_owned();
        let r = svc
            .push(
                &self.auth,
                &PushRequest { device_id: self.auth.device_id.clone(), epoch, changes },
            )
            .unwrap();
        r.results.into_iter().map(|r| (r.outcome, r.code)).collect()
    }
}

/// A grant event.
pub fn grant(
    assignment: &str,
    mentor: &str,
    cats: &[Category],
    expires: Option<i64>,
) -> WireChange {
    let cats: Vec<&str> = cats.iter().map(|c| c.as_str()).collect();
    change(
        "consent_event",
        &id(),
        NOW - 1000,
        json!({"action": "grant", "assignment_id": assignment, "recipient": mentor,
               "recipient_name": "Robin", "categories": cats, "purpose": "peer recovery support",
               "expires_at": expires, "phone": "+15550101234", "signed_at": NOW - 1000,
               "app_version": "t", "text_version": 1}),
    )
}

pub fn revoke(grant_id: &str) -> WireChange {
    change(
        "consent_event",
        &id(),
        NOW - 500,
        json!({"action": "revoke", "grant_id": grant_id, "signed_at": NOW - 500,
               "app_version": "t", "text_version": 1}),
    )
}

/// One record of every category, each carrying its canary.
fn data(canary: &str) -> Vec<WireChange> {
    let t = NOW - 3 * DAY;
    vec![
        change(
            "tracker",
            &id(),
            t,
            json!({"label": format!("{canary}-milestones"),
            "start": {"local": "2026-01-01T09:00:00", "tz": "UTC"}, "ladder": {"kind": "default"}}),
        ),
        change(
            "check_in",
            &id(),
            t,
            json!({"at": t, "tz": "UTC", "mood": 3, "craving": true,
            "halt": [], "line": format!("{canary}-check_ins")}),
        ),
        change(
            "craving",
            &id(),
            t,
            json!({"started_at": t, "tz": "UTC", "intensity": 6,
            "triggers": [format!("{canary}-craving_details")], "tags": [], "coping": []}),
        ),
        change(
            "goal",
            &id(),
            t,
            json!({"text": format!("{canary}-goals_plan"), "status": "active"}),
        ),
        change(
            "settings",
            &id(),
            t,
            json!({"tz": "UTC", "milestone_reminders": true,
            "reminder_time": "09:00:00", "discreet": true}),
        ),
    ]
}

/// A program: mentees A and B (both assigned to M; A grants M some categories), mentor N
/// (not assigned), and another program with mentor O and mentee C.
pub struct World {
    pub db: Arc<dyn Storage>,
    pub svc: Service,
    pub clock: ServerClock,
    pub a: String,
    pub b: String,
    pub m: String,
    pub n: String,
    pub o: String,
    pub phone_a: Phone,
    pub phone_b: Phone,
    pub assign_a: String,
}

impl World {
    pub fn new(db: Arc<dyn Storage>) -> World {
        let clock = ServerClock::at(NOW);
        let svc = Service::open(db.clone(), Arc::new(clock.clone()), [7; 32])
            .unwrap()
            .with_staff(StaffId::parse("ops").unwrap());
        let p = svc.create_program("Riverside").unwrap();
        let q = svc.create_program("Elsewhere").unwrap();
        let a = svc.create_person(&p, PersonRole::Mentee, "A-1").unwrap();
        let b = svc.create_person(&p, PersonRole::Mentee, "B-2").unwrap();
        let m = svc.create_person(&p, PersonRole::Mentor, "Robin").unwrap();
        let n = svc.create_person(&p, PersonRole::Mentor, "Sam").unwrap();
        let o = svc.create_person(&q, PersonRole::Mentor, "Olu").unwrap();
        let c = svc.create_person(&q, PersonRole::Mentee, "C-3").unwrap();
        let assign_a = svc.assign(&m, &a).unwrap();
        svc.assign(&m, &b).unwrap();
        svc.assign(&o, &c).unwrap();
        assert!(svc.assign(&o, &a).is_err(), "no assignment across programs");
        assert!(svc.assign(&a, &b).is_err(), "a mentee is no mentor");
        let phone_a = Phone::enrol(&svc, &a);
        let phone_b = Phone::enrol(&svc, &b);
        for (ph, canary) in [(&phone_a, "CANARY-A"), (&phone_b, "CANARY-B")] {
            let r = ph.push(&svc, data(canary));
            assert!(r.iter().all(|(o, _)| *o == PushOutcome::Applied), "{r:?}");
        }
        World { db, svc, clock, a, b, m, n, o, phone_a, phone_b, assign_a }
    }

    pub fn disclosures(&self, phone: &Phone) -> usize {
        self.svc.disclosures(&phone.auth, 0, "", 500).unwrap().rows.len()
    }
}

/// What a view answers: the categories it showed, or a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Shows(BTreeSet<Category>),
    NotFound,
}

fn shown(p: &MenteePage) -> BTreeSet<Category> {
    let mut s = BTreeSet::new();
    for (on, c) in [
        (p.trackers.is_some(), Category::Milestones),
        (p.check_ins.is_some(), Category::CheckIns),
        (p.weeks.is_some(), Category::CravingSummary),
        (p.cravings.is_some(), Category::CravingDetails),
        (p.goals.is_some() || p.plan.is_some(), Category::GoalsPlan),
    ] {
        if on {
            s.insert(c);
        }
    }
    s
}

/// The canaries of categories an answer may not contain.
fn leaks(body: &str, canary: &str, allowed: &BTreeSet<Category>) -> Vec<String> {
    Category::ALL
        .iter()
        .filter(|c| !allowed.contains(c))
        .map(|c| format!("{canary}-{}", c.as_str()))
        // The summary shows counts only: its records' text never appears; the detail canary
        // stands for both craving categories.
        .filter(|needle| body.contains(needle.as_str()))
        .collect()
}

/// The actors of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// M with a live grant of {milestones, check_ins, craving_summary} from A.
    Granted,
    /// M after A revoked the grant.
    Revoked,
    /// M after the grant expired.
    Expired,
    /// M after staff ended the assignment.
    Unassigned,
    /// M assigned again: a new assignment starts with nothing.
    Reassigned,
    /// N, a mentor of the program never assigned to A.
    OtherMentor,
    /// O, another program's mentor.
    OtherProgram,
}

const GRANTED: &[Category] = &[Category::Milestones, Category::CheckIns, Category::CravingSummary];

/// The allow/deny table: what each actor's view of mentee A's page shows, and of B (assigned
/// to M, shares nothing).
fn expected(actor: Actor) -> (Seen, Seen) {
    let some = |c: &[Category]| Seen::Shows(c.iter().copied().collect());
    match actor {
        Actor::Granted => (some(GRANTED), some(&[])),
        Actor::Revoked | Actor::Expired | Actor::Reassigned => (some(&[]), some(&[])),
        Actor::Unassigned => (Seen::NotFound, some(&[])),
        Actor::OtherMentor | Actor::OtherProgram => (Seen::NotFound, Seen::NotFound),
    }
}

fn view(w: &World, mentor: &str, mentee: &str) -> (Seen, String) {
    match w.svc.mentee_page(mentor, mentee) {
        Ok(p) => (Seen::Shows(shown(&p)), format!("{p:?}")),
        Err(Error::NotFound(_)) => (Seen::NotFound, String::new()),
        Err(e) => panic!("unexpected {e:?}"),
    }
}

#[test]
fn mentor_authorization_matrix() {
    for (name, db, _keep) in backends() {
        for actor in [
            Actor::Granted,
            Actor::Revoked,
            Actor::Expired,
            Actor::Unassigned,
            Actor::Reassigned,
            Actor::OtherMentor,
            Actor::OtherProgram,
        ] {
            let w = World::new(db.clone());
            let expiry = (actor == Actor::Expired).then_some(NOW + DAY);
            let g = grant(&w.assign_a, &w.m, GRANTED, expiry);
            let gid = g.record_id.clone();
            assert_eq!(w.phone_a.push(&w.svc, vec![g]), vec![(PushOutcome::Applied, None)]);
            match actor {
                Actor::Revoked => {
                    let r = w.phone_a.push(&w.svc, vec![revoke(&gid)]);
                    assert_eq!(r, vec![(PushOutcome::Applied, None)]);
                }
                Actor::Expired => w.clock.advance(DAY),
                Actor::Unassigned => w.svc.unassign(&w.m, &w.a).unwrap(),
                Actor::Reassigned => {
                    w.svc.unassign(&w.m, &w.a).unwrap();
                    let again = w.svc.assign(&w.m, &w.a).unwrap();
                    assert_ne!(again, w.assign_a, "{name}: a new assignment");
                }
                _ => {}
            }
            let mentor = match actor {
                Actor::OtherMentor => w.n.clone(),
                Actor::OtherProgram => w.o.clone(),
                _ => w.m.clone(),
            };
            let (want_a, want_b) = expected(actor);
            for (mentee, phone, canary, want) in
                [(&w.a, &w.phone_a, "CANARY-A", want_a), (&w.b, &w.phone_b, "CANARY-B", want_b)]
            {
                let before = w.disclosures(phone);
                let (got, body) = view(&w, &mentor, mentee);
                assert_eq!(got, want, "{name} {actor:?} {canary}");
                let allowed = match &got {
                    Seen::Shows(s) => s.clone(),
                    Seen::NotFound => BTreeSet::new(),
                };
                assert_eq!(
                    leaks(&body, canary, &allowed),
                    Vec::<String>::new(),
                    "{name} {actor:?}"
                );
                // Every canary of the other mentee is absent whatever was allowed.
                let other = if canary == "CANARY-A" { "CANARY-B" } else { "CANARY-A" };
                assert!(!body.contains(other), "{name} {actor:?}: another mentee's data");
                let rows = w.disclosures(phone) - before;
                let want_rows = usize::from(!allowed.is_empty());
                assert_eq!(rows, want_rows, "{name} {actor:?} {canary}: disclosure rows");
            }
            // The caseload: only assigned mentees, only what they share, one row per mentee
            // whose data fed it.
            let before = w.disclosures(&w.phone_a);
            let cl = w.svc.caseload(&mentor).unwrap();
            let labels: Vec<&str> = cl.rows.iter().map(|r| r.label.as_str()).collect();
            let body = format!("{cl:?}");
            match actor {
                Actor::OtherMentor => assert!(labels.is_empty(), "{name}"),
                Actor::OtherProgram => assert_eq!(labels, ["C-3"], "{name}"),
                Actor::Unassigned => assert_eq!(labels, ["B-2"], "{name}"),
                _ => assert_eq!(labels, ["A-1", "B-2"], "{name}"),
            }
            let a_row = cl.rows.iter().find(|r| r.label == "A-1");
            let granted = actor == Actor::Granted;
            assert_eq!(a_row.is_some_and(|r| r.phone.is_some()), granted, "{name} {actor:?}");
            assert_eq!(
                a_row.map(|r| r.shared.clone()).unwrap_or_default(),
                if granted { GRANTED.iter().copied().collect() } else { BTreeSet::new() },
                "{name} {actor:?}"
            );
            assert!(!body.contains("CANARY"), "{name} {actor:?}: the caseload shows no text");
            assert_eq!(
                w.disclosures(&w.phone_a) - before,
                usize::from(granted),
                "{name} {actor:?}"
            );
            // A's phone reads its own log only; B's log never has A's rows.
            let log_b = w.svc.disclosures(&w.phone_b.auth, 0, "", 500).unwrap();
            assert!(log_b.rows.is_empty(), "{name}: B shares nothing, so no one saw B's data");
        }
    }
}

#[test]
fn mentor_writes_and_other_principals() {
    for (name, db, _keep) in backends() {
        let w = World::new(db.clone());
        let g = grant(&w.assign_a, &w.m, &[Category::CheckIns], None);
        w.phone_a.push(&w.svc, vec![g.clone()]);
        // Milestone messages need the milestones shared.
        let tracker = run(&*db, Mode::Read, |tx| {
            tx.one(
                "SELECT id FROM record WHERE scope_id = $1 AND entity = 'tracker'",
                &[format!("user:{}", w.a).into()],
            )?
            .unwrap()
            .text(0)
        })
        .unwrap();
        let refused = w.svc.leave_message(&w.m, &w.a, &tracker, "d90", "Proud of you");
        assert!(matches!(refused, Err(Error::Forbidden(ErrorCode::NotShared, _))), "{name}");
        let g2 = grant(&w.assign_a, &w.m, &[Category::Milestones], None);
        w.phone_a.push(&w.svc, vec![g2]);
        let script = "<script>alert(1)</script> 90 days!";
        w.svc.leave_message(&w.m, &w.a, &tracker, "d90", script).unwrap();
        assert!(w.svc.leave_message(&w.m, &w.a, &tracker, "d90", "  ").is_err());
        assert!(w.svc.leave_message(&w.m, &w.a, &tracker, "d90", &"x".repeat(501)).is_err());
        assert!(w.svc.leave_message(&w.m, &w.a, &id(), "d90", "hi").is_err(), "unknown tracker");
        assert!(matches!(
            w.svc.leave_message(&w.n, &w.a, &tracker, "d90", "hi"),
            Err(Error::NotFound(_))
        ));
        // The phone pulls the message (a server record in its own scope) and its assignment.
        let scope = w.phone_a.auth.user_scope();
        let page = w.svc.pull(&w.phone_a.auth, &scope, 0, Some(1000), w.svc.epoch()).unwrap();
        let msgs: Vec<_> = page.rows.iter().filter(|r| r.entity == "milestone_message").collect();
        assert_eq!(msgs.len(), 1, "{name}");
        assert!(page.rows.iter().any(|r| r.entity == "mentor_link"), "{name}");
        // Goals: only with goals and the plan shared; an existing goal of theirs; known states.
        let goal = run(&*db, Mode::Read, |tx| {
            tx.one(
                "SELECT id FROM record WHERE scope_id = $1 AND entity = 'goal'",
                &[format!("user:{}", w.a).into()],
            )?
            .unwrap()
            .text(0)
        })
        .unwrap();
        let r = w.svc.mentor_goal(&w.m, &w.a, Some(&goal), "", "done");
        assert!(matches!(r, Err(Error::Forbidden(ErrorCode::NotShared, _))), "{name}: {r:?}");
        w.phone_a.push(&w.svc, vec![grant(&w.assign_a, &w.m, &[Category::GoalsPlan], None)]);
        w.svc.mentor_goal(&w.m, &w.a, Some(&goal), "", "done").unwrap();
        let added =
            w.svc.mentor_goal(&w.m, &w.a, None, "Call Robin after group", "active").unwrap();
        assert!(w.svc.mentor_goal(&w.m, &w.a, Some(&goal), "", "finished").is_err());
        assert!(matches!(
            w.svc.mentor_goal(&w.m, &w.a, Some(&id()), "", "done"),
            Err(Error::NotFound(_))
        ));
        assert!(w.svc.mentor_goal(&w.m, &w.a, None, "   ", "active").is_err());
        assert!(matches!(
            w.svc.mentor_goal(&w.n, &w.a, Some(&goal), "", "done"),
            Err(Error::NotFound(_))
        ));
        let p = w.svc.mentee_page(&w.m, &w.a).unwrap();
        let goals = p.goals.unwrap();
        assert!(goals.iter().any(|g| g.id == goal && g.kind == "done"), "{name}");
        assert!(
            goals.iter().any(|g| g.id == added && g.text == "Call Robin after group"),
            "{name}"
        );
        // Outreach: assigned mentees only, known outcomes only.
        w.svc.log_outreach(&w.m, &w.a, "call", "left_message").unwrap();
        assert!(w.svc.log_outreach(&w.m, &w.a, "call", "shouted").is_err());
        assert!(matches!(w.svc.log_outreach(&w.n, &w.a, "call", "tried"), Err(Error::NotFound(_))));
        let p = w.svc.mentee_page(&w.m, &w.a).unwrap();
        assert_eq!(p.outreach.len(), 1);
        // Staff, devices and the server's jobs never see a mentee's data through the policy.
        let acc = run(&*db, Mode::Read, |tx| access(tx, &w.m, Some(&w.a), NOW)).unwrap();
        for who in [
            Principal::Staff(StaffId::default()),
            Principal::Device(w.phone_a.auth.clone()),
            Principal::Server,
            Principal::Mentor(w.n.clone()),
        ] {
            for c in Category::ALL {
                let r = authorize(&who, Action::See { mentee: &w.a, category: c, access: &acc });
                assert!(r.is_err(), "{name} {who:?} {c:?}");
            }
        }
        // Consent events are a ledger: no edits, no deletes, no second create of one id.
        let mut edit = g.clone();
        edit.change_id = ChangeId(id().parse().unwrap());
        edit.op = Op::Set;
        let mut delete = edit.clone();
        delete.change_id = ChangeId(id().parse().unwrap());
        delete.op = Op::Delete;
        delete.cl = 2;
        delete.fields.clear();
        let mut again = g.clone();
        again.change_id = ChangeId(id().parse().unwrap());
        let r = w.phone_a.push(&w.svc, vec![g.clone(), edit, delete, again]);
        assert_eq!(
            r,
            vec![
                (PushOutcome::Duplicate, None),
                (PushOutcome::Rejected, Some(ErrorCode::BadOp)),
                (PushOutcome::Rejected, Some(ErrorCode::BadOp)),
                (PushOutcome::Rejected, Some(ErrorCode::BadOp)),
            ],
            "{name}"
        );
        // A grant naming B's assignment from A's phone, or a category that does not exist,
        // allows nothing / is refused.
        let mut bad = grant(&w.assign_a, &w.m, &[Category::GoalsPlan], None);
        bad.fields.insert("categories".into(), json!(["notes"]));
        assert_eq!(w.phone_a.push(&w.svc, vec![bad])[0].0, PushOutcome::Rejected, "{name}");
        let b_assign = run(&*db, Mode::Read, |tx| {
            tx.one("SELECT id FROM assignment WHERE mentee_id = $1", &[w.b.as_str().into()])?
                .unwrap()
                .text(0)
        })
        .unwrap();
        let sneaky = grant(&b_assign, &w.m, &[Category::CravingDetails], None);
        w.phone_a.push(&w.svc, vec![sneaky]);
        let p = w.svc.mentee_page(&w.m, &w.b).unwrap();
        assert!(p.shared.is_empty(), "{name}: A cannot grant B's data");
        let p = w.svc.mentee_page(&w.m, &w.a).unwrap();
        assert!(
            !p.shared.contains(&Category::CravingDetails),
            "{name}: not through B's assignment"
        );
        // A device cannot write a server-authored record.
        let forged = change(
            "milestone_message",
            &id(),
            NOW,
            json!({"tracker_id": tracker,
            "milestone_key": "d90", "text": "forged", "from": "Robin"}),
        );
        assert_eq!(w.phone_a.push(&w.svc, vec![forged])[0].0, PushOutcome::Rejected);
    }
}
