//! The outbox: every local write records its change here in the same transaction as the row
//! (SYNC.md §6), with the field clocks and the device's hybrid logical clock. Device-only fields
//! are filtered out through the entity registry, so they can never reach a payload.

use kindred_core::entity::Entity;
use kindred_core::sync::hlc::Hlc;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{exec, state_get, state_set};
use crate::ids::IdGen;
use crate::Result;

/// What a change does to its record (the wire type, so payloads and pushes agree).
pub use kindred_core::sync::merge::Op;

/// One change to record.
#[derive(Debug)]
pub struct Change<'a> {
    pub entity: &'static Entity,
    pub record_id: Uuid,
    pub op: Op,
    /// The record's generation after the change (1 alive, 2 deleted).
    pub cl: i64,
    /// Changed fields with their new wire values (device-only ones are dropped here).
    pub fields: Vec<(&'a str, Value)>,
    /// Earliest time (unix ms) the change may be sent: the undo window of a delete.
    pub not_before: Option<i64>,
}

/// Key of the device id in `sync_state`.
pub const DEVICE_ID: &str = "device_id";
/// Key of the last hybrid clock value in `sync_state`.
pub const HLC_LAST: &str = "hlc_last";

/// The time and id source of one write.
pub struct WriteCtx<'a> {
    /// Device clock, unix ms.
    pub now_ms: i64,
    pub ids: &'a dyn IdGen,
}

impl std::fmt::Debug for WriteCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteCtx").field("now_ms", &self.now_ms).finish_non_exhaustive()
    }
}

/// Records `change`. Must run in the transaction of the write.
pub fn record(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, change: Change<'_>) -> Result<()> {
    let now_ms = ctx.now_ms;
    let change_id = ctx.ids.next();
    let last = state_get(tx, HLC_LAST)?.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let hlc = Hlc(last).send(u64::try_from(now_ms).unwrap_or(0));
    state_set(tx, HLC_LAST, &hlc.0.to_string())?;
    let node = format!("d:{}", state_get(tx, DEVICE_ID)?.unwrap_or_default());
    let hlc_sql = hlc.to_i64();
    let record_id = change.record_id.to_string();
    let change_id = change_id.to_string();

    let mut payload = Map::new();
    for (name, value) in change.fields {
        if !change.entity.is_synced(name) {
            continue;
        }
        exec(
            tx,
            "INSERT INTO field_clock (entity, record_id, field, cl, hlc, node, change_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (entity, record_id, field) DO UPDATE SET
               cl = excluded.cl, hlc = excluded.hlc, node = excluded.node,
               change_id = excluded.change_id",
            params![change.entity.name, record_id, name, change.cl, hlc_sql, node, change_id],
        )?;
        payload.insert(name.to_owned(), value);
    }
    exec(
        tx,
        "INSERT INTO outbox (change_id, entity, entity_version, record_id, op, cl, hlc, payload,
                             not_before, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            change_id,
            change.entity.name,
            change.entity.version,
            record_id,
            change.op.key(),
            change.cl,
            hlc_sql,
            Value::Object(payload).to_string(),
            change.not_before,
            now_ms
        ],
    )?;
    Ok(())
}

/// Removes a not-yet-sent delete of `record_id` still in its undo window at `now_ms` (undo).
/// Returns whether one was removed.
pub fn take_unsent_delete(
    tx: &Transaction<'_>,
    entity: &Entity,
    record_id: Uuid,
    now_ms: i64,
) -> Result<bool> {
    if !super::wipe::has_content(tx, entity.name, &record_id.to_string())? {
        return Ok(false);
    }
    let local_seq: Option<i64> = tx
        .query_row(
            "SELECT local_seq FROM outbox
             WHERE entity = ?1 AND record_id = ?2 AND op = 'delete' AND attempts = 0
               AND not_before > ?3
             ORDER BY local_seq DESC LIMIT 1",
            params![entity.name, record_id.to_string(), now_ms],
            |r| r.get(0),
        )
        .optional()?;
    match local_seq {
        Some(seq) => {
            tx.execute("DELETE FROM outbox WHERE local_seq = ?1", [seq])?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Number of changes waiting to be sent.
pub fn pending(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |r| r.get(0))?)
}
