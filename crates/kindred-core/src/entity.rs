//! The entity registry (SYNC.md §2): every synced or device-only kind of record, declared once,
//! with its class, fields, caps and which fields never leave the device.
//!
//! The device store writes outbox payloads through [`Entity::synced_fields`], so a `device_only`
//! field can never enter a sync payload.

use crate::consent;
use crate::model::check_in::LINE_MAX;
use crate::model::craving::PLACE_MAX;
use crate::model::plan::ITEM_MAX;
use crate::model::text::{NAME_MAX, NOTE_MAX};

/// How an entity behaves under sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Created once on the device; details editable later; deletable.
    Log,
    /// Mutable record, per-field last-writer-wins.
    Register,
    /// Authored on the server, read-only on the device.
    Server,
    /// Never leaves the device.
    Device,
    /// Created once on the device, never edited or deleted (consent events: widening is a
    /// new grant, revocation its own record).
    Ledger,
}

/// Which sync scope an entity's records live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One mentee's own records (`user:<id>`).
    User,
    /// The program's shared content (`program:<id>`), cached on every device.
    Program,
}

/// Who may write an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writers {
    pub device: bool,
    pub staff: bool,
    pub mentor: bool,
}

const MENTEE: Writers = Writers { device: true, staff: false, mentor: false };
const MENTEE_STAFF: Writers = Writers { device: true, staff: true, mentor: false };
const MENTEE_MENTOR: Writers = Writers { device: true, staff: false, mentor: true };
const STAFF: Writers = Writers { device: false, staff: true, mentor: false };
const MENTOR: Writers = Writers { device: false, staff: false, mentor: true };

/// The wire type of a field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Text of at most this many characters.
    Text(usize),
    /// An integer in `min..=max`.
    Int(i64, i64),
    /// A unix-ms instant; the server refuses one more than a day ahead of its clock.
    Time,
    Bool,
    /// A record id (UUID) as text.
    Id,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A JSON array.
    List,
    /// A JSON object.
    Object,
}

/// One field of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    /// May be `null` (and may be left out of a create).
    pub nullable: bool,
    /// Kept on this phone only: in the export, never in a sync payload.
    pub device_only: bool,
}

impl Field {
    /// Longest text value in characters, when the field is text.
    pub fn max_chars(&self) -> Option<usize> {
        match self.ty {
            Ty::Text(n) => Some(n),
            _ => None,
        }
    }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field { name, ty, nullable: false, device_only: false }
}
const fn opt(name: &'static str, ty: Ty) -> Field {
    Field { name, ty, nullable: true, device_only: false }
}
const fn private(name: &'static str, max: usize) -> Field {
    Field { name, ty: Ty::Text(max), nullable: true, device_only: true }
}

/// A registered entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    pub name: &'static str,
    /// Schema version of the entity's wire shape.
    pub version: u32,
    pub class: Class,
    pub scope: Scope,
    pub writers: Writers,
    pub fields: &'static [Field],
}

impl Entity {
    /// Fields that may travel in a sync payload.
    pub fn synced_fields(&self) -> impl Iterator<Item = &'static Field> {
        self.fields.iter().filter(|f| !f.device_only)
    }

    /// Whether `name` is a field that may be synced.
    pub fn is_synced(&self, name: &str) -> bool {
        self.synced_fields().any(|f| f.name == name)
    }

    /// The synced field called `name`.
    pub fn synced_field(&self, name: &str) -> Option<&'static Field> {
        self.synced_fields().find(|f| f.name == name)
    }
}

/// Why a field value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueProblem {
    WrongType,
    TooLong,
    OutOfRange,
    /// A time more than a day ahead of the server's clock.
    InFuture,
    /// A create without a field that may not be null.
    Missing,
}

impl ValueProblem {
    /// The `code` sent back in a rejection.
    pub fn code(self) -> crate::sync::code::ErrorCode {
        use crate::sync::code::ErrorCode;
        match self {
            ValueProblem::WrongType => ErrorCode::WrongType,
            ValueProblem::TooLong => ErrorCode::TooLong,
            ValueProblem::OutOfRange => ErrorCode::OutOfRange,
            ValueProblem::InFuture => ErrorCode::TimeInFuture,
            ValueProblem::Missing => ErrorCode::MissingField,
        }
    }
}

