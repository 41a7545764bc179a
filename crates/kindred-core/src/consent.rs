//! Consent (SECURITY.md AZ-3, MENTOR.md "What the rules require"): what a mentee shares with
//! a named mentor, as an append-only log of `consent_event` records (SYNC.md §2).
//!
//! A [`Grant`] names the recipient (a mentor, through the assignment that links them to the
//! mentee), the [`Category`]s, the purpose, an expiry (or none: "until I change it"), the
//! signing act (the authenticated tap: time, app version) and the version of the text shown.
//! A [`Revoke`] names the grant it ends. Nothing is ever edited: widening or a new mentor is a
//! new grant. [`effective`] is the one rule of what a set of events allows at a moment; the
//! server's SQL is tested against it, and the phone's "who can see what" screen uses it.
//! Lapse debriefs and private notes are never a category: they never leave the phone.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::entity::ValueProblem;

/// What a mentee may share. Default: nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Sobriety trackers: sober time, milestones reached and coming up.
    Milestones,
    /// Daily check-ins: the day, mood, whether there was a craving, HALT, the one line.
    CheckIns,
    /// Counts of cravings per week and the intensity trend; no details.
    CravingSummary,
    /// Each craving's intensity, triggers, place, company, what helped and how it went;
    /// never the private note.
    CravingDetails,
    /// Goals and the relapse-prevention plan.
    GoalsPlan,
}

impl Category {
    /// Every category, in the order screens list them.
    pub const ALL: [Category; 5] = [
        Category::Milestones,
        Category::CheckIns,
        Category::CravingSummary,
        Category::CravingDetails,
        Category::GoalsPlan,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Milestones => "milestones",
            Category::CheckIns => "check_ins",
            Category::CravingSummary => "craving_summary",
            Category::CravingDetails => "craving_details",
            Category::GoalsPlan => "goals_plan",
        }
    }

    /// The category spelled `s`.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A short name for lists.
    pub fn title(self) -> &'static str {
        match self {
            Category::Milestones => "Milestones and sober time",
            Category::CheckIns => "Check-ins",
            Category::CravingSummary => "A summary of cravings",
            Category::CravingDetails => "Craving details",
            Category::GoalsPlan => "Goals and your plan",
        }
    }

    /// The specific description of the information (42 CFR §2.31), as the grant shows it.
    pub fn description(self) -> &'static str {
        match self {
            Category::Milestones => {
                "Your trackers' names, start dates, sober time and milestones reached or coming up."
            }
            Category::CheckIns => {
                "Each check-in: the day, your mood, whether you had a craving, HALT and your one line."
            }
            Category::CravingSummary => {
                "How many cravings you logged each week and how strong they were on average. No details."
            }
            Category::CravingDetails => {
                "Each craving's strength, triggers, place, company, what helped and how it went. Never your private note."
            }
            Category::GoalsPlan => "Your goals and your relapse-prevention plan.",
        }
    }
}

/// The version of the consent text below; a grant keeps the version it was shown.
pub const TEXT_VERSION: i64 = 1;
/// What the grant says about revoking (§2.31), shown before the tap and in the receipt.
pub const REVOKE_TEXT: &str = "You can stop sharing at any time in Kindred, under Sharing. \
     It takes effect the next time your phone reaches the program. What was already seen stays \
     in the log of who looked.";
/// What is never shared, whatever the grant.
pub const NEVER_TEXT: &str =
    "Your private notes and what you wrote after a lapse are never shared with anyone.";
/// Longest purpose, in characters.
pub const PURPOSE_MAX: usize = 200;
/// The latest expiry a grant may name (2100-01-01, unix ms).
pub const EXPIRY_MAX: i64 = 4_102_444_800_000;

/// A grant: the mentee shares `categories` with `recipient` for `purpose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The grant's id (its `consent_event` record id): the consent id of every disclosure.
    pub id: String,
    /// The assignment (a `mentor_link` record) that links this mentor to the mentee; a new
    /// assignment starts with nothing.
    pub assignment: String,
    /// The mentor's person id.
    pub recipient: String,
    pub categories: BTreeSet<Category>,
    pub purpose: String,
    /// Unix ms after which the grant no longer allows anything; `None`: until revoked.
    pub expires_at: Option<i64>,
    /// When the mentee tapped "Share" (the signing act).
    pub signed_at: i64,
    /// A number the mentor may call or text (E.164), shared with this grant only.
    pub phone: Option<String>,
}

