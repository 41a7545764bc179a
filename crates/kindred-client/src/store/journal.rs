//! Check-ins (log), goals and plan entries (registers). Each write records its outbox change in
//! the same transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kindred_core::clock::ZonedDateTime;
use kindred_core::entity::{CHECK_IN, GOAL, PLAN_ITEM};
use kindred_core::ids::{GoalId, PlanItemId};
use kindred_core::model::check_in::CheckIn;
use kindred_core::model::plan::{Goal, GoalStatus, PlanItem, Section};
use kindred_core::sync::wire::PulledField;
use rusqlite::types::Value as Sql;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;
use uuid::Uuid;

use super::cravings::local_parts_at;
use super::outbox::{self, Change, Op, WriteCtx};
use super::pull::decide::Columns;
use super::pull::hooks::{field_i64, field_str, wrote_any, TableHooks};
use crate::Result;

/// The check-in table in the generic pull path: its device-side column (the local day of `at`
/// in `tz`).
pub(crate) struct CheckInPullHooks;

impl TableHooks for CheckInPullHooks {
    fn derived(&self, fields: &BTreeMap<String, PulledField>) -> Vec<(&'static str, Sql)> {
        let p = field_i64(fields, "at")
            .zip(field_str(fields, "tz"))
            .and_then(|(at, tz)| local_parts_at(at, tz))
            .unwrap_or_default();
        vec![("local_day", Sql::Text(p.day))]
    }

    fn refresh(&self, tx: &Transaction<'_>, id: &str, cols: &Columns<'_>) -> Result<()> {
        if !wrote_any(cols, &["at", "tz"]) {
            return Ok(());
        }
        let row: Option<(i64, String)> = tx
            .prepare_cached("SELECT at, tz FROM check_in WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some(p) = row.and_then(|(at, tz)| local_parts_at(at, &tz)) {
            tx.prepare_cached("UPDATE check_in SET local_day = ?2 WHERE id = ?1")?
                .execute(params![id, p.day])?;
        }
        Ok(())
    }
}

/// Appends a check-in.
pub fn insert_check_in(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, c: &CheckIn) -> Result<()> {
    let at = c.at.instant().timestamp_millis();
    let day = super::cravings::local_parts(c.at.instant(), c.at.tz).day;
    tx.execute(
        "INSERT INTO check_in (id, cl, at, tz, local_day, mood, craving, halt, line, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            c.id.to_string(),
            at,
            c.at.tz.name(),
            day,
            c.mood,
            c.craving,
            json!(c.halt).to_string(),
            c.line,
            ctx.now_ms
        ],
    )?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &CHECK_IN,
            record_id: c.id.0,
            op: Op::Create,
            cl: 1,
            fields: vec![
                ("at", json!(at)),
                ("tz", json!(c.at.tz.name())),
                ("mood", json!(c.mood)),
                ("craving", json!(c.craving)),
                ("halt", json!(c.halt)),
                ("line", json!(c.line)),
            ],
            not_before: None,
        },
    )
}