/// A day in ms: how far ahead of the server clock a domain time may be (SECURITY.md IN-4).
pub const FUTURE_SLACK_MS: i64 = 24 * 3600 * 1000;

/// How deeply an object value may nest (a zoned time is 1, a ladder 2): whatever the server
/// accepts, a phone must be able to pull, far inside serde_json's recursion limit.
pub const MAX_NESTING: usize = 4;

/// Nesting depth of a JSON value (a scalar is 0), counted without recursion.
pub fn depth(v: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            serde_json::Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            serde_json::Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Checks one value against its field. `now_ms` is the checking side's clock.
pub fn check_value(f: &Field, v: &serde_json::Value, now_ms: i64) -> Result<(), ValueProblem> {
    use serde_json::Value;
    if v.is_null() {
        return if f.nullable { Ok(()) } else { Err(ValueProblem::WrongType) };
    }
    match (f.ty, v) {
        (Ty::Text(max), Value::String(s)) => {
            if s.chars().count() > max {
                Err(ValueProblem::TooLong)
            } else {
                Ok(())
            }
        }
        (Ty::Int(min, max), Value::Number(n)) => match n.as_i64() {
            Some(i) if (min..=max).contains(&i) => Ok(()),
            Some(_) => Err(ValueProblem::OutOfRange),
            None => Err(ValueProblem::WrongType),
        },
        (Ty::Time, Value::Number(n)) => match n.as_i64() {
            Some(i) if i < 0 => Err(ValueProblem::OutOfRange),
            Some(i) if i > now_ms.saturating_add(FUTURE_SLACK_MS) => Err(ValueProblem::InFuture),
            Some(_) => Ok(()),
            None => Err(ValueProblem::WrongType),
        },
        (Ty::Bool, Value::Bool(_)) => Ok(()),
        (Ty::Id, Value::String(s)) => {
            if uuid::Uuid::try_parse(s).is_ok() {
                Ok(())
            } else {
                Err(ValueProblem::WrongType)
            }
        }
        (Ty::OneOf(values), Value::String(s)) => {
            if values.contains(&s.as_str()) {
                Ok(())
            } else {
                Err(ValueProblem::OutOfRange)
            }
        }
        // Lists and objects hold small structured values (halt flags, a zoned time, a ladder):
        // their size is bounded by the request limits; their shape by the device that reads them.
        (Ty::Object, v) if depth(v) > MAX_NESTING => Err(ValueProblem::TooLong),
        // Lists are flat: short strings (HALT flags, triggers, tags, coping steps) or whole
        // numbers (a ladder's days).
        (Ty::List, Value::Array(a)) if a.len() > 64 => Err(ValueProblem::TooLong),
        (Ty::List, Value::Array(a)) => match a.iter().find(|x| !(x.is_string() || x.is_i64())) {
            Some(_) => Err(ValueProblem::WrongType),
            None if a.iter().any(|x| x.as_str().is_some_and(|t| t.chars().count() > 200)) => {
                Err(ValueProblem::TooLong)
            }
            None => Ok(()),
        },
        (Ty::Object, Value::Object(_)) => Ok(()),
        _ => Err(ValueProblem::WrongType),
    }
}

const TZ: Ty = Ty::Text(64);
const HHMM: Ty = Ty::Text(8);

/// A sobriety tracker (register).
pub const TRACKER: Entity = Entity {
    name: "tracker",
    version: 1,
    class: Class::Register,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("label", Ty::Text(NAME_MAX)),
        req("start", Ty::Object),
        req("ladder", Ty::Object),
    ],
};

/// A reset after a lapse (append-only log); the debrief text stays on the device.
pub const TRACKER_RESET: Entity = Entity {
    name: "tracker_reset",
    version: 1,
    class: Class::Log,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("tracker_id", Ty::Id),
        req("lapse_at", Ty::Object),
        req("new_start", Ty::Object),
        req("halt", Ty::List),
        private("what_happened", NOTE_MAX),
        private("differently", NOTE_MAX),
    ],
};

