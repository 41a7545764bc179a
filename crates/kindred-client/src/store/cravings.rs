//! Craving rows: insert, details update, delete with undo, reads. Each write keeps the
//! device-side columns (`local_day`, `local_hour`, `local_dow`) and the insights rollups
//! (`craving_rollup`) in the same transaction as the row and its outbox entry: a live craving
//! is counted exactly once, a deleted one not at all.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Timelike, Utc};
use kindred_core::clock::ZonedDateTime;
use kindred_core::entity::CRAVING;
use kindred_core::ids::CravingId;
use kindred_core::model::craving::{Craving, Details, Outcome, Surf, Trigger};
use kindred_core::sync::wire::PulledField;
use rusqlite::types::Value as Sql;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::outbox::{self, Change, Op, WriteCtx};
use super::pull::decide::Columns;
use super::pull::hooks::{field_i64, field_str, wrote_any, Deltas, TableHooks};
use super::trackers::UNDO_WINDOW_MS;
use crate::Result;

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

fn details_fields(d: &Details) -> Vec<(&'static str, Value)> {
    vec![
        ("triggers", json!(d.triggers)),
        ("tags", json!(d.tags)),
        ("place", json!(d.place)),
        ("with_whom", json!(d.with_whom)),
        ("coping", json!(d.coping)),
        ("outcome", json!(d.outcome)),
        ("end_intensity", json!(d.end_intensity)),
        ("note", json!(d.note)),
    ]
}

/// The device-side columns of an instant in a zone: the local day (`YYYY-MM-DD`), hour and
/// weekday (0 = Monday). One definition for every write path (local writes and pulls).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct LocalParts {
    pub day: String,
    pub hour: u32,
    pub dow: u32,
}

pub(crate) fn local_parts(at: DateTime<Utc>, tz: chrono_tz::Tz) -> LocalParts {
    let local = at.with_timezone(&tz);
    LocalParts {
        day: local.date_naive().format("%Y-%m-%d").to_string(),
        hour: local.hour(),
        dow: local.weekday().num_days_from_monday(),
    }
}

/// The device-side columns of an instant given as unix ms and a zone name, as a pulled row
/// carries them; `None` when either does not parse.
pub(crate) fn local_parts_at(at_ms: i64, tz: &str) -> Option<LocalParts> {
    Some(local_parts(DateTime::from_timestamp_millis(at_ms)?, tz.parse().ok()?))
}

/// Pending changes to `craving_rollup`: (kind, key) → (n, rode_out, intensity_sum) deltas.
pub(crate) type RollupDelta = Deltas;

/// Adds (`sign = 1`) or removes (`sign = -1`) one live craving's counts to `acc`.
pub(crate) fn rollup_delta(c: &Craving, sign: i64, acc: &mut RollupDelta) {
    let local = local_parts(c.at.instant(), c.at.tz);
    let d = &c.details;
    let rode = i64::from(d.outcome == Some(Outcome::RodeItOut));
    let mut add = |kind: &'static str, key: String| {
        let e = acc.entry((kind, key)).or_default();
        e.0 += sign;
        e.1 += sign * rode;
        e.2 += sign * i64::from(c.intensity);
    };
    add("hour", local.hour.to_string());
    add("dow", local.dow.to_string());
    add("day", local.day);
    if let Some(o) = d.outcome {
        add("outcome", o.key().to_owned());
    }
    // Each trigger and coping entry counts once per craving, even if repeated in the row.
    let triggers: BTreeSet<&str> = d.triggers.iter().map(|t| t.key()).collect();
    for t in triggers {
        add("trigger", t.to_owned());
    }
    let coping: BTreeSet<&str> = d.coping.iter().map(String::as_str).collect();
    for k in coping {
        add("coping", k.to_owned());
    }
}

/// Writes accumulated rollup deltas (one upsert per key that changed).
pub(crate) fn flush_rollup(tx: &Transaction<'_>, acc: &RollupDelta) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO craving_rollup (kind, key, n, rode_out, intensity_sum)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, key) DO UPDATE SET n = n + excluded.n,
             rode_out = rode_out + excluded.rode_out,
             intensity_sum = intensity_sum + excluded.intensity_sum",
    )?;
    for ((kind, key), (n, rode, sum)) in acc {
        if (*n, *rode, *sum) != (0, 0, 0) {
            stmt.execute(params![kind, key, n, rode, sum])?;
        }
    }
    Ok(())
}

/// Adds (`sign = 1`) or removes (`sign = -1`) one live craving from the insights rollups.
pub(crate) fn rollup(tx: &Transaction<'_>, c: &Craving, sign: i64) -> Result<()> {
    let mut acc = RollupDelta::new();
    rollup_delta(c, sign, &mut acc);
    flush_rollup(tx, &acc)
}