/// Live check-ins since `from`, newest first, at most `limit`.
pub fn check_ins(tx: &Transaction<'_>, from: DateTime<Utc>, limit: u32) -> Result<Vec<CheckIn>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, at, tz, mood, craving, halt, line FROM check_in
         WHERE cl = 1 AND at >= ?1 ORDER BY at DESC, id DESC LIMIT ?2",
    )?;
    let raw = stmt
        .query_map(params![from.timestamp_millis(), limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u8>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter()
        .map(|(id, at, tz, mood, craving, halt, line)| {
            let tz = kindred_core::clock::parse_tz(&tz)?;
            Ok(CheckIn {
                id: id.parse()?,
                at: ZonedDateTime::from_instant(
                    DateTime::from_timestamp_millis(at).unwrap_or_default(),
                    tz,
                ),
                mood,
                craving,
                halt: serde_json::from_str(&halt)?,
                line,
            })
        })
        .collect()
}

/// All live goals, oldest first.
pub fn goals(tx: &Transaction<'_>) -> Result<Vec<Goal>> {
    let mut stmt = tx
        .prepare_cached("SELECT id, text, status FROM goal WHERE cl = 1 ORDER BY created_at, id")?;
    let raw = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter()
        .map(|(id, text, status)| {
            Ok(Goal {
                id: id.parse()?,
                text,
                status: GoalStatus::from_key(&status).unwrap_or(GoalStatus::Active),
            })
        })
        .collect()
}

/// Creates or updates a goal.
pub fn save_goal(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, g: &Goal, create: bool) -> Result<()> {
    let (op, n) = if create {
        let n = tx.execute(
            "INSERT INTO goal (id, cl, text, status, created_at) VALUES (?1, 1, ?2, ?3, ?4)",
            params![g.id.to_string(), g.text, g.status.key(), ctx.now_ms],
        )?;
        (Op::Create, n)
    } else {
        let n = tx.execute(
            "UPDATE goal SET text = ?1, status = ?2 WHERE id = ?3 AND cl = 1",
            params![g.text, g.status.key(), g.id.to_string()],
        )?;
        (Op::Set, n)
    };
    if n == 0 {
        return Err(crate::Error::NotFound("goal"));
    }
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &GOAL,
            record_id: g.id.0,
            op,
            cl: 1,
            fields: vec![("text", json!(g.text)), ("status", json!(g.status))],
            not_before: None,
        },
    )
}

/// Deletes a goal or a plan entry (final: these are small and quick to re-add).
fn delete(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, table: &str, id: Uuid) -> Result<bool> {
    let entity = match table {
        "goal" => &GOAL,
        "check_in" => &CHECK_IN,
        _ => &PLAN_ITEM,
    };
    let sql = format!("UPDATE {table} SET cl = 2 WHERE id = ?1 AND cl = 1");
    if tx.execute(&sql, [id.to_string()])? == 0 {
        return Ok(false);
    }
    outbox::record(
        tx,
        ctx,
        Change { entity, record_id: id, op: Op::Delete, cl: 2, fields: vec![], not_before: None },
    )?;
    Ok(true)
}

/// Deletes a check-in (final, like goals). Returns whether it existed.
pub fn delete_check_in(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: kindred_core::ids::CheckInId,
) -> Result<bool> {
    delete(tx, ctx, "check_in", id.0)
}

/// Deletes a goal. Returns whether it existed.
pub fn delete_goal(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, id: GoalId) -> Result<bool> {
    delete(tx, ctx, "goal", id.0)
}

/// The plan, by section then position.
pub fn plan(tx: &Transaction<'_>) -> Result<Vec<PlanItem>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, section, text, position FROM plan_item WHERE cl = 1
         ORDER BY section, position, id",
    )?;
    let raw = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, section, text, position) in raw {
        if let Some(section) = Section::from_key(&section) {
            out.push(PlanItem { id: id.parse()?, section, text, position });
        }
    }
    Ok(out)
}

/// Adds a plan entry at the end of its section.
pub fn add_plan_item(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: PlanItemId,
    section: Section,
    text: &str,
) -> Result<()> {
    let position: i64 = tx.query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM plan_item WHERE section = ?1 AND cl = 1",
        [section.key()],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO plan_item (id, cl, section, text, position, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5)",
        params![id.to_string(), section.key(), text, position, ctx.now_ms],
    )?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &PLAN_ITEM,
            record_id: id.0,
            op: Op::Create,
            cl: 1,
            fields: vec![
                ("section", json!(section)),
                ("text", json!(text)),
                ("position", json!(position)),
            ],
            not_before: None,
        },
    )
}

/// Deletes a plan entry. Returns whether it existed.
pub fn delete_plan_item(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, id: PlanItemId) -> Result<bool> {
    delete(tx, ctx, "plan_item", id.0)
}

/// Number of live entries in a section (for the cap).
pub fn section_len(tx: &Transaction<'_>, section: Section) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT count(*) FROM plan_item WHERE section = ?1 AND cl = 1",
        [section.key()],
        |r| r.get(0),
    )?)
}
