//! Applying a pulled page (SYNC.md §9): rows, field clocks, parked rows and the cursor in the
//! caller's transaction.
//!
//! Each row goes through three steps: read what the device holds ([`write::local`]), decide
//! ([`decide::decide`], pure and tested case by case), carry the decision out
//! ([`write::apply`]). The generic path writes column by column through the entity registry
//! (table = entity name, column = field name), so a new entity needs only its registry entry
//! and table; a table with device-side columns or rollups adds [`hooks`]. A row that cannot be
//! stored yet (a reset whose tracker has not arrived) is parked and retried after every page.

pub mod decide;
pub(crate) mod hooks;
mod write;

use std::collections::BTreeMap;

use kindred_core::entity;
use kindred_core::sync::wire::{PullResponse, PulledRow};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use self::decide::{Decision, Target};
use self::hooks::Deltas;
use super::sync::{keys, observe_hlc};
use super::{exec, state_set};
use crate::Result;

/// What a pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullTally {
    pub rows: usize,
    pub parked: usize,
}

/// Per-page state of a pull: rollup deltas by table, written once per page, whether any local
/// change is pending at all (most pulls: none, so no per-row outbox lookups), and whether any
/// row of the scope is parked.
struct PageCtx {
    rollups: BTreeMap<&'static str, Deltas>,
    outbox_pending: bool,
    any_parked: bool,
}

fn merge(into: &mut Deltas, from: Deltas) {
    for (k, (n, r, i)) in from {
        let e = into.entry(k).or_default();
        e.0 += n;
        e.1 += r;
        e.2 += i;
    }
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

fn is_constraint(err: &crate::Error) -> bool {
    matches!(err, crate::Error::Sqlite(e)
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation))
}

/// Whether every pulled value passes the registry's value check, the one the server applies:
/// a row this app couldn't read (an older server, a hostile one) is parked, never stored,
/// and never stops the pull. Times are not checked against this phone's clock.
fn readable(e: &entity::Entity, row: &PulledRow) -> bool {
    row.fields.as_ref().is_none_or(|fields| {
        fields.iter().all(|(name, f)| {
            e.fields
                .iter()
                .find(|d| d.name == name)
                .is_none_or(|d| entity::check_value(d, &f.value, i64::MAX / 4).is_ok())
        })
    })
}

/// Applies one pulled row of the user scope. `Ok(false)`: it cannot be stored yet (parked).
fn apply_user_row(
    tx: &Transaction<'_>,
    e: &'static entity::Entity,
    row: &PulledRow,
    now_ms: i64,
    ctx: &mut PageCtx,
) -> Result<bool> {
    if !readable(e, row) {
        return Ok(false);
    }
    let local = write::local(tx, e, &row.id, ctx.outbox_pending)?;
    let decision = decide::decide(e, &local, row);
    let hooks = hooks::hooks(e.name);
    // This row's rollup changes join the page's only if the row is stored.
    let mut delta = Deltas::new();
    match write::apply(tx, e, hooks, row, &decision, now_ms, &mut delta) {
        Ok(()) => {}
        Err(err)
            if is_constraint(&err)
                && matches!(decision, Decision::Insert(_) | Decision::Update { .. }) =>
        {
            return Ok(false);
        }
        Err(err) => return Err(err),
    }
    if !delta.is_empty() {
        merge(ctx.rollups.entry(e.name).or_default(), delta);
    }
    Ok(true)
}

fn apply_row(
    tx: &Transaction<'_>,
    scope: &str,
    row: &PulledRow,
    now_ms: i64,
    ctx: &mut PageCtx,
) -> Result<bool> {
    match decide::target(&row.entity) {
        Target::Unknown => Ok(true), // A newer app will fetch it.
        Target::Program => apply_program_row(tx, row).map(|()| true),
        Target::User(e) => {
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
    let mut ctx = PageCtx { rollups: BTreeMap::new(), outbox_pending, any_parked };
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
    for (table, acc) in &ctx.rollups {
        hooks::hooks(table).flush(tx, acc)?;
    }
    state_set(tx, &keys::cursor(scope), &page.next_after.to_string())?;
    if let Some(h) = page.server_hlc {
        observe_hlc(tx, h, now_ms)?;
    }
    Ok(tally)
}
