//! The single write path (SYNC.md §7): device pushes and staff writes both end in [`write`],
//! so every `row_seq` has a `change_log` row, every merge uses the one rule of
//! `kindred_core::sync::merge`, and deleted content is wiped in the same transaction.
//!
//! A batch is applied in steps, inside the caller's transaction and under the scope's row lock:
//! [`load`] what the log knows of the batch's change ids and the records they touch (one query
//! each), [`merge`] every change in order (pure: outcomes, new record states, log rows),
//! then write the changed records, the change log, and wipe the content of deleted records.

use std::collections::{BTreeMap, HashMap};

use kindred_core::entity;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::{self, FieldState, Op, Outcome, RecordState, WriteKey};
use kindred_core::sync::wire::{
    canonical_json, digest_term, ErrorCode, PulledField, PushOutcome, PushResult, WireChange,
};
use serde_json::Value;

use crate::db::{Tx, Val};
use crate::principal::Principal;
use crate::service::{security_event, SecurityEvent};
use crate::{secrets, Error, Result};

/// One change offered to the write path: its effective clock, its payload MAC, and its
/// rejection code when the caller's checks already refused it.
#[derive(Debug, Clone)]
pub(crate) struct Offer<'a> {
    pub change: &'a WireChange,
    pub hlc_eff: Hlc,
    pub rejected: Option<ErrorCode>,
    /// The MAC of the canonical change (replay detection), computed before the transaction so
    /// the hashing never holds the write lock.
    mac: Vec<u8>,
}

impl<'a> Offer<'a> {
    /// Offers `change` at `hlc_eff`; `mac_key` is the server's payload MAC key.
    pub fn new(
        change: &'a WireChange,
        hlc_eff: Hlc,
        rejected: Option<ErrorCode>,
        mac_key: &[u8; 32],
    ) -> Offer<'a> {
        Offer { change, hlc_eff, rejected, mac: mac(mac_key, change) }
    }
}

