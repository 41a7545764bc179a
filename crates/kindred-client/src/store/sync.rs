//! The device side of the sync protocol's bookkeeping (SYNC.md §6, §8, §9): enrolment facts and
//! cursors in `sync_state`, taking a batch from the outbox, recording the server's per-change
//! outcomes, and applying a pulled page — rows, field clocks and cursor in one transaction.
//!
//! Pulled rows are written column by column through the entity registry (table = entity name,
//! column = field name), so a new entity needs only its registry entry and table. A field with a
//! pending local edit keeps its local value until that edit is acknowledged (read-your-writes);
//! a record deleted here stays deleted; a tombstone wins over everything.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use kindred_core::entity::{self, Entity, Scope, CHECK_IN, CRAVING};
use kindred_core::ids::CravingId;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{
    ErrorCode, PullResponse, PulledField, PulledRow, PushOutcome, PushResponse, WireChange,
};
use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};

use super::outbox::HLC_LAST;
use super::{cravings, state_get, state_set};
use crate::Result;

/// Runs one statement through the connection's statement cache (pulls run the same few
/// statements thousands of times).
fn exec<P: rusqlite::Params>(tx: &Transaction<'_>, sql: &str, p: P) -> Result<usize> {
    Ok(tx.prepare_cached(sql)?.execute(p)?)
}

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
    Ok(Some(Enrolled { server_url, user_scope, program_scope, program_name }))
}

/// Records a new enrolment; cursors and epoch start afresh, the outbox is kept (it drains next).
pub fn set_enrolled(tx: &Transaction<'_>, e: &Enrolled) -> Result<()> {
    forget_enrolment(tx)?;
    state_set(tx, keys::SERVER, &e.server_url)?;
    state_set(tx, keys::USER_SCOPE, &e.user_scope)?;
    state_set(tx, keys::PROGRAM_SCOPE, &e.program_scope)?;
    state_set(tx, keys::PROGRAM_NAME, &e.program_name)?;
    Ok(())
}

