//! The device side of the sync protocol's bookkeeping (SYNC.md §6, §8, §13): enrolment facts and
//! cursors in `sync_state`, taking a batch from the outbox, recording the server's per-change
//! outcomes, and the recovery after a server restore. Applying a pulled page is in
//! [`super::pull`].

use std::collections::BTreeMap;

use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::pin::Pin;
use kindred_core::sync::wire::{ErrorCode, PushOutcome, PushResponse, WireChange};
use rusqlite::{params, Transaction};
use serde_json::{Map, Value};

use super::outbox::HLC_LAST;
use super::{exec, state_get, state_set};
use crate::Result;

/// `sync_state` keys.
pub mod keys {
    pub const SERVER: &str = "server_url";
    pub const USER_SCOPE: &str = "scope:user";
    pub const PROGRAM_SCOPE: &str = "scope:program";
    pub const PROGRAM_NAME: &str = "program_name";
    pub const EPOCH: &str = "epoch";
    pub const LAST_OK: &str = "last_ok_at";
    pub const STATUS: &str = "sync_status";
    pub const BACKOFF: &str = "backoff_until";
    pub const FAILURES: &str = "failures";
    /// The program server's key pins (`sha256/…`, comma-separated).
    pub const PINS: &str = "server_pins";
    /// `cursor:<scope>`.
    pub fn cursor(scope: &str) -> String {
        format!("cursor:{scope}")
    }
}

/// What the device knows about its program after enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub server_url: String,
    pub user_scope: String,
    pub program_scope: String,
    pub program_name: String,
    /// The server's key pins; only a connection to one of these keys is trusted.
    pub pins: Vec<Pin>,
}

/// The enrolment, if this device is connected.
pub fn enrolled(tx: &Transaction<'_>) -> Result<Option<Enrolled>> {
    let (Some(server_url), Some(user_scope), Some(program_scope)) = (
        state_get(tx, keys::SERVER)?,
        state_get(tx, keys::USER_SCOPE)?,
        state_get(tx, keys::PROGRAM_SCOPE)?,
    ) else {
        return Ok(None);
    };
    let program_name = state_get(tx, keys::PROGRAM_NAME)?.unwrap_or_default();
    // An enrolment from before pinning has none: the transport then refuses to send.
    let pins =
        state_get(tx, keys::PINS)?.and_then(|p| Pin::parse_all(p.split(','))).unwrap_or_default();
    Ok(Some(Enrolled { server_url, user_scope, program_scope, program_name, pins }))
}

/// Records a new enrolment; cursors and epoch start afresh, the outbox is kept (it drains next).
pub fn set_enrolled(tx: &Transaction<'_>, e: &Enrolled) -> Result<()> {
    forget_enrolment(tx)?;
    state_set(tx, keys::SERVER, &e.server_url)?;
    state_set(tx, keys::USER_SCOPE, &e.user_scope)?;
    state_set(tx, keys::PROGRAM_SCOPE, &e.program_scope)?;
    state_set(tx, keys::PROGRAM_NAME, &e.program_name)?;
    set_pins(tx, &e.pins)
}

/// Replaces the server's key pins (at enrolment, or when a pinned `hello` announces a rotation).
pub fn set_pins(tx: &Transaction<'_>, pins: &[Pin]) -> Result<()> {
    let joined: Vec<String> = pins.iter().map(Pin::to_string).collect();
    state_set(tx, keys::PINS, &joined.join(","))
}

/// Forgets the program (disconnect). Local records, the outbox and `sent_log` stay.
pub fn forget_enrolment(tx: &Transaction<'_>) -> Result<()> {
    exec(
        tx,
        "DELETE FROM sync_state WHERE key IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) OR key LIKE 'cursor:%'",
        params![
            keys::PINS,
            keys::SERVER,
            keys::USER_SCOPE,
            keys::PROGRAM_SCOPE,
            keys::PROGRAM_NAME,
            keys::EPOCH,
            keys::STATUS,
            keys::BACKOFF,
            keys::FAILURES
        ],
    )?;
    Ok(())
}

/// Moves the device clock past a clock value seen from the server.
pub fn observe_hlc(tx: &Transaction<'_>, remote: Hlc, now_ms: i64) -> Result<()> {
    let last = state_get(tx, HLC_LAST)?.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let next = Hlc(last).receive(remote, u64::try_from(now_ms).unwrap_or(0));
    state_set(tx, HLC_LAST, &next.0.to_string())
}

/// A batch taken from the outbox.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub changes: Vec<WireChange>,
}

fn op_of(s: &str) -> Op {
    match s {
        "create" => Op::Create,
        "delete" => Op::Delete,
        _ => Op::Set,
    }
}