/// The end of a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoke {
    pub id: String,
    pub grant_id: String,
    pub signed_at: i64,
}

/// One `consent_event` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Grant(Grant),
    Revoke(Revoke),
}

fn text<'a>(f: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    f.get(k).and_then(Value::as_str)
}

fn int(f: &Map<String, Value>, k: &str) -> Option<i64> {
    f.get(k).and_then(Value::as_i64)
}

/// Fields a grant carries and a revoke must not (and the other way round).
const GRANT_ONLY: [&str; 7] = [
    "assignment_id",
    "recipient",
    "recipient_name",
    "categories",
    "purpose",
    "expires_at",
    "phone",
];

impl Event {
    /// Reads record `id`'s fields (already checked field by field by the registry).
    pub fn from_fields(id: &str, f: &Map<String, Value>) -> Result<Event, ValueProblem> {
        let signed_at = int(f, "signed_at").ok_or(ValueProblem::Missing)?;
        match text(f, "action") {
            Some("grant") => {
                if f.get("grant_id").is_some_and(|v| !v.is_null()) {
                    return Err(ValueProblem::WrongType);
                }
                let list = f.get("categories").and_then(Value::as_array);
                let list = list.ok_or(ValueProblem::Missing)?;
                let mut categories = BTreeSet::new();
                for c in list {
                    let c = c.as_str().and_then(Category::parse);
                    if !categories.insert(c.ok_or(ValueProblem::OutOfRange)?) {
                        return Err(ValueProblem::OutOfRange);
                    }
                }
                if categories.is_empty() {
                    return Err(ValueProblem::Missing);
                }
                let purpose = text(f, "purpose").ok_or(ValueProblem::Missing)?;
                if purpose.trim().is_empty() {
                    return Err(ValueProblem::Missing);
                }
                let expires_at = match f.get("expires_at") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(v.as_i64().ok_or(ValueProblem::WrongType)?),
                };
                let phone = match f.get("phone") {
                    None | Some(Value::Null) => None,
                    Some(v) => {
                        let p = v.as_str().and_then(crate::model::contact::dialable);
                        Some(p.ok_or(ValueProblem::WrongType)?)
                    }
                };
                Ok(Event::Grant(Grant {
                    id: id.to_owned(),
                    assignment: text(f, "assignment_id").ok_or(ValueProblem::Missing)?.to_owned(),
                    recipient: text(f, "recipient").ok_or(ValueProblem::Missing)?.to_owned(),
                    categories,
                    purpose: purpose.to_owned(),
                    expires_at,
                    signed_at,
                    phone,
                }))
            }
            Some("revoke") => {
                if GRANT_ONLY.iter().any(|k| f.get(*k).is_some_and(|v| !v.is_null())) {
                    return Err(ValueProblem::WrongType);
                }
                let grant_id = text(f, "grant_id").ok_or(ValueProblem::Missing)?;
                Ok(Event::Revoke(Revoke {
                    id: id.to_owned(),
                    grant_id: grant_id.to_owned(),
                    signed_at,
                }))
            }
            _ => Err(ValueProblem::Missing),
        }
    }

    /// The record id.
    pub fn id(&self) -> &str {
        match self {
            Event::Grant(g) => &g.id,
            Event::Revoke(r) => &r.id,
        }
    }
}

/// The categories as a wire list.
pub fn categories_value(c: &BTreeSet<Category>) -> Value {
    Value::Array(c.iter().map(|c| Value::String(c.as_str().to_owned())).collect())
}

/// What one grant allows right now.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Allowed {
    pub recipient: String,
    pub category: Category,
    pub grant_id: String,
}

/// Whether `grant` allows anything at `now`: not revoked by any of `events`, not expired, and
/// its assignment is active (`assignment_active(assignment, recipient)`: the mentor is still
/// assigned, through that very assignment).
pub fn grant_live(
    grant: &Grant,
    events: &[Event],
    assignment_active: &dyn Fn(&str, &str) -> bool,
    now: i64,
) -> bool {
    let revoked = events.iter().any(|e| matches!(e, Event::Revoke(r) if r.grant_id == grant.id));
    !revoked
        && grant.expires_at.is_none_or(|t| now < t)
        && assignment_active(&grant.assignment, &grant.recipient)
}