/// Forgets the program (disconnect). Local records, the outbox and `sent_log` stay.
pub fn forget_enrolment(tx: &Transaction<'_>) -> Result<()> {
    exec(
        tx,
        "DELETE FROM sync_state WHERE key IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) OR key LIKE 'cursor:%'",
        params![
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

/// Takes the next sendable changes (pending, past their undo window) in `local_seq` order, at
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
         ORDER BY local_seq LIMIT ?2",
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

/// What a pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullTally {
    pub rows: usize,
    pub parked: usize,
}

fn to_sql(v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::Number(n) => {
            n.as_i64().map_or_else(|| Sql::Real(n.as_f64().unwrap_or(0.0)), Sql::Integer)
        }
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Text(other.to_string()),
    }
}

/// Device-side columns derived from an instant and its zone.
fn local_parts(at_ms: i64, tz: &str) -> Option<(String, i64, i64)> {
    let p = cravings::local_parts(DateTime::from_timestamp_millis(at_ms)?, tz.parse().ok()?);
    Some((p.day, i64::from(p.hour), i64::from(p.dow)))
}

fn refresh_derived(tx: &Transaction<'_>, e: &Entity, id: &str) -> Result<()> {
    if e.name == CRAVING.name {
        let row: Option<(i64, String)> = tx
            .prepare_cached("SELECT started_at, tz FROM craving WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((day, hour, dow)) = row.and_then(|(at, tz)| local_parts(at, &tz)) {
            exec(
                tx,
                "UPDATE craving SET local_day = ?2, local_hour = ?3, local_dow = ?4 WHERE id = ?1",
                params![id, day, hour, dow],
            )?;
        }
    } else if e.name == CHECK_IN.name {
        let row: Option<(i64, String)> = tx
            .prepare_cached("SELECT at, tz FROM check_in WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((day, _, _)) = row.and_then(|(at, tz)| local_parts(at, &tz)) {
            exec(tx, "UPDATE check_in SET local_day = ?2 WHERE id = ?1", params![id, day])?;
        }
    }
    Ok(())
}

/// Per-page state of a pull: rollup deltas written once per page, and whether any local
/// change is pending at all (most pulls: none, so no per-row outbox lookups).
struct PageCtx {
    rollup: cravings::RollupDelta,
    outbox_pending: bool,
    any_parked: bool,
}

fn merge_delta(into: &mut cravings::RollupDelta, from: cravings::RollupDelta) {
    for (k, (n, r, i)) in from {
        let e = into.entry(k).or_default();
        e.0 += n;
        e.1 += r;
        e.2 += i;
    }
}

fn craving_rollup(
    tx: &Transaction<'_>,
    e: &Entity,
    id: &str,
    sign: i64,
    delta: &mut cravings::RollupDelta,
) -> Result<()> {
    if e.name != CRAVING.name {
        return Ok(());
    }
    let Ok(uuid) = uuid::Uuid::parse_str(id) else { return Ok(()) };
    if let Some(c) = cravings::get(tx, CravingId(uuid))? {
        cravings::rollup_delta(&c, sign, delta);
    }
    Ok(())
}

/// Fields of `id` with a pending local change, and whether a local delete is pending.
fn pending_fields(tx: &Transaction<'_>, e: &Entity, id: &str) -> Result<(BTreeSet<String>, bool)> {
    let mut stmt = tx.prepare_cached(
        "SELECT op, payload FROM outbox WHERE entity = ?1 AND record_id = ?2 AND state = 'pending'",
    )?;
    let mut fields = BTreeSet::new();
    let mut deleting = false;
    let rows =
        stmt.query_map([e.name, id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (op, payload) = row?;
        deleting |= op == "delete";
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&payload) {
            fields.extend(m.keys().cloned());
        }
    }
    Ok((fields, deleting))
}

fn apply_program_row(tx: &Transaction<'_>, row: &PulledRow) -> Result<()> {
    let fields = row.fields.as_ref().map(|f| {
        let m: Map<String, Value> = f.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
        Value::Object(m).to_string()
    });
    exec(
        tx,
        "INSERT INTO program_record (id, entity, cl, fields, server_row_seq) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, cl = excluded.cl,
             fields = excluded.fields, server_row_seq = excluded.server_row_seq",
        params![row.id, row.entity, row.cl, fields, row.row_seq],
    )?;
    Ok(())
}

fn field_str<'a>(fields: &'a BTreeMap<String, PulledField>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(|f| f.value.as_str())
}

fn field_i64(fields: &BTreeMap<String, PulledField>, name: &str) -> Option<i64> {
    fields.get(name).and_then(|f| f.value.as_i64())
}