/// Applies `offers` in order to `scope` as `who`, inside the caller's transaction: takes the
/// scope's row lock, applies, and advances the scope's seq and digest. Replays (same id, same
/// MAC) are `duplicate`, a reused id with another payload is refused, later changes to a record
/// whose create was refused are `depends_on_rejected`, and every other change is merged; every
/// outcome except a rejection leaves a `change_log` row, and a record that becomes deleted has
/// its content wiped from `record` and `change_log` in the same transaction.
pub(crate) fn write(
    tx: &mut dyn Tx,
    scope: &str,
    who: &Principal,
    offers: &[Offer<'_>],
    now: i64,
) -> Result<Vec<PushResult>> {
    let mut lock = ScopeLock::take(tx, scope)?;
    let mut loaded = load(tx, scope, offers)?;
    let plan = merge(&mut lock, &mut loaded, who, offers, now);
    for _ in 0..plan.reused_keys {
        security_event(tx, now, SecurityEvent::IdempotencyKeyReused, who.device_id())?;
    }
    write_records(tx, scope, &loaded.records, &plan.dirty)?;
    write_log(tx, &plan.log_rows)?;
    wipe(tx, scope, &plan.wiped)?;
    crate::consent::project(tx, scope, offers, &plan.results, now)?;
    lock.save(tx)?;
    Ok(plan.results)
}

/// `$from, $from+1, …` (n of them).
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn mac(key: &[u8; 32], c: &WireChange) -> Vec<u8> {
    let v = serde_json::to_value(c).unwrap_or(Value::Null);
    secrets::mac(key, canonical_json(&v).as_bytes())
}

/// The scope row, locked for the rest of the transaction (PostgreSQL row lock; SQLite holds
/// its one write lock already). Seq and digest are then advanced in memory and written once.
struct ScopeLock {
    scope: String,
    seq: i64,
    digest: u64,
}

impl ScopeLock {
    fn take(tx: &mut dyn Tx, scope: &str) -> Result<ScopeLock> {
        let r = tx
            .one(
                "UPDATE sync_scope SET seq = seq WHERE scope_id = $1 RETURNING seq, digest",
                &[scope.into()],
            )?
            .ok_or(Error::NotFound("scope"))?;
        Ok(ScopeLock { scope: scope.to_owned(), seq: r.int(0)?, digest: r.int(1)? as u64 })
    }

    fn save(&self, tx: &mut dyn Tx) -> Result<()> {
        tx.exec(
            "UPDATE sync_scope SET seq = $2, digest = $3 WHERE scope_id = $1",
            &[(&self.scope).into(), self.seq.into(), (self.digest as i64).into()],
        )?;
        Ok(())
    }
}

/// A record's stored state: its merge state plus where it sits in its scope.
struct Stored {
    entity: String,
    state: RecordState,
    row_seq: i64,
}

/// A record's stored fields JSON (`{name: {value, hlc, node, change_id}}`), as pulled.
pub(crate) fn stored_fields(raw: &str) -> Result<BTreeMap<String, PulledField>> {
    serde_json::from_str(raw).map_err(|e| Error::Db(format!("record fields: {e}")))
}

/// The stored fields JSON as merge state.
pub(crate) fn parse_fields(cl: u32, raw: Option<&str>) -> Result<BTreeMap<String, FieldState>> {
    let Some(raw) = raw else { return Ok(BTreeMap::new()) };
    Ok(stored_fields(raw)?
        .into_iter()
        .map(|(k, f)| {
            let key = WriteKey { cl, hlc: f.hlc, node: f.node, change_id: f.change_id };
            (k, FieldState { value: f.value, key })
        })
        .collect())
}

fn fields_json(state: &RecordState) -> Option<String> {
    if state.cl.is_multiple_of(2) {
        return None;
    }
    let m: BTreeMap<&String, PulledField> = state
        .fields
        .iter()
        .map(|(k, f)| {
            let pf = PulledField {
                value: f.value.clone(),
                hlc: f.key.hlc,
                node: f.key.node.clone(),
                change_id: f.key.change_id,
            };
            (k, pf)
        })
        .collect();
    serde_json::to_string(&m).ok()
}

fn counted(s: &RecordState) -> bool {
    s.has_create || (s.cl > 0 && s.cl.is_multiple_of(2))
}

/// What storage knows before the batch: logged change ids (MAC, seq) and the touched records
/// (`None`: not stored yet).
struct Loaded {
    seen: HashMap<String, (Vec<u8>, Option<i64>)>,
    records: HashMap<String, Option<Stored>>,
}

/// Step 1: one query for the batch's change ids, one for its records (this scope only).
fn load(tx: &mut dyn Tx, scope: &str, offers: &[Offer<'_>]) -> Result<Loaded> {
    let mut seen = HashMap::new();
    let ids: Vec<String> = offers.iter().map(|o| o.change.change_id.to_string()).collect();
    for chunk in ids.chunks(250) {
        let marks = placeholders(1, chunk.len());
        let params: Vec<Val> = chunk.iter().map(Val::from).collect();
        for r in tx.query(
            &format!(
                "SELECT change_id, payload_mac, seq FROM change_log WHERE change_id IN ({marks})"
            ),
            &params,
        )? {
            seen.insert(r.text(0)?, (r.blob(1)?, r.opt_int(2)?));
        }
    }
    let mut records = HashMap::new();
    // Only changes that passed the registry checks: a refused one's record id can be anything
    // (a NUL character, say), and is never looked up or stored.
    let mut wanted: Vec<&str> = offers
        .iter()
        .filter(|o| o.rejected.is_none())
        .map(|o| o.change.record_id.as_str())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    for chunk in wanted.chunks(250) {
        let marks = placeholders(2, chunk.len());
        let mut params: Vec<Val> = vec![scope.into()];
        params.extend(chunk.iter().map(|id| Val::from(*id)));
        for r in tx.query(
            &format!(
                "SELECT id, entity, cl, has_create, row_seq, fields FROM record
                 WHERE scope_id = $1 AND id IN ({marks})"
            ),
            &params,
        )? {
            let cl = u32::try_from(r.int(2)?).map_err(|_| Error::Db("bad cl".into()))?;
            let fields = parse_fields(cl, r.opt_text(5)?.as_deref())?;
            let stored = Stored {
                entity: r.text(1)?,
                state: RecordState { cl, has_create: r.int(3)? != 0, fields },
                row_seq: r.int(4)?,
            };
            records.insert(r.text(0)?, Some(stored));
        }
    }
    Ok(Loaded { seen, records })
}

/// What the merge decided, for the write steps.
struct Plan {
    results: Vec<PushResult>,
    /// Records whose state changed, in first-change order.
    dirty: Vec<String>,
    /// Records that became deleted.
    wiped: Vec<String>,
    /// `change_log` rows, 16 values each.
    log_rows: Vec<Vec<Val>>,
    /// Change ids offered again with another payload (each a security event).
    reused_keys: usize,
}

/// Step 2 (no I/O): every offer in order against the loaded state, advancing the scope's seq
/// and digest in `lock`.
fn merge(
    lock: &mut ScopeLock,
    loaded: &mut Loaded,
    who: &Principal,
    offers: &[Offer<'_>],
    now: i64,
) -> Plan {
    let Loaded { seen, records } = loaded;
    let node = who.node();
    let mut rejected_creates: Vec<&str> = Vec::new();
    let mut plan = Plan {
        results: Vec::with_capacity(offers.len()),
        dirty: Vec::new(),
        wiped: Vec::new(),
        log_rows: Vec::new(),
        reused_keys: 0,
    };
    for o in offers {
        let (c, mac) = (o.change, &o.mac);
        let id = c.change_id.to_string();
        let result = |outcome, seq, code: Option<ErrorCode>| PushResult {
            change_id: c.change_id,
            outcome,
            seq,
            code,
        };
        let refused = if let Some(code) = o.rejected {
            Some(code)
        } else if rejected_creates.contains(&c.record_id.as_str()) {
            Some(ErrorCode::DependsOnRejected)
        } else {
            None
        };
        // A refused create makes later changes of its record `depends_on_rejected`.
        let mut reject = |code: ErrorCode| {
            if c.op == Op::Create {
                rejected_creates.push(&c.record_id);
            }
            result(PushOutcome::Rejected, None, Some(code))
        };
        if let Some(code) = refused {
            plan.results.push(reject(code));
            continue;
        }
        if let Some((prev_mac, prev_seq)) = seen.get(&id) {
            if crate::secrets::mac_eq(prev_mac, mac) {
                plan.results.push(result(PushOutcome::Duplicate, *prev_seq, None));
            } else {
                plan.reused_keys += 1;
                plan.results.push(result(
                    PushOutcome::Rejected,
                    None,
                    Some(ErrorCode::IdempotencyKeyReused),
                ));
            }
            continue;
        }
        let slot = records.entry(c.record_id.clone()).or_insert(None);
        if slot.as_ref().is_some_and(|s| s.entity != c.entity) {
            plan.results.push(reject(ErrorCode::EntityMismatch));
            continue;
        }
        // A ledger record (consent) is written once: another create of it is refused.
        if slot.as_ref().is_some_and(|s| s.row_seq > 0)
            && entity::by_name(&c.entity).is_some_and(|e| e.class == entity::Class::Ledger)
        {
            plan.results.push(reject(ErrorCode::BadOp));
            continue;
        }
        let stored = slot.get_or_insert_with(|| Stored {
            entity: c.entity.clone(),
            state: RecordState::default(),
            row_seq: 0,
        });
        let before_counted = stored.row_seq > 0 && counted(&stored.state);
        let change = merge::Change {
            change_id: c.change_id,
            op: c.op,
            cl: c.cl,
            hlc: o.hlc_eff,
            node: node.clone(),
            fields: c.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        };
        let outcome = merge::apply(&mut stored.state, &change);
        let deleted = stored.state.cl.is_multiple_of(2) && stored.state.cl > 0;
        let (push_outcome, seq) = match outcome {
            Outcome::RecordDeleted => {
                plan.results.push(reject(ErrorCode::RecordDeleted));
                continue;
            }
            Outcome::Superseded => (PushOutcome::Superseded, None),
            Outcome::Applied => {
                lock.seq += 1;
                let seq = lock.seq;
                if before_counted {
                    lock.digest =
                        lock.digest.wrapping_sub(digest_term(&c.record_id, stored.row_seq));
                }
                if counted(&stored.state) {
                    lock.digest = lock.digest.wrapping_add(digest_term(&c.record_id, seq));
                }
                stored.row_seq = seq;
                if !plan.dirty.contains(&c.record_id) {
                    plan.dirty.push(c.record_id.clone());
                }
                if deleted && !plan.wiped.contains(&c.record_id) {
                    plan.wiped.push(c.record_id.clone());
                }
                (PushOutcome::Applied, Some(seq))
            }
        };
        let payload = (!deleted && !c.fields.is_empty())
            .then(|| canonical_json(&Value::Object(c.fields.clone())));
        let outcome_str =
            if push_outcome == PushOutcome::Applied { "applied" } else { "superseded" };
        seen.insert(id.clone(), (mac.clone(), seq));
        plan.log_rows.push(vec![
            id.into(),
            lock.scope.as_str().into(),
            seq.into(),
            who.device_id().into(),
            who.kind().as_str().into(),
            who.actor_id().into(),
            c.entity.as_str().into(),
            c.record_id.as_str().into(),
            c.op.key().into(),
            mac.clone().into(),
            payload.into(),
            c.hlc.to_i64().into(),
            o.hlc_eff.to_i64().into(),
            c.base_row_seq.into(),
            outcome_str.into(),
            now.into(),
        ]);
        plan.results.push(result(push_outcome, seq, None));
    }
    plan
}

/// Step 3: one multi-row upsert per 40 changed records.
fn write_records(
    tx: &mut dyn Tx,
    scope: &str,
    records: &HashMap<String, Option<Stored>>,
    dirty: &[String],
) -> Result<()> {
    let rows: Vec<Vec<Val>> = dirty
        .iter()
        .filter_map(|id| records.get(id).and_then(Option::as_ref).map(|s| (id, s)))
        .map(|(id, stored)| {
            vec![
                scope.into(),
                id.as_str().into(),
                stored.entity.as_str().into(),
                i64::from(stored.state.cl).into(),
                i64::from(stored.state.has_create).into(),
                stored.row_seq.into(),
                fields_json(&stored.state).into(),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO record (scope_id, id, entity, cl, has_create, row_seq, fields) VALUES",
        "ON CONFLICT (scope_id, id) DO UPDATE SET cl = excluded.cl,
           has_create = excluded.has_create, row_seq = excluded.row_seq,
           fields = excluded.fields",
        7,
        &rows,
    )
}

/// Runs `head VALUES (…), (…) … tail` for `rows` of `width` values each, 40 rows a statement.
fn insert_rows(
    tx: &mut dyn Tx,
    head: &str,
    tail: &str,
    width: usize,
    rows: &[Vec<Val>],
) -> Result<()> {
    for chunk in rows.chunks(40) {
        let groups: Vec<String> =
            (0..chunk.len()).map(|i| format!("({})", placeholders(i * width + 1, width))).collect();
        let params: Vec<Val> = chunk.iter().flatten().cloned().collect();
        tx.exec(&format!("{head} {} {tail}", groups.join(", ")), &params)?;
    }
    Ok(())
}

/// Columns of one `change_log` row, in [`Plan::log_rows`] order.
const LOG_COLUMNS: usize = 16;

/// Step 4: multi-row `change_log` inserts, 40 rows each.
fn write_log(tx: &mut dyn Tx, rows: &[Vec<Val>]) -> Result<()> {
    insert_rows(
        tx,
        "INSERT INTO change_log (change_id, scope_id, seq, device_id, actor, actor_id,
             entity, record_id, op, payload_mac, payload, hlc_in, hlc_eff, base_row_seq,
             outcome, received_at) VALUES",
        "",
        LOG_COLUMNS,
        rows,
    )
}

/// Step 5: deleted content leaves the server (invariant 10); the facts stay.
fn wipe(tx: &mut dyn Tx, scope: &str, wiped: &[String]) -> Result<()> {
    for id in wiped {
        tx.exec(
            "UPDATE change_log SET payload = NULL WHERE scope_id = $1 AND record_id = $2",
            &[scope.into(), id.as_str().into()],
        )?;
    }
    Ok(())
}
