//! The SQL that carries out a pulled-row [`Decision`]: reading what the device holds
//! ([`local`]) and writing the row, its field clocks, its table's hooks and its `extra`
//! ([`apply`]). Statements go through the connection's cache (a page runs the same few
//! thousands of times) and there is no per-row savepoint: the one INSERT or UPDATE that can
//! break a constraint comes first and is atomic on its own.

use kindred_core::entity::Entity;
use kindred_core::sync::wire::PulledRow;
use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};

use super::decide::{Columns, Decision, Local, Pending};
use super::exec;
use super::hooks::{Deltas, TableHooks};
use crate::Result;

/// What the device holds for `id` of `e`. Pending changes are looked up only when the record
/// exists and `outbox_pending` says any change waits at all (most pulls: none).
pub(super) fn local(
    tx: &Transaction<'_>,
    e: &Entity,
    id: &str,
    outbox_pending: bool,
) -> Result<Local> {
    let cl: Option<i64> = tx
        .prepare_cached(&format!("SELECT cl FROM {} WHERE id = ?1", e.name))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let pending =
        if outbox_pending && cl.is_some() { pending(tx, e, id)? } else { Pending::default() };
    Ok(Local { cl, pending })
}

/// Fields of `id` with a pending local change, and whether a local delete is pending.
fn pending(tx: &Transaction<'_>, e: &Entity, id: &str) -> Result<Pending> {
    let mut stmt = tx.prepare_cached(
        "SELECT op, payload FROM outbox WHERE entity = ?1 AND record_id = ?2 AND state = 'pending'",
    )?;
    let mut out = Pending::default();
    let rows =
        stmt.query_map([e.name, id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (op, payload) = row?;
        out.deleting |= op == "delete";
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&payload) {
            out.fields.extend(m.keys().cloned());
        }
    }
    Ok(out)
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

/// The server clocks of the written fields, as stored in `server_clock`.
fn clocks(cols: &Columns<'_>) -> String {
    let m: Map<String, Value> = cols
        .set
        .iter()
        .map(|(name, f)| ((*name).to_owned(), json!([f.hlc.0, f.node, f.change_id])))
        .collect();
    Value::Object(m).to_string()
}

/// Carries out `decision` for `row` of `e`. Rollup changes go to `delta` (the caller keeps them
/// only if the row was stored). A constraint violation (a parent not here yet) is returned as
/// an error for the caller to park the row.
pub(super) fn apply(
    tx: &Transaction<'_>,
    e: &Entity,
    hooks: &dyn TableHooks,
    row: &PulledRow,
    decision: &Decision<'_>,
    now_ms: i64,
    delta: &mut Deltas,
) -> Result<()> {
    let table = e.name;
    match decision {
        Decision::Keep(_) => Ok(()),
        Decision::Tombstone { wipe, uncount } => {
            if *uncount {
                hooks.rollup(tx, &row.id, -1, delta)?;
            }
            if *wipe {
                exec(
                    tx,
                    &format!(
                        "UPDATE {table} SET cl = ?2, server_row_seq = ?3, server_clock = NULL WHERE id = ?1"
                    ),
                    params![row.id, row.cl, row.row_seq],
                )?;
            }
            // Final: drop pending edits (they can never win) and what could bring fields back.
            exec(
                tx,
                "DELETE FROM outbox WHERE entity = ?1 AND record_id = ?2 AND state = 'pending'",
                [table, &row.id],
            )?;
            exec(
                tx,
                "DELETE FROM field_clock WHERE entity = ?1 AND record_id = ?2",
                [table, &row.id],
            )?;
            exec(
                tx,
                "UPDATE sent_log SET change = json_set(change, '$.fields', json('{}'))
                 WHERE entity = ?1 AND record_id = ?2",
                [table, &row.id],
            )?;
            Ok(())
        }
        Decision::Insert(cols) => {
            let mut names = vec!["id", "cl", "created_at", "server_row_seq", "server_clock"];
            let mut all = vec![
                Sql::Text(row.id.clone()),
                Sql::Integer(row.cl.into()),
                Sql::Integer(now_ms),
                Sql::Integer(row.row_seq),
                Sql::Text(clocks(cols)),
            ];
            for (name, f) in &cols.set {
                names.push(name);
                all.push(to_sql(&f.value));
            }
            // Device-side columns, from the row's own fields.
            if let Some(fields) = &row.fields {
                for (name, v) in hooks.derived(fields) {
                    names.push(name);
                    all.push(v);
                }
            }
            let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
            tx.prepare_cached(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            ))?
            .execute(params_from_iter(all.iter()))?;
            finish(tx, table, hooks, row, cols, delta)
        }
        Decision::Update { cols, pending_edits } => {
            hooks.rollup(tx, &row.id, -1, delta)?;
            let mut sets: Vec<String> = cols
                .set
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{c} = ?{}", i + 4))
                .collect();
            sets.push("server_row_seq = ?2".into());
            sets.push("server_clock = json_patch(coalesce(server_clock, '{}'), ?3)".into());
            let mut all =
                vec![Sql::Text(row.id.clone()), Sql::Integer(row.row_seq), Sql::Text(clocks(cols))];
            all.extend(cols.set.iter().map(|(_, f)| to_sql(&f.value)));
            tx.prepare_cached(&format!("UPDATE {table} SET {} WHERE id = ?1", sets.join(", ")))?
                .execute(params_from_iter(all.iter()))?;
            hooks.refresh(tx, &row.id, cols)?;
            // The shown value is now the server's: local clocks of those fields are superseded.
            if *pending_edits {
                for (c, _) in &cols.set {
                    exec(
                        tx,
                        "DELETE FROM field_clock WHERE entity = ?1 AND record_id = ?2 AND field = ?3",
                        [table, &row.id, c],
                    )?;
                }
            } else {
                exec(
                    tx,
                    "DELETE FROM field_clock WHERE entity = ?1 AND record_id = ?2",
                    [table, &row.id],
                )?;
            }
            finish(tx, table, hooks, row, cols, delta)
        }
    }
}

/// After an insert or update: unknown fields into `extra`, the new state into the rollups.
fn finish(
    tx: &Transaction<'_>,
    table: &str,
    hooks: &dyn TableHooks,
    row: &PulledRow,
    cols: &Columns<'_>,
    delta: &mut Deltas,
) -> Result<()> {
    if !cols.extra.is_empty() {
        let extra: Map<String, Value> =
            cols.extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).clone())).collect();
        exec(
            tx,
            &format!(
                "UPDATE {table} SET extra = json_patch(coalesce(extra, '{{}}'), ?2) WHERE id = ?1"
            ),
            params![row.id, Value::Object(extra).to_string()],
        )?;
    }
    hooks.rollup(tx, &row.id, 1, delta)
}
