//! The pure decision for one pulled row (SYNC.md §9): given what the device holds for the
//! record, what applying the row must do. No SQL here; [`super::write`] carries a decision out.
//!
//! The rules: a tombstone is final and wins over everything (pending local edits of the record
//! are dropped, they can never win); a record deleted on this phone stays deleted (that delete
//! is final and on its way); a field with a pending local edit keeps its local value until the
//! edit is acknowledged (read-your-writes); fields this version does not know are kept aside
//! (`extra`) for a newer app. Whether a row can be stored at all (its parent may not have
//! arrived yet) is only known when it is written: the writer parks it then.

use std::collections::BTreeSet;

use kindred_core::entity::{self, Class, Entity, Scope};
use kindred_core::sync::wire::{PulledField, PulledRow};
use serde_json::Value;

/// Where a pulled row goes, by its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An entity this version does not know: skipped (a newer app will fetch it).
    Unknown,
    /// Program content and server-authored user records (a mentor's assignment, milestone
    /// messages): stored whole in `program_record`.
    Program,
    /// A user-scope record with its own table (table = entity name, column = field name).
    User(&'static Entity),
}

/// The target of a row of entity `name`.
pub fn target(name: &str) -> Target {
    match entity::by_name(name) {
        None => Target::Unknown,
        Some(e) if e.scope == Scope::Program || e.class == Class::Server => Target::Program,
        Some(e) => Target::User(e),
    }
}

/// What the device holds for a pulled row's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Local {
    /// The stored causal length (odd: live, even: deleted); `None`: not on this device.
    pub cl: Option<i64>,
    /// Local changes of the record still waiting in the outbox.
    pub pending: Pending,
}

/// Local changes of one record still waiting in the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    /// Fields a pending change sets.
    pub fields: BTreeSet<String>,
    /// A pending change deletes the record.
    pub deleting: bool,
}

/// Why a pulled row leaves the local record as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Deleted on this phone: that delete is final and on its way.
    DeletedHere,
    /// A local delete is waiting to be sent.
    DeletePending,
}

/// The columns a pulled row writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns<'a> {
    /// Synced fields to write (column = field name), in the row's field order.
    pub set: Vec<(&'static str, &'a PulledField)>,
    /// Fields this version does not know, kept in the row's `extra` JSON.
    pub extra: Vec<(&'a str, &'a Value)>,
}

/// What applying a pulled row must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision<'a> {
    /// A tombstone. Always: drop the record's pending changes, field clocks and acknowledged
    /// payloads. `wipe`: the local row is older and takes the tombstone's causal length;
    /// `uncount`: it was live, so it leaves the table's rollups.
    Tombstone { wipe: bool, uncount: bool },
    /// Leave the local record alone.
    Keep(Keep),
    /// A record new to this device.
    Insert(Columns<'a>),
    /// A record this device has. `pending_edits`: some fields keep local values (and their
    /// local clocks); otherwise every local field clock is superseded.
    Update { cols: Columns<'a>, pending_edits: bool },
}

/// Decides what the pulled `row` of the user-scope entity `e` does to the `local` record.
pub fn decide<'a>(e: &'static Entity, local: &Local, row: &'a PulledRow) -> Decision<'a> {
    let Some(fields) = &row.fields else {
        let wipe = local.cl.is_some_and(|cl| i64::from(row.cl) > cl);
        let uncount = wipe && local.cl.is_some_and(|cl| cl % 2 == 1);
        return Decision::Tombstone { wipe, uncount };
    };
    if local.cl.is_some_and(|cl| cl % 2 == 0) {
        return Decision::Keep(Keep::DeletedHere);
    }
    if local.pending.deleting {
        return Decision::Keep(Keep::DeletePending);
    }
    let mut cols = Columns::default();
    for (name, f) in fields {
        match e.synced_field(name) {
            Some(field) if !local.pending.fields.contains(name) => cols.set.push((field.name, f)),
            Some(_) => {}
            None => cols.extra.push((name, &f.value)),
        }
    }
    match local.cl {
        None => Decision::Insert(cols),
        Some(_) => Decision::Update { cols, pending_edits: !local.pending.fields.is_empty() },
    }
}

#[cfg(test)]
mod tests;