/// Takes the next sendable changes (pending, past their undo window) in `local_seq` order,
/// consent events first (a revocation reaches the program as early as possible, SYNC.md §8), at
/// most `max` and about `max_bytes`, and counts the attempt — which also ends the undo window
/// of a delete (SYNC.md §6).
pub fn take_batch(
    tx: &Transaction<'_>,
    now_ms: i64,
    max: usize,
    max_bytes: usize,
) -> Result<Outgoing> {
    let mut stmt = tx.prepare_cached(
        "SELECT local_seq, change_id, entity, entity_version, record_id, op, cl, hlc, base_row_seq,
                payload
         FROM outbox WHERE state = 'pending' AND (not_before IS NULL OR not_before <= ?1)
         ORDER BY entity <> 'consent_event', local_seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now_ms, max as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, Option<i64>>(8)?,
            r.get::<_, String>(9)?,
        ))
    })?;
    let mut out = Outgoing::default();
    let mut seqs = Vec::new();
    let mut bytes = 0usize;
    for row in rows {
        let (seq, change_id, entity, version, record_id, op, cl, hlc, base, payload) = row?;
        bytes += payload.len() + 300;
        if !out.changes.is_empty() && bytes > max_bytes {
            break;
        }
        let fields: Map<String, Value> = serde_json::from_str(&payload)?;
        out.changes.push(WireChange {
            change_id: change_id.parse().map_err(|_| kindred_core::Error::InvalidId)?,
            entity,
            entity_version: u32::try_from(version).unwrap_or(1),
            record_id,
            op: op_of(&op),
            cl: u32::try_from(cl).unwrap_or(1),
            hlc: Hlc(u64::try_from(hlc).unwrap_or(0)),
            base_row_seq: base,
            fields,
        });
        seqs.push(seq);
    }
    let mut bump = tx.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, undo = NULL WHERE local_seq = ?1",
    )?;
    for s in seqs {
        bump.execute([s])?;
    }
    // A delete is final once sent: the record's earlier changes kept for a server restore lose
    // their content now (a restore re-pushes them as the delete, SYNC.md §13; PR-5).
    let mut wipe = tx.prepare_cached(
        "UPDATE sent_log SET change = json_set(change, '$.fields', json('{}'))
         WHERE entity = ?1 AND record_id = ?2",
    )?;
    for c in out.changes.iter().filter(|c| c.op == Op::Delete) {
        wipe.execute([&c.entity, &c.record_id])?;
    }
    Ok(out)
}

/// What a push answer did to the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushTally {
    pub acked: usize,
    pub rejected: usize,
}

/// Records the server's answer to `sent`: acknowledged changes leave the outbox for `sent_log`,
/// rejected ones stay as `rejected` (shown, never blocking), and the clock moves past the
/// server's. A change without a result stays pending (it is resent; the server dedupes).
pub fn apply_push(
    tx: &Transaction<'_>,
    scope: &str,
    sent: &Outgoing,
    resp: &PushResponse,
    now_ms: i64,
) -> Result<PushTally> {
    let results: BTreeMap<_, _> = resp.results.iter().map(|r| (r.change_id, r)).collect();
    let mut tally = PushTally::default();
    for c in &sent.changes {
        let Some(r) = results.get(&c.change_id) else { continue };
        let id = c.change_id.to_string();
        match r.outcome {
            PushOutcome::Applied | PushOutcome::Superseded | PushOutcome::Duplicate => {
                tx.prepare_cached("DELETE FROM outbox WHERE change_id = ?1")?.execute([&id])?;
                tx.prepare_cached(
                    "INSERT INTO sent_log (change_id, scope, entity, record_id, server_seq, change,
                                           acked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (change_id) DO NOTHING",
                )?
                .execute(params![
                    id,
                    scope,
                    c.entity,
                    c.record_id,
                    r.seq,
                    serde_json::to_string(c)?,
                    now_ms
                ])?;
                tally.acked += 1;
            }
            PushOutcome::Rejected => {
                tx.prepare_cached(
                    "UPDATE outbox SET state = 'rejected', last_error = ?2 WHERE change_id = ?1",
                )?
                .execute(params![id, r.code.unwrap_or(ErrorCode::Rejected).as_str()])?;
                tally.rejected += 1;
            }
        }
    }
    observe_hlc(tx, resp.server_hlc, now_ms)?;
    Ok(tally)
}

/// The pull cursor of `scope` (0 before the first page).
pub fn cursor(tx: &Transaction<'_>, scope: &str) -> Result<i64> {
    Ok(state_get(tx, &keys::cursor(scope))?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// After a server restore (SYNC.md §13): forgets the old epoch (the next hello brings the new
/// one), queues again every acknowledged change the restored server may have lost, and
/// restarts every cursor from 0.
pub fn recover_from_restore(
    tx: &Transaction<'_>,
    restore_point_seq: Option<i64>,
    now_ms: i64,
) -> Result<usize> {
    let after = restore_point_seq.unwrap_or(0);
    let lost: Vec<(String, String)> = tx
        .prepare(
            "SELECT change_id, change FROM sent_log WHERE server_seq IS NULL OR server_seq > ?1",
        )?
        .query_map([after], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (change_id, raw) in &lost {
        let c: WireChange = serde_json::from_str(raw)?;
        exec(
            tx,
            "INSERT INTO outbox (change_id, entity, entity_version, record_id, op, cl, hlc,
                                 base_row_seq, payload, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9) ON CONFLICT (change_id) DO NOTHING",
            params![
                change_id,
                c.entity,
                c.entity_version,
                c.record_id,
                c.op.key(),
                c.cl,
                c.hlc.to_i64(),
                Value::Object(c.fields).to_string(),
                now_ms
            ],
        )?;
        exec(tx, "DELETE FROM sent_log WHERE change_id = ?1", [change_id])?;
    }
    // Cursors never outlive their epoch; the next hello brings the new one.
    exec(tx, "DELETE FROM sync_state WHERE key LIKE 'cursor:%' OR key = ?1", [keys::EPOCH])?;
    Ok(lost.len())
}

/// Changes waiting to be sent, and changes the server refused.
pub fn counts(tx: &Transaction<'_>) -> Result<(i64, i64)> {
    Ok(tx.query_row(
        "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'rejected')
         FROM outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Drops `sent_log` entries older than `keep_ms` (45 days by default, SYNC.md §13).
pub fn prune_sent_log(tx: &Transaction<'_>, now_ms: i64, keep_ms: i64) -> Result<usize> {
    exec(tx, "DELETE FROM sent_log WHERE acked_at < ?1", [now_ms - keep_ms])
}
