//! Consent on the phone: the `consent_event` ledger (grants and revocations, only ever
//! added, each with its outbox change in the same transaction), the mentors the program
//! linked to this mentee (`mentor_link` records in `program_record`), and the disclosure log
//! pulled from the program (`disclosure`, each row stored once by its id).

use kindred_core::consent::{categories_value, Event, Grant, Revoke, TEXT_VERSION};
use kindred_core::entity::CONSENT_EVENT;
use kindred_core::sync::account::DisclosureRow;
use rusqlite::{params, Transaction};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::outbox::{self, Change, Op, WriteCtx};
use super::{state_get, state_set};
use crate::Result;

/// A mentor the program linked to this mentee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The assignment (a grant names it).
    pub id: String,
    pub mentor_id: String,
    pub name: String,
    pub program: String,
    pub active: bool,
}

/// Every mentor link the phone has pulled.
pub fn links(tx: &Transaction<'_>) -> Result<Vec<Link>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, fields FROM program_record WHERE entity = 'mentor_link' AND cl % 2 = 1 ORDER BY id",
    )?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, raw) = row?;
        let f: Map<String, Value> =
            raw.map(|s| serde_json::from_str(&s)).transpose()?.unwrap_or_default();
        let text = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        out.push(Link {
            id,
            mentor_id: text("mentor_id"),
            name: text("name"),
            program: text("program"),
            active: f.get("active").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    Ok(out)
}

/// The fields of `event` as stored and sent.
fn fields(
    event: &Event,
    recipient_name: Option<&str>,
    app_version: &str,
) -> Vec<(&'static str, Value)> {
    match event {
        Event::Grant(g) => vec![
            ("action", json!("grant")),
            ("assignment_id", json!(g.assignment)),
            ("recipient", json!(g.recipient)),
            ("recipient_name", json!(recipient_name)),
            ("categories", categories_value(&g.categories)),
            ("purpose", json!(g.purpose)),
            ("expires_at", json!(g.expires_at)),
            ("phone", json!(g.phone)),
            ("signed_at", json!(g.signed_at)),
            ("app_version", json!(app_version)),
            ("text_version", json!(TEXT_VERSION)),
        ],
        Event::Revoke(r) => vec![
            ("action", json!("revoke")),
            ("grant_id", json!(r.grant_id)),
            ("signed_at", json!(r.signed_at)),
            ("app_version", json!(app_version)),
            ("text_version", json!(TEXT_VERSION)),
        ],
    }
}

/// Appends a grant or revocation and its outbox change.
pub fn append(
    tx: &Transaction<'_>,
    ctx: &WriteCtx<'_>,
    event: &Event,
    recipient_name: Option<&str>,
    app_version: &str,
) -> Result<()> {
    let f = fields(event, recipient_name, app_version);
    let get =
        |k: &str| f.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()).unwrap_or(Value::Null);
    let text = |k: &str| get(k).as_str().map(str::to_owned);
    tx.execute(
        "INSERT INTO consent_event (id, cl, action, grant_id, assignment_id, recipient,
           recipient_name, categories, purpose, expires_at, phone, signed_at, app_version,
           text_version, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            event.id(),
            text("action"),
            text("grant_id"),
            text("assignment_id"),
            text("recipient"),
            text("recipient_name"),
            (!get("categories").is_null()).then(|| get("categories").to_string()),
            text("purpose"),
            get("expires_at").as_i64(),
            text("phone"),
            get("signed_at").as_i64(),
            app_version,
            TEXT_VERSION,
            ctx.now_ms,
        ],
    )?;
    let record_id: Uuid = event.id().parse().map_err(|_| kindred_core::Error::InvalidId)?;
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &CONSENT_EVENT,
            record_id,
            op: Op::Create,
            cl: 1,
            fields: f,
            not_before: None,
        },
    )
}

/// One stored event with what the receipt shows besides the event itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub event: Event,
    pub recipient_name: Option<String>,
    pub app_version: String,
    pub text_version: i64,
    /// Whether the program has it (acknowledged).
    pub synced: bool,
}

