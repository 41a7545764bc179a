//! Tracker, reset and milestone-seen rows. Every write also records its outbox change.

use std::collections::HashSet;

use kindred_core::clock::ZonedDateTime;
use kindred_core::entity::{MILESTONE_SEEN, TRACKER, TRACKER_RESET};
use kindred_core::ids::{ResetId, TrackerId};
use kindred_core::model::ladder::Ladder;
use kindred_core::model::tracker::{Debrief, Reset, Tracker};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::json;
use uuid::Uuid;

use super::outbox::{self, Change, Op, WriteCtx};
use crate::Result;

pub use kindred_core::model::UNDO_WINDOW_MS;

/// A tracker with its local bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerRow {
    pub tracker: Tracker,
    /// When it was created on this device (unix ms).
    pub created_at: i64,
}

/// A reset with its local bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRow {
    pub reset: Reset,
    pub created_at: i64,
}

fn tracker_from_row(r: &Row<'_>) -> rusqlite::Result<(String, String, String, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn decode(raw: (String, String, String, String, i64)) -> Result<TrackerRow> {
    let (id, label, start, ladder, created_at) = raw;
    Ok(TrackerRow {
        tracker: Tracker {
            id: id.parse()?,
            label,
            start: serde_json::from_str(&start)?,
            ladder: serde_json::from_str(&ladder)?,
        },
        created_at,
    })
}

const TRACKER_COLS: &str = "id, label, start, ladder, created_at";

/// Inserts a new tracker.
pub fn insert(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, t: &Tracker) -> Result<()> {
    let start = serde_json::to_value(t.start)?;
    let ladder = serde_json::to_value(&t.ladder)?;
    tx.execute(
        "INSERT INTO tracker (id, cl, label, start, ladder, created_at) VALUES (?1, 1, ?2, ?3, ?4, ?5)",
        params![t.id.to_string(), t.label, start.to_string(), ladder.to_string(), ctx.now_ms],
    )?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &TRACKER,
            record_id: t.id.0,
            op: Op::Create,
            cl: 1,
            fields: vec![("label", json!(t.label)), ("start", start), ("ladder", ladder)],
            not_before: None,
        },
    )
}

/// A live (not deleted) tracker.
pub fn get(tx: &Transaction<'_>, id: TrackerId) -> Result<Option<TrackerRow>> {
    let sql = format!("SELECT {TRACKER_COLS} FROM tracker WHERE id = ?1 AND cl % 2 = 1");
    let raw = tx.query_row(&sql, [id.to_string()], tracker_from_row).optional()?;
    raw.map(decode).transpose()
}

/// All live trackers, oldest first.
pub fn list(tx: &Transaction<'_>) -> Result<Vec<TrackerRow>> {
    let sql =
        format!("SELECT {TRACKER_COLS} FROM tracker WHERE cl % 2 = 1 ORDER BY created_at, id");
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map([], tracker_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(decode).collect()
}

/// Sets one register field of a live tracker.
fn set_field(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: TrackerId,
    field: &'static str,
    value: serde_json::Value,
) -> Result<()> {
    let stored = match &value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let sql = format!("UPDATE tracker SET {field} = ?1 WHERE id = ?2 AND cl % 2 = 1");
    tx.execute(&sql, params![stored, id.to_string()])?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &TRACKER,
            record_id: id.0,
            op: Op::Set,
            cl: 1,
            fields: vec![(field, value)],
            not_before: None,
        },
    )
}

/// Renames a live tracker (the caller has checked it exists).
pub fn rename(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, id: TrackerId, label: &str) -> Result<()> {
    set_field(tx, ctx, id, "label", json!(label))
}

/// Changes a live tracker's ladder.
pub fn set_ladder(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: TrackerId,
    ladder: &Ladder,
) -> Result<()> {
    set_field(tx, ctx, id, "ladder", serde_json::to_value(ladder)?)
}

/// Deletes a tracker: its generation becomes 2 and the delete waits out the undo window.
pub fn delete(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, id: TrackerId) -> Result<()> {
    tx.execute("UPDATE tracker SET cl = 2 WHERE id = ?1 AND cl = 1", [id.to_string()])?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &TRACKER,
            record_id: id.0,
            op: Op::Delete,
            cl: 2,
            fields: vec![],
            not_before: Some(ctx.now_ms + UNDO_WINDOW_MS),
        },
    )
}