/// The craving table in the generic pull path: its device-side columns (local day, hour and
/// weekday of `started_at` in `tz`) and its rollups.
pub(crate) struct PullHooks;

impl TableHooks for PullHooks {
    fn derived(&self, fields: &BTreeMap<String, PulledField>) -> Vec<(&'static str, Sql)> {
        let p = field_i64(fields, "started_at")
            .zip(field_str(fields, "tz"))
            .and_then(|(at, tz)| local_parts_at(at, tz))
            .unwrap_or_default();
        vec![
            ("local_day", Sql::Text(p.day)),
            ("local_hour", Sql::Integer(p.hour.into())),
            ("local_dow", Sql::Integer(p.dow.into())),
        ]
    }

    fn refresh(&self, tx: &Transaction<'_>, id: &str, cols: &Columns<'_>) -> Result<()> {
        if !wrote_any(cols, &["started_at", "tz"]) {
            return Ok(());
        }
        let row: Option<(i64, String)> = tx
            .prepare_cached("SELECT started_at, tz FROM craving WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some(p) = row.and_then(|(at, tz)| local_parts_at(at, &tz)) {
            tx.prepare_cached(
                "UPDATE craving SET local_day = ?2, local_hour = ?3, local_dow = ?4 WHERE id = ?1",
            )?
            .execute(params![id, p.day, p.hour, p.dow])?;
        }
        Ok(())
    }

    fn rollup(&self, tx: &Transaction<'_>, id: &str, sign: i64, acc: &mut Deltas) -> Result<()> {
        let Ok(uuid) = uuid::Uuid::parse_str(id) else { return Ok(()) };
        if let Some(c) = get(tx, CravingId(uuid))? {
            rollup_delta(&c, sign, acc);
        }
        Ok(())
    }

    fn flush(&self, tx: &Transaction<'_>, acc: &Deltas) -> Result<()> {
        flush_rollup(tx, acc)
    }
}

/// Inserts a new craving (quick log or full).
pub fn insert(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, c: &Craving) -> Result<()> {
    let id = c.id.to_string();
    let local = local_parts(c.at.instant(), c.at.tz);
    let d = &c.details;
    tx.prepare_cached(
        "INSERT INTO craving (id, cl, started_at, tz, local_day, local_hour, local_dow, intensity,
             triggers, tags, place, with_whom, coping, outcome, end_intensity, surf_started_at,
             surf_ended_at, note, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        id,
        ms(c.at.instant()),
        c.at.tz.name(),
        local.day,
        local.hour,
        local.dow,
        c.intensity,
        json!(d.triggers).to_string(),
        json!(d.tags).to_string(),
        d.place,
        d.with_whom,
        json!(d.coping).to_string(),
        d.outcome.map(Outcome::key),
        d.end_intensity,
        c.surf.map(|s| ms(s.started_at)),
        c.surf.and_then(|s| s.ended_at).map(ms),
        d.note,
        ctx.now_ms
    ])?;
    rollup(tx, c, 1)?;
    let mut fields = vec![
        ("started_at", json!(ms(c.at.instant()))),
        ("tz", json!(c.at.tz.name())),
        ("intensity", json!(c.intensity)),
        ("surf_started_at", json!(c.surf.map(|s| ms(s.started_at)))),
        ("surf_ended_at", json!(c.surf.and_then(|s| s.ended_at).map(ms))),
    ];
    fields.extend(details_fields(d));
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &CRAVING,
            record_id: c.id.0,
            op: Op::Create,
            cl: 1,
            fields,
            not_before: None,
        },
    )
}

/// Replaces the details of a live craving. Returns whether it existed.
pub fn update_details(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    id: CravingId,
    d: &Details,
) -> Result<bool> {
    let Some(old) = get(tx, id)? else { return Ok(false) };
    rollup(tx, &old, -1)?;
    tx.execute(
        "UPDATE craving SET triggers = ?1, tags = ?2, place = ?3, with_whom = ?4, coping = ?5,
                outcome = ?6, end_intensity = ?7, note = ?8
         WHERE id = ?9 AND cl = 1",
        params![
            json!(d.triggers).to_string(),
            json!(d.tags).to_string(),
            d.place,
            d.with_whom,
            json!(d.coping).to_string(),
            d.outcome.map(Outcome::key),
            d.end_intensity,
            d.note,
            id.to_string()
        ],
    )?;
    rollup(tx, &Craving { details: d.clone(), ..old }, 1)?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &CRAVING,
            record_id: id.0,
            op: Op::Set,
            cl: 1,
            fields: details_fields(d),
            not_before: None,
        },
    )?;
    Ok(true)
}