/// Applies one pulled row of the user scope. `Ok(false)`: it cannot be stored yet (parked).
fn apply_user_row(
    tx: &Transaction<'_>,
    e: &'static Entity,
    row: &PulledRow,
    now_ms: i64,
    ctx: &mut PageCtx,
) -> Result<bool> {
    let table = e.name;
    // This row's rollup changes; they join the page's only if the row is stored.
    let mut delta = cravings::RollupDelta::new();
    let local_cl: Option<i64> = tx
        .prepare_cached(&format!("SELECT cl FROM {table} WHERE id = ?1"))?
        .query_row([&row.id], |r| r.get(0))
        .optional()?;
    let Some(fields) = &row.fields else {
        // Tombstone: final. Wipe what can be wiped and drop pending edits (they can never win).
        if let Some(cl) = local_cl {
            if i64::from(row.cl) > cl {
                if cl % 2 == 1 {
                    craving_rollup(tx, e, &row.id, -1, &mut delta)?;
                }
                exec(
                    tx,
                    &format!(
                        "UPDATE {table} SET cl = ?2, server_row_seq = ?3, server_clock = NULL WHERE id = ?1"
                    ),
                    params![row.id, row.cl, row.row_seq],
                )?;
            }
        }
        exec(
            tx,
            "DELETE FROM outbox WHERE entity = ?1 AND record_id = ?2 AND state = 'pending'",
            [e.name, &row.id],
        )?;
        exec(
            tx,
            "DELETE FROM field_clock WHERE entity = ?1 AND record_id = ?2",
            [e.name, &row.id],
        )?;
        exec(
            tx,
            "UPDATE sent_log SET change = json_set(change, '$.fields', json('{}'))
             WHERE entity = ?1 AND record_id = ?2",
            [e.name, &row.id],
        )?;
        merge_delta(&mut ctx.rollup, delta);
        return Ok(true);
    };
    if local_cl.is_some_and(|cl| cl % 2 == 0) {
        return Ok(true); // Deleted on this phone; that delete is final and on its way.
    }
    let (pending, deleting) = if ctx.outbox_pending && local_cl.is_some() {
        pending_fields(tx, e, &row.id)?
    } else {
        (BTreeSet::new(), false)
    };
    if deleting {
        return Ok(true);
    }
    let mut cols: Vec<&str> = Vec::new();
    let mut vals: Vec<Sql> = Vec::new();
    let mut extra = Map::new();
    let mut clocks = Map::new();
    for (name, f) in fields {
        match e.synced_field(name) {
            Some(field) if !pending.contains(name) => {
                cols.push(field.name);
                vals.push(to_sql(&f.value));
                clocks.insert(name.clone(), json!([f.hlc.0, f.node, f.change_id]));
            }
            Some(_) => {}
            None => {
                extra.insert(name.clone(), f.value.clone());
            }
        }
    }
    let clocks = Value::Object(clocks).to_string();
    // No savepoint: the one INSERT or UPDATE that can break a constraint comes first and is
    // atomic on its own; everything after it cannot fail on a constraint.
    let written = (|| -> Result<()> {
        if local_cl.is_none() {
            let mut names = vec!["id", "cl", "created_at", "server_row_seq", "server_clock"];
            let mut all = vec![
                Sql::Text(row.id.clone()),
                Sql::Integer(row.cl.into()),
                Sql::Integer(now_ms),
                Sql::Integer(row.row_seq),
                Sql::Text(clocks.clone()),
            ];
            names.extend(cols.iter().copied());
            all.extend(vals.iter().cloned());
            // Device-side columns, from the row's own time and zone.
            let at = if e.name == CRAVING.name { "started_at" } else { "at" };
            if e.name == CRAVING.name || e.name == CHECK_IN.name {
                let (day, hour, dow) = field_i64(fields, at)
                    .zip(field_str(fields, "tz"))
                    .and_then(|(t, tz)| local_parts(t, tz))
                    .unwrap_or_default();
                names.push("local_day");
                all.push(Sql::Text(day));
                if e.name == CRAVING.name {
                    names.extend(["local_hour", "local_dow"]);
                    all.extend([Sql::Integer(hour), Sql::Integer(dow)]);
                }
            }
            let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
            tx.prepare_cached(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            ))?
            .execute(params_from_iter(all.iter()))?;
        } else {
            craving_rollup(tx, e, &row.id, -1, &mut delta)?;
            let mut sets: Vec<String> =
                cols.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 4)).collect();
            sets.push("server_row_seq = ?2".into());
            sets.push("server_clock = json_patch(coalesce(server_clock, '{}'), ?3)".into());
            let mut all = vec![
                Sql::Text(row.id.clone()),
                Sql::Integer(row.row_seq),
                Sql::Text(clocks.clone()),
            ];
            all.extend(vals.iter().cloned());
            tx.prepare_cached(&format!("UPDATE {table} SET {} WHERE id = ?1", sets.join(", ")))?
                .execute(params_from_iter(all.iter()))?;
            if cols.iter().any(|c| matches!(*c, "started_at" | "at" | "tz")) {
                refresh_derived(tx, e, &row.id)?;
            }
            // The shown value is now the server's: local clocks of those fields are superseded.
            if pending.is_empty() {
                exec(
                    tx,
                    "DELETE FROM field_clock WHERE entity = ?1 AND record_id = ?2",
                    [e.name, &row.id],
                )?;
            } else {
                for c in &cols {
                    exec(
                        tx,
                        "DELETE FROM field_clock WHERE entity = ?1 AND record_id = ?2 AND field = ?3",
                        [e.name, &row.id, c],
                    )?;
                }
            }
        }
        if !extra.is_empty() {
            exec(
                tx,
                &format!("UPDATE {table} SET extra = json_patch(coalesce(extra, '{{}}'), ?2) WHERE id = ?1"),
                params![row.id, Value::Object(extra.clone()).to_string()],
            )?;
        }
        craving_rollup(tx, e, &row.id, 1, &mut delta)?;
        Ok(())
    })();
    match written {
        Ok(()) => {
            merge_delta(&mut ctx.rollup, delta);
            Ok(true)
        }
        Err(err) => {
            if let crate::Error::Sqlite(e) = &err {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    return Ok(false);
                }
            }
            Err(err)
        }
    }
}

