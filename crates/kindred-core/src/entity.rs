//! The entity registry (SYNC.md §2): every synced or device-only kind of record, declared once,
//! with its class, fields, caps and which fields never leave the device.
//!
//! The device store writes outbox payloads through [`Entity::synced_fields`], so a `device_only`
//! field can never enter a sync payload.

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
}

/// One field of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// Longest text value in characters, when the field is text.
    pub max_chars: Option<usize>,
    /// Kept on this phone only: in the export, never in a sync payload.
    pub device_only: bool,
}

const fn field(name: &'static str) -> Field {
    Field { name, max_chars: None, device_only: false }
}
const fn text(name: &'static str, max: usize) -> Field {
    Field { name, max_chars: Some(max), device_only: false }
}
const fn private(name: &'static str, max: usize) -> Field {
    Field { name, max_chars: Some(max), device_only: true }
}

/// A registered entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    pub name: &'static str,
    /// Schema version of the entity's wire shape.
    pub version: u32,
    pub class: Class,
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
}

/// A sobriety tracker (register).
pub const TRACKER: Entity = Entity {
    name: "tracker",
    version: 1,
    class: Class::Register,
    fields: &[text("label", NAME_MAX), field("start"), field("ladder")],
};

/// A reset after a lapse (append-only log); the debrief text stays on the device.
pub const TRACKER_RESET: Entity = Entity {
    name: "tracker_reset",
    version: 1,
    class: Class::Log,
    fields: &[
        field("tracker_id"),
        field("lapse_at"),
        field("new_start"),
        field("halt"),
        private("what_happened", NOTE_MAX),
        private("differently", NOTE_MAX),
    ],
};

/// A milestone the mentee has seen celebrated (log).
pub const MILESTONE_SEEN: Entity = Entity {
    name: "milestone_seen",
    version: 1,
    class: Class::Log,
    fields: &[field("tracker_id"), field("milestone_key"), field("seen_at")],
};

/// The mentee's settings (register).
pub const SETTINGS: Entity = Entity {
    name: "settings",
    version: 1,
    class: Class::Register,
    fields: &[
        field("tz"),
        field("milestone_reminders"),
        field("reminder_time"),
        field("quiet_hours"),
        field("discreet"),
        field("checkin_time"),
    ],
};

/// A logged craving (log); the note stays on the device.
pub const CRAVING: Entity = Entity {
    name: "craving",
    version: 1,
    class: Class::Log,
    fields: &[
        field("started_at"),
        field("tz"),
        field("intensity"),
        field("triggers"),
        field("tags"),
        text("place", PLACE_MAX),
        text("with_whom", PLACE_MAX),
        field("coping"),
        field("outcome"),
        field("end_intensity"),
        field("surf_started_at"),
        field("surf_ended_at"),
        private("note", NOTE_MAX),
    ],
};

/// A mentor contact (register; written by staff or the mentee).
pub const MENTOR_CONTACT: Entity = Entity {
    name: "mentor_contact",
    version: 1,
    class: Class::Register,
    fields: &[
        field("role"),
        text("name", NAME_MAX),
        text("phone", 16),
        text("sms", 16),
        text("email", 254),
        field("hours"),
        text("note", NOTE_MAX),
    ],
};

/// A daily check-in (log).
pub const CHECK_IN: Entity = Entity {
    name: "check_in",
    version: 1,
    class: Class::Log,
    fields: &[
        field("at"),
        field("tz"),
        field("mood"),
        field("craving"),
        field("halt"),
        text("line", LINE_MAX),
    ],
};

/// A goal (register; the mentee and the mentor may edit).
pub const GOAL: Entity = Entity {
    name: "goal",
    version: 1,
    class: Class::Register,
    fields: &[text("text", ITEM_MAX), field("status")],
};

/// An entry of the relapse-prevention plan (register).
pub const PLAN_ITEM: Entity = Entity {
    name: "plan_item",
    version: 1,
    class: Class::Register,
    fields: &[field("section"), text("text", ITEM_MAX), field("position")],
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