/// Every consent event on this phone, oldest first.
pub fn events(tx: &Transaction<'_>) -> Result<Vec<Stored>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, action, grant_id, assignment_id, recipient, recipient_name, categories,
                purpose, expires_at, phone, signed_at, app_version, text_version,
                NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'consent_event'
                            AND o.record_id = consent_event.id)
         FROM consent_event ORDER BY signed_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<i64>>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, i64>(10)?,
            r.get::<_, String>(11)?,
            r.get::<_, i64>(12)?,
            r.get::<_, bool>(13)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            id,
            action,
            grant_id,
            assignment,
            recipient,
            name,
            cats,
            purpose,
            expires,
            phone,
            signed_at,
            app,
            tv,
            synced,
        ) = row?;
        let mut f = Map::new();
        f.insert("action".into(), json!(action));
        f.insert("grant_id".into(), json!(grant_id));
        f.insert("assignment_id".into(), json!(assignment));
        f.insert("recipient".into(), json!(recipient));
        f.insert(
            "categories".into(),
            cats.map(|c| serde_json::from_str(&c)).transpose()?.unwrap_or(Value::Null),
        );
        f.insert("purpose".into(), json!(purpose));
        f.insert("expires_at".into(), json!(expires));
        f.insert("phone".into(), json!(phone));
        f.insert("signed_at".into(), json!(signed_at));
        // A row this version cannot read (from a newer app) is left out, never guessed at.
        let Ok(event) = Event::from_fields(&id, &f) else { continue };
        out.push(Stored {
            event,
            recipient_name: name,
            app_version: app,
            text_version: tv,
            synced,
        });
    }
    Ok(out)
}

/// A new grant's event.
pub fn grant_event(id: Uuid, g: Grant) -> Event {
    Event::Grant(Grant { id: id.to_string(), ..g })
}

/// A revocation's event.
pub fn revoke_event(id: Uuid, grant_id: &str, now_ms: i64) -> Event {
    Event::Revoke(Revoke { id: id.to_string(), grant_id: grant_id.to_owned(), signed_at: now_ms })
}

const DISCLOSURE_CURSOR: &str = "disclosure_cursor";

/// Where the next disclosure pull starts: `(at, id)` of the last stored row.
pub fn disclosure_cursor(tx: &Transaction<'_>) -> Result<(i64, String)> {
    let raw = state_get(tx, DISCLOSURE_CURSOR)?.unwrap_or_default();
    let (at, id) = raw.split_once(' ').unwrap_or(("0", ""));
    Ok((at.parse().unwrap_or(0), id.to_owned()))
}

/// Stores a pulled page of the disclosure log (each row once) and moves the cursor, in one
/// transaction. Returns how many rows were new.
pub fn store_disclosures(tx: &Transaction<'_>, rows: &[DisclosureRow]) -> Result<usize> {
    let mut n = 0;
    for r in rows {
        n += tx
            .prepare_cached(
                "INSERT OR IGNORE INTO disclosure (id, at, mentor, categories, consent_ids, purpose, channel)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![r.id, r.at, r.mentor, r.categories.join(","), r.consent_ids.join(","), r.purpose, r.channel])?;
    }
    if let Some(last) = rows.last() {
        state_set(tx, DISCLOSURE_CURSOR, &format!("{} {}", last.at, last.id))?;
    }
    Ok(n)
}

/// The disclosure log, newest first, at most `limit` rows.
pub fn disclosures(tx: &Transaction<'_>, limit: u32) -> Result<Vec<DisclosureRow>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, at, mentor, categories, consent_ids, purpose, channel FROM disclosure
         ORDER BY at DESC, id DESC LIMIT ?1",
    )?;
    let split = |s: String| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect();
    let rows = stmt.query_map([limit], |r| {
        Ok(DisclosureRow {
            id: r.get(0)?,
            at: r.get(1)?,
            mentor: r.get(2)?,
            categories: split(r.get(3)?),
            consent_ids: split(r.get(4)?),
            purpose: r.get(5)?,
            channel: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