fn apply_row(
    tx: &Transaction<'_>,
    scope: &str,
    row: &PulledRow,
    now_ms: i64,
    ctx: &mut PageCtx,
) -> Result<bool> {
    let Some(e) = entity::by_name(&row.entity) else {
        return Ok(true); // An entity this version does not know: a newer app will fetch it.
    };
    match e.scope {
        Scope::Program => apply_program_row(tx, row).map(|()| true),
        Scope::User => {
            let ok = apply_user_row(tx, e, row, now_ms, ctx)?;
            if !ok {
                exec(
                    tx,
                    "INSERT INTO pull_parked (scope, id, row) VALUES (?1, ?2, ?3)
                     ON CONFLICT (scope, id) DO UPDATE SET row = excluded.row",
                    params![scope, row.id, serde_json::to_string(row)?],
                )?;
            } else if ctx.any_parked {
                exec(tx, "DELETE FROM pull_parked WHERE scope = ?1 AND id = ?2", [scope, &row.id])?;
            }
            Ok(ok)
        }
    }
}

/// Applies one pulled page of `scope` and moves its cursor, in the caller's transaction.
/// Rows that cannot be stored yet are parked and retried after every page.
pub fn apply_pull(
    tx: &Transaction<'_>,
    scope: &str,
    page: &PullResponse,
    now_ms: i64,
) -> Result<PullTally> {
    let mut tally = PullTally::default();
    let any_parked: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM pull_parked WHERE scope = ?1)")?
        .query_row([scope], |r| r.get(0))?;
    let outbox_pending: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending')")?
        .query_row([], |r| r.get(0))?;
    let mut ctx = PageCtx { rollup: cravings::RollupDelta::new(), outbox_pending, any_parked };
    for row in &page.rows {
        if apply_row(tx, scope, row, now_ms, &mut ctx)? {
            tally.rows += 1;
        }
    }
    // Retry parked rows while that makes progress (a reset whose tracker just arrived).
    loop {
        let parked: Vec<String> = tx
            .prepare_cached("SELECT row FROM pull_parked WHERE scope = ?1")?
            .query_map([scope], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut progress = false;
        for raw in &parked {
            let row: PulledRow = serde_json::from_str(raw)?;
            // A newer state of the same row may have arrived since it was parked.
            let newer: Option<i64> = entity::by_name(&row.entity)
                .map(|e| {
                    tx.query_row(
                        &format!("SELECT server_row_seq FROM {} WHERE id = ?1", e.name),
                        [&row.id],
                        |r| r.get(0),
                    )
                    .optional()
                })
                .transpose()?
                .flatten()
                .flatten();
            if newer.is_some_and(|s| s >= row.row_seq) {
                exec(tx, "DELETE FROM pull_parked WHERE scope = ?1 AND id = ?2", [scope, &row.id])?;
                continue;
            }
            ctx.any_parked = true;
            if apply_row(tx, scope, &row, now_ms, &mut ctx)? {
                progress = true;
            }
        }
        if !progress {
            tally.parked = parked.len();
            break;
        }
    }
    cravings::flush_rollup(tx, &ctx.rollup)?;
    state_set(tx, &keys::cursor(scope), &page.next_after.to_string())?;
    if let Some(h) = page.server_hlc {
        observe_hlc(tx, h, now_ms)?;
    }
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