/// Everything `events` allow at `now`: each (recipient, category, grant) of a live grant.
/// Revocation is final for its grant whatever the order the events arrived in.
pub fn effective(
    events: &[Event],
    assignment_active: &dyn Fn(&str, &str) -> bool,
    now: i64,
) -> BTreeSet<Allowed> {
    let mut out = BTreeSet::new();
    for e in events {
        let Event::Grant(g) = e else { continue };
        if grant_live(g, events, assignment_active, now) {
            for c in &g.categories {
                out.insert(Allowed {
                    recipient: g.recipient.clone(),
                    category: *c,
                    grant_id: g.id.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn grant(extra: Value) -> Map<String, Value> {
        let mut f = fields(json!({
            "action": "grant", "assignment_id": "a1", "recipient": "m1",
            "categories": ["milestones"], "purpose": "peer support",
            "signed_at": 10, "app_version": "1", "text_version": 1
        }));
        f.extend(fields(extra));
        f
    }

    #[test]
    fn categories_round_trip_and_never_include_notes() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert!(!c.description().is_empty());
        }
        for bad in ["", "note", "debrief", "Milestones"] {
            assert_eq!(Category::parse(bad), None);
        }
        assert!(Category::CravingDetails.description().contains("Never your private note"));
    }

    #[test]
    fn grants_and_revokes_read_strictly() {
        let g = Event::from_fields("g1", &grant(json!({}))).unwrap();
        let Event::Grant(g) = g else { panic!("a grant") };
        assert_eq!(g.categories, BTreeSet::from([Category::Milestones]));
        assert_eq!(g.expires_at, None);
        let with_phone = Event::from_fields("g1", &grant(json!({"phone": "+15550101234"})));
        assert!(matches!(with_phone, Ok(Event::Grant(Grant { phone: Some(_), .. }))));
        let bad = [
            json!({"categories": []}),
            json!({"categories": ["milestones", "milestones"]}),
            json!({"categories": ["notes"]}),
            json!({"purpose": "  "}),
            json!({"grant_id": "g0"}),
            json!({"action": "edit"}),
            json!({"phone": "**21*5551234#"}),
            json!({"phone": "+1 555 010 1234"}),
        ];
        for b in bad {
            assert!(Event::from_fields("g", &grant(b.clone())).is_err(), "{b}");
        }
        let r = fields(json!({"action": "revoke", "grant_id": "g1", "signed_at": 11}));
        assert!(matches!(Event::from_fields("r1", &r), Ok(Event::Revoke(_))));
        let mut widened = r.clone();
        widened.insert("categories".into(), json!(["check_ins"]));
        assert!(Event::from_fields("r1", &widened).is_err());
        let mut no_target = r;
        no_target.remove("grant_id");
        assert!(Event::from_fields("r1", &no_target).is_err());
    }

    #[test]
    fn revoked_expired_or_unassigned_grants_allow_nothing() {
        let g = |id: &str, exp: Option<i64>| {
            Event::Grant(Grant {
                id: id.into(),
                assignment: "a1".into(),
                recipient: "m1".into(),
                categories: BTreeSet::from([Category::CheckIns]),
                purpose: "p".into(),
                expires_at: exp,
                signed_at: 0,
                phone: None,
            })
        };
        let on = |_: &str, _: &str| true;
        let off = |_: &str, _: &str| false;
        let events = vec![g("g1", None), g("g2", Some(100))];
        assert_eq!(effective(&events, &on, 50).len(), 2);
        assert_eq!(effective(&events, &on, 100).len(), 1, "expiry is exclusive");
        assert!(effective(&events, &off, 50).is_empty());
        // A revoke that arrived before its grant still ends it.
        let mut late =
            vec![Event::Revoke(Revoke { id: "r".into(), grant_id: "g1".into(), signed_at: 1 })];
        late.extend(events);
        let left = effective(&late, &on, 50);
        assert_eq!(left.iter().map(|a| a.grant_id.as_str()).collect::<Vec<_>>(), ["g2"]);
    }
}