/// A milestone the mentee has seen celebrated (log).
pub const MILESTONE_SEEN: Entity = Entity {
    name: "milestone_seen",
    version: 1,
    class: Class::Log,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("tracker_id", Ty::Id),
        req("milestone_key", Ty::Text(64)),
        req("seen_at", Ty::Time),
    ],
};

/// The mentee's settings (register).
pub const SETTINGS: Entity = Entity {
    name: "settings",
    version: 1,
    class: Class::Register,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("tz", TZ),
        req("milestone_reminders", Ty::Bool),
        req("reminder_time", HHMM),
        opt("quiet_hours", Ty::Object),
        req("discreet", Ty::Bool),
        opt("checkin_time", HHMM),
    ],
};

/// A logged craving (log); the note stays on the device.
pub const CRAVING: Entity = Entity {
    name: "craving",
    version: 1,
    class: Class::Log,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("started_at", Ty::Time),
        req("tz", TZ),
        req("intensity", Ty::Int(0, 10)),
        req("triggers", Ty::List),
        req("tags", Ty::List),
        opt("place", Ty::Text(PLACE_MAX)),
        opt("with_whom", Ty::Text(PLACE_MAX)),
        req("coping", Ty::List),
        opt("outcome", Ty::OneOf(&["rode_it_out", "used", "not_sure"])),
        opt("end_intensity", Ty::Int(0, 10)),
        opt("surf_started_at", Ty::Time),
        opt("surf_ended_at", Ty::Time),
        private("note", NOTE_MAX),
    ],
};

/// A mentor contact (register; written by staff or the mentee).
pub const MENTOR_CONTACT: Entity = Entity {
    name: "mentor_contact",
    version: 1,
    class: Class::Register,
    scope: Scope::User,
    writers: MENTEE_STAFF,
    fields: &[
        req("role", Ty::OneOf(&["primary", "backup"])),
        req("name", Ty::Text(NAME_MAX)),
        opt("phone", Ty::Text(16)),
        opt("sms", Ty::Text(16)),
        opt("email", Ty::Text(254)),
        opt("hours", Ty::Object),
        opt("note", Ty::Text(NOTE_MAX)),
    ],
};

/// A daily check-in (log).
pub const CHECK_IN: Entity = Entity {
    name: "check_in",
    version: 1,
    class: Class::Log,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("at", Ty::Time),
        req("tz", TZ),
        req("mood", Ty::Int(1, 5)),
        req("craving", Ty::Bool),
        req("halt", Ty::List),
        opt("line", Ty::Text(LINE_MAX)),
    ],
};

/// A goal (register; the mentee and the mentor may edit).
pub const GOAL: Entity = Entity {
    name: "goal",
    version: 1,
    class: Class::Register,
    scope: Scope::User,
    writers: MENTEE_MENTOR,
    fields: &[
        req("text", Ty::Text(ITEM_MAX)),
        req("status", Ty::OneOf(&["active", "done", "paused"])),
    ],
};

/// An entry of the relapse-prevention plan (register).
pub const PLAN_ITEM: Entity = Entity {
    name: "plan_item",
    version: 1,
    class: Class::Register,
    scope: Scope::User,
    writers: MENTEE_MENTOR,
    fields: &[
        req("section", Ty::OneOf(&["warning_signs", "high_risk", "coping", "people", "reasons"])),
        req("text", Ty::Text(ITEM_MAX)),
        req("position", Ty::Int(0, 10_000)),
    ],
};

/// A milestone ladder the program publishes (server content, program scope).
pub const LADDER: Entity = Entity {
    name: "ladder",
    version: 1,
    class: Class::Server,
    scope: Scope::Program,
    writers: STAFF,
    fields: &[req("name", Ty::Text(NAME_MAX)), req("days", Ty::List)],
};

