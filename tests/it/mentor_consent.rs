//! The consent state machine (SECURITY.md AZ-3) as a property: grants, widenings, narrowings,
//! revocations, expiry, unassignment and reassignment in any order, with the phone's events
//! reaching the server in offline batches (sometimes a revoke before its grant): after every
//! step, what the server's policy lets the mentor see equals `kindred_core::consent::effective`
//! over the events the server holds. Both backends, one database each.

use std::collections::BTreeSet;

use kindred_core::consent::{self, Category, Event};
use kindred_core::sync::wire::{PushOutcome, WireChange};
use kindred_server::db::{run, Mode};
use kindred_server::policy::access;
use proptest::prelude::*;

use crate::mentor_authz::{backends, grant, revoke, World, NOW};

#[derive(Debug, Clone)]
enum Step {
    Grant {
        cats: u8,
        days: Option<u8>,
    },
    Widen {
        which: usize,
        extra: u8,
    },
    Narrow {
        which: usize,
    },
    Revoke {
        which: usize,
    },
    Advance {
        hours: u16,
    },
    /// To the very millisecond a grant expires (expiry is exclusive), when it is ahead.
    ToExpiry {
        which: usize,
    },
    Unassign,
    Assign,
    Sync {
        upto: usize,
        reversed: bool,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1u8..32, prop::option::of(1u8..4)).prop_map(|(cats, days)| Step::Grant { cats, days }),
        2 => (0usize..8, 1u8..32).prop_map(|(which, extra)| Step::Widen { which, extra }),
        1 => (0usize..8).prop_map(|which| Step::Narrow { which }),
        2 => (0usize..8).prop_map(|which| Step::Revoke { which }),
        1 => (1u16..60).prop_map(|hours| Step::Advance { hours }),
        1 => (0usize..8).prop_map(|which| Step::ToExpiry { which }),
        1 => Just(Step::Unassign),
        1 => Just(Step::Assign),
        3 => (0usize..6, any::<bool>()).prop_map(|(upto, reversed)| Step::Sync { upto, reversed }),
    ]
}

fn cats(bits: u8) -> Vec<Category> {
    Category::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, c)| *c)
        .collect()
}

/// The reference side: what the phone made, what the server got, the assignment.
struct Model {
    pending: Vec<WireChange>,
    sent: Vec<Event>,
    /// Grants the phone made: (id, categories).
    grants: Vec<(String, Vec<Category>)>,
    /// Their expiries.
    expiries: Vec<i64>,
    assignment: Option<String>,
}

fn event(c: &WireChange) -> Event {
    Event::from_fields(&c.record_id, &c.fields).expect("the phone makes valid events")
}

fn check(w: &World, m: &Model, name: &str) {
    let now = w.clock.get();
    let got = run(&*w.db, Mode::Read, |tx| access(tx, &w.m, Some(&w.a), now)).unwrap();
    let got: BTreeSet<(Category, String)> =
        got.consented.into_iter().map(|c| (c.category, c.grant_id)).collect();
    let live = |a: &str, r: &str| m.assignment.as_deref() == Some(a) && r == w.m;
    let want: BTreeSet<(Category, String)> = consent::effective(&m.sent, &live, now)
        .into_iter()
        .map(|a| (a.category, a.grant_id))
        .collect();
    assert_eq!(got, want, "{name}");
}

fn run_steps(w: &World, steps: &[Step], name: &str) {
    let mut m = Model {
        pending: Vec::new(),
        sent: Vec::new(),
        grants: Vec::new(),
        expiries: Vec::new(),
        assignment: Some(w.assign_a.clone()),
    };
    // The phone grants only through the assignment it knows (the last one it pulled).
    let mut known = w.assign_a.clone();
    for s in steps {
        match s {
            Step::Grant { cats: bits, days } => {
                let exp = days.map(|d| w.clock.get() + i64::from(d) * 86_400_000);
                let c = cats(*bits);
                let g = grant(&known, &w.m, &c, exp);
                m.expiries.extend(exp);
                m.grants.push((g.record_id.clone(), c));
                m.pending.push(g);
            }
            Step::Widen { .. } | Step::Narrow { .. } if m.grants.is_empty() => {}
            Step::Widen { which, extra } => {
                let (old, c) = m.grants[which % m.grants.len()].clone();
                let mut wider: BTreeSet<Category> = c.into_iter().collect();
                wider.extend(cats(*extra));
                let wider: Vec<Category> = wider.into_iter().collect();
                let g = grant(&known, &w.m, &wider, None);
                m.grants.push((g.record_id.clone(), wider));
                m.pending.push(g);
                m.pending.push(revoke(&old));
            }
            Step::Narrow { which } => {
                let (old, c) = m.grants[which % m.grants.len()].clone();
                if c.len() > 1 {
                    let g = grant(&known, &w.m, &c[..c.len() - 1], None);
                    m.grants.push((g.record_id.clone(), c[..c.len() - 1].to_vec()));
                    m.pending.push(g);
                }
                m.pending.push(revoke(&old));
            }
            Step::Revoke { which } => {
                if !m.grants.is_empty() {
                    let (old, _) = m.grants[which % m.grants.len()].clone();
                    m.pending.push(revoke(&old));
                }
            }
            Step::Advance { hours } => w.clock.advance(i64::from(*hours) * 3_600_000),
            Step::ToExpiry { which } => {
                if let Some(t) = m.expiries.get(which % m.expiries.len().max(1)) {
                    let now = w.clock.get();
                    if *t > now {
                        w.clock.advance(t - now);
                    }
                }
            }
            Step::Unassign => {
                if m.assignment.take().is_some() {
                    w.svc.unassign(&w.m, &w.a).unwrap();
                }
            }
            Step::Assign => {
                if m.assignment.is_none() {
                    let id = w.svc.assign(&w.m, &w.a).unwrap();
                    m.assignment = Some(id.clone());
                    known = id;
                }
            }
            Step::Sync { upto, reversed } => {
                let n = (*upto).min(m.pending.len());
                let mut batch: Vec<WireChange> = m.pending.drain(..n).collect();
                if *reversed {
                    batch.reverse();
                }
                for c in &batch {
                    m.sent.push(event(c));
                }
                let r = w.phone_a.push(&w.svc, batch);
                assert!(r.iter().all(|(o, _)| *o == PushOutcome::Applied), "{name}: {r:?}");
            }
        }
        check(w, &m, name);
    }
}

#[test]
fn mentor_consent_prop() {
    for (name, db, _keep) in backends() {
        let cases = if name == "sqlite" { 48 } else { 16 };
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        runner
            .run(&prop::collection::vec(step(), 1..24), |steps| {
                let w = World::new(db.clone());
                run_steps(&w, &steps, name);
                Ok(())
            })
            .unwrap();
    }
    let _ = NOW;
}