/// Undoes a delete that has not been sent yet. Returns whether anything was restored.
pub fn undelete(tx: &Transaction<'_>, now_ms: i64, id: TrackerId) -> Result<bool> {
    if !outbox::take_unsent_delete(tx, &TRACKER, id.0, now_ms)? {
        return Ok(false);
    }
    let n = tx.execute("UPDATE tracker SET cl = 1 WHERE id = ?1 AND cl = 2", [id.to_string()])?;
    Ok(n == 1)
}

/// Appends a reset.
pub fn insert_reset(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, r: &Reset) -> Result<()> {
    let lapse_at = serde_json::to_value(r.lapse_at)?;
    let new_start = serde_json::to_value(r.new_start)?;
    let halt = serde_json::to_value(&r.halt)?;
    tx.execute(
        "INSERT INTO tracker_reset (id, cl, tracker_id, lapse_at, new_start, halt, what_happened,
                                    differently, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.id.to_string(),
            r.tracker_id.to_string(),
            lapse_at.to_string(),
            new_start.to_string(),
            halt.to_string(),
            r.debrief.what_happened,
            r.debrief.differently,
            ctx.now_ms
        ],
    )?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &TRACKER_RESET,
            record_id: r.id.0,
            op: Op::Create,
            cl: 1,
            fields: vec![
                ("tracker_id", json!(r.tracker_id)),
                ("lapse_at", lapse_at),
                ("new_start", new_start),
                ("halt", halt),
                ("what_happened", json!(r.debrief.what_happened)),
                ("differently", json!(r.debrief.differently)),
            ],
            not_before: None,
        },
    )
}

/// Clears the device-only debrief of one live reset of `tracker_id` (with `secure_delete` on,
/// the old text is zeroed in the page). Returns whether there was a debrief to clear.
pub fn clear_debrief(tx: &Transaction<'_>, tracker_id: TrackerId, reset: ResetId) -> Result<bool> {
    let n = tx.execute(
        "UPDATE tracker_reset SET what_happened = NULL, differently = NULL
         WHERE id = ?1 AND tracker_id = ?2 AND cl % 2 = 1
           AND (what_happened IS NOT NULL OR differently IS NOT NULL)",
        [reset.to_string(), tracker_id.to_string()],
    )?;
    Ok(n == 1)
}

/// All live resets of a tracker, in insertion order (the domain orders them by lapse).
pub fn resets(tx: &Transaction<'_>, tracker_id: TrackerId) -> Result<Vec<ResetRow>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, lapse_at, new_start, halt, what_happened, differently, created_at
         FROM tracker_reset WHERE tracker_id = ?1 AND cl % 2 = 1 ORDER BY id",
    )?;
    let raw = stmt
        .query_map([tracker_id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter()
        .map(|(id, lapse, next, halt, what, diff, created_at)| {
            Ok(ResetRow {
                reset: Reset {
                    id: id.parse::<ResetId>()?,
                    tracker_id,
                    lapse_at: serde_json::from_str::<ZonedDateTime>(&lapse)?,
                    new_start: serde_json::from_str(&next)?,
                    halt: serde_json::from_str(&halt)?,
                    debrief: Debrief { what_happened: what, differently: diff },
                },
                created_at,
            })
        })
        .collect()
}

/// Milestone keys already celebrated for a tracker.
pub fn seen_keys(tx: &Transaction<'_>, tracker_id: TrackerId) -> Result<HashSet<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT milestone_key FROM milestone_seen WHERE tracker_id = ?1 AND cl % 2 = 1",
    )?;
    let keys = stmt
        .query_map([tracker_id.to_string()], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<HashSet<_>>>()?;
    Ok(keys)
}

/// Marks a milestone as celebrated (no-op when already marked).
pub fn mark_seen(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    tracker_id: TrackerId,
    key: &str,
) -> Result<()> {
    let id: Uuid = ctx.ids.next();
    let n = tx.execute(
        "INSERT INTO milestone_seen (id, cl, tracker_id, milestone_key, seen_at)
         VALUES (?1, 1, ?2, ?3, ?4) ON CONFLICT (tracker_id, milestone_key) DO NOTHING",
        params![id.to_string(), tracker_id.to_string(), key, ctx.now_ms],
    )?;
    if n == 1 {
        outbox::record(
            tx,
            ctx,
            Change {
                entity: &MILESTONE_SEEN,
                record_id: id,
                op: Op::Create,
                cl: 1,
                fields: vec![
                    ("tracker_id", json!(tracker_id)),
                    ("milestone_key", json!(key)),
                    ("seen_at", json!(ctx.now_ms)),
                ],
                not_before: None,
            },
        )?;
    }
    Ok(())
}