/// A program resource: a meeting, a page, a place (server content, program scope).
pub const RESOURCE: Entity = Entity {
    name: "resource",
    version: 1,
    class: Class::Server,
    scope: Scope::Program,
    writers: STAFF,
    fields: &[
        req("title", Ty::Text(NAME_MAX)),
        opt("body", Ty::Text(NOTE_MAX)),
        opt("url", Ty::Text(500)),
        req("position", Ty::Int(0, 10_000)),
    ],
};

/// A help number the program adds to the built-in crisis lines (server content, program scope).
pub const HELP_NUMBER: Entity = Entity {
    name: "help_number",
    version: 1,
    class: Class::Server,
    scope: Scope::Program,
    writers: STAFF,
    fields: &[
        req("label", Ty::Text(NAME_MAX)),
        opt("phone", Ty::Text(16)),
        opt("sms", Ty::Text(16)),
        opt("hours", Ty::Text(NAME_MAX)),
        req("position", Ty::Int(0, 10_000)),
    ],
};

/// A consent grant or revocation (ledger: create only; SECURITY.md AZ-3, [`crate::consent`]).
pub const CONSENT_EVENT: Entity = Entity {
    name: "consent_event",
    version: 1,
    class: Class::Ledger,
    scope: Scope::User,
    writers: MENTEE,
    fields: &[
        req("action", Ty::OneOf(&["grant", "revoke"])),
        opt("grant_id", Ty::Id),
        opt("assignment_id", Ty::Id),
        opt("recipient", Ty::Id),
        opt("recipient_name", Ty::Text(NAME_MAX)),
        opt("categories", Ty::List),
        opt("purpose", Ty::Text(consent::PURPOSE_MAX)),
        opt("expires_at", Ty::Int(0, consent::EXPIRY_MAX)),
        opt("phone", Ty::Text(16)),
        req("signed_at", Ty::Time),
        req("app_version", Ty::Text(32)),
        req("text_version", Ty::Int(1, 1000)),
    ],
};

/// A mentor assigned to the mentee by staff (server-authored; `active` false once ended): the
/// recipient a grant names. A new assignment starts with no grants.
pub const MENTOR_LINK: Entity = Entity {
    name: "mentor_link",
    version: 1,
    class: Class::Server,
    scope: Scope::User,
    writers: STAFF,
    fields: &[
        req("mentor_id", Ty::Id),
        req("name", Ty::Text(NAME_MAX)),
        req("program", Ty::Text(NAME_MAX)),
        req("active", Ty::Bool),
        req("since", Ty::Time),
    ],
};

/// Longest celebration message from a mentor, in characters.
pub const MESSAGE_MAX: usize = 500;

/// A mentor's message for a milestone's celebration screen (server-authored by the mentor).
pub const MILESTONE_MESSAGE: Entity = Entity {
    name: "milestone_message",
    version: 1,
    class: Class::Server,
    scope: Scope::User,
    writers: MENTOR,
    fields: &[
        req("tracker_id", Ty::Id),
        req("milestone_key", Ty::Text(64)),
        req("text", Ty::Text(MESSAGE_MAX)),
        req("from", Ty::Text(NAME_MAX)),
    ],
};

/// Every registered entity.
pub const ALL: &[Entity] = &[
    TRACKER,
    TRACKER_RESET,
    MILESTONE_SEEN,
    SETTINGS,
    CRAVING,
    MENTOR_CONTACT,
    CHECK_IN,
    GOAL,
    PLAN_ITEM,
    LADDER,
    RESOURCE,
    HELP_NUMBER,
    CONSENT_EVENT,
    MENTOR_LINK,
    MILESTONE_MESSAGE,
];

/// Looks an entity up by name.
pub fn by_name(name: &str) -> Option<&'static Entity> {
    ALL.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_debrief_is_private() {
        let mut names: Vec<_> = ALL.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(!TRACKER_RESET.is_synced("what_happened"));
        assert!(!TRACKER_RESET.is_synced("differently"));
        assert!(TRACKER_RESET.is_synced("lapse_at"));
        assert_eq!(by_name("tracker"), Some(&TRACKER));
    }
}