/// Records an urge-surfing session's times.
pub fn set_surf(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, id: CravingId, s: Surf) -> Result<()> {
    let (start, end) = (ms(s.started_at), s.ended_at.map(ms));
    tx.execute(
        "UPDATE craving SET surf_started_at = ?1, surf_ended_at = ?2 WHERE id = ?3 AND cl % 2 = 1",
        params![start, end, id.to_string()],
    )?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &CRAVING,
            record_id: id.0,
            op: Op::Set,
            cl: 1,
            fields: vec![("surf_started_at", json!(start)), ("surf_ended_at", json!(end))],
            not_before: None,
        },
    )
}

/// Deletes a craving (generation 2); undo is possible until the delete is sent. Returns
/// whether it existed.
pub fn delete(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, id: CravingId) -> Result<bool> {
    let Some(old) = get(tx, id)? else { return Ok(false) };
    rollup(tx, &old, -1)?;
    tx.execute("UPDATE craving SET cl = 2 WHERE id = ?1 AND cl = 1", [id.to_string()])?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &CRAVING,
            record_id: id.0,
            op: Op::Delete,
            cl: 2,
            fields: vec![],
            not_before: Some(ctx.now_ms + UNDO_WINDOW_MS),
        },
    )?;
    Ok(true)
}

/// Undoes an unsent delete. Returns whether the craving came back.
pub fn undelete(tx: &Transaction<'_>, now_ms: i64, id: CravingId) -> Result<bool> {
    if !outbox::take_unsent_delete(tx, &CRAVING, id.0, now_ms)? {
        return Ok(false);
    }
    if tx.execute("UPDATE craving SET cl = 1 WHERE id = ?1 AND cl = 2", [id.to_string()])? != 1 {
        return Ok(false);
    }
    match get(tx, id)? {
        Some(c) => rollup(tx, &c, 1).map(|()| true),
        None => Ok(false),
    }
}

/// The mentee's own coping entries seen so far (for the form), alphabetical.
pub fn coping_seen(tx: &Transaction<'_>, limit: u32) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT key FROM craving_rollup WHERE kind = 'coping' AND n > 0 ORDER BY key LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The triggers this app knows, in stored order: one a newer app (or another client) wrote
/// is left out of the view, never an error (the stored list keeps it).
fn known_triggers(raw: &str) -> Result<Vec<Trigger>> {
    let names: Vec<String> = serde_json::from_str(raw)?;
    Ok(names.iter().filter_map(|n| Trigger::from_key(n)).collect())
}

const COLS: &str = "id, started_at, tz, intensity, triggers, tags, place, with_whom, coping, \
                    outcome, end_intensity, surf_started_at, surf_ended_at, note";

fn decode(r: &Row<'_>) -> rusqlite::Result<Result<Craving>> {
    let id: String = r.get(0)?;
    let started_at: i64 = r.get(1)?;
    let tz: String = r.get(2)?;
    let intensity: u8 = r.get(3)?;
    let triggers: String = r.get(4)?;
    let tags: String = r.get(5)?;
    let place: Option<String> = r.get(6)?;
    let with_whom: Option<String> = r.get(7)?;
    let coping: String = r.get(8)?;
    let outcome: Option<String> = r.get(9)?;
    let end_intensity: Option<u8> = r.get(10)?;
    let surf_start: Option<i64> = r.get(11)?;
    let surf_end: Option<i64> = r.get(12)?;
    let note: Option<String> = r.get(13)?;
    Ok((|| {
        let tz = kindred_core::clock::parse_tz(&tz)?;
        Ok(Craving {
            id: id.parse()?,
            at: ZonedDateTime::from_instant(from_ms(started_at), tz),
            intensity,
            details: Details {
                triggers: known_triggers(&triggers)?,
                tags: serde_json::from_str(&tags)?,
                place,
                with_whom,
                coping: serde_json::from_str(&coping)?,
                outcome: outcome.as_deref().and_then(Outcome::from_key),
                end_intensity,
                note,
            },
            surf: surf_start
                .map(|s| Surf { started_at: from_ms(s), ended_at: surf_end.map(from_ms) }),
        })
    })())
}

/// One live craving.
pub fn get(tx: &Transaction<'_>, id: CravingId) -> Result<Option<Craving>> {
    let sql = format!("SELECT {COLS} FROM craving WHERE id = ?1 AND cl = 1");
    tx.prepare_cached(&sql)?.query_row([id.to_string()], decode).optional()?.transpose()
}

/// Live cravings started in `[from, to)`, newest first, at most `limit`.
pub fn list(
    tx: &Transaction<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Craving>> {
    let sql = format!(
        "SELECT {COLS} FROM craving WHERE cl = 1 AND started_at >= ?1 AND started_at < ?2
         ORDER BY started_at DESC, id DESC LIMIT ?3"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![ms(from), ms(to), limit], decode)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}
