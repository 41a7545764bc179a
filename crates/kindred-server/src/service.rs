//! Everything the server does, synchronous and transport-free: enrolment and tokens
//! (SECURITY.md AU-1, AU-2), the staff commands, and the sync protocol (SYNC.md §8–§14).
//!
//! [`Service::apply_batch`] is the single write path: device pushes and staff commands both go
//! through it, so every `row_seq` has a `change_log` row, every merge uses the one rule of
//! `kindred_core::sync::merge`, and deleted content is wiped in the same transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use kindred_core::entity::{self, Scope};
use kindred_core::ids::ChangeId;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::{self, FieldState, Op, Outcome, RecordState, WriteKey};
use kindred_core::sync::wire::{
    self, canonical_json, check_change, check_fields, digest_term, EnrolRequest, Enrolment,
    ErrorCode, HelloResponse, PullResponse, PulledField, PulledRow, PushOutcome, PushRequest,
    PushResponse, PushResult, RefreshRequest, TokenPair, VersionRange, WireChange,
};
use serde_json::{Map, Value};

use crate::db::{run, Mode, Storage, Tx, Val};
use crate::secrets;
use crate::{Error, Result};

/// How far ahead of the server a device clock may stamp before being re-stamped (SYNC.md §4).
pub const MAX_DRIFT_MS: i64 = 5 * 60 * 1000;
/// Lifetime of an access token.
pub const ACCESS_TTL_MS: i64 = 15 * 60 * 1000;
/// Lifetime of a refresh token (each use rotates it).
pub const REFRESH_TTL_MS: i64 = 180 * 24 * 3600 * 1000;
/// Default lifetime of an invite code.
pub const INVITE_TTL_MS: i64 = 24 * 3600 * 1000;
/// `device.last_seen_at` is written at most this often per device (pulls stay read-only).
const SEEN_EVERY_MS: i64 = 60 * 1000;

/// The server's clock, injected so tests can move it.
pub trait Clock: Send + Sync {
    /// Unix milliseconds.
    fn now_ms(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// An authenticated device.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device_id: String,
    pub user_id: String,
    pub program_id: String,
}

impl std::fmt::Debug for DeviceAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceAuth(..)")
    }
}

impl DeviceAuth {
    /// The mentee's own scope.
    pub fn user_scope(&self) -> String {
        format!("user:{}", self.user_id)
    }
    /// The program's scope.
    pub fn program_scope(&self) -> String {
        format!("program:{}", self.program_id)
    }
}

/// A device as staff see it: no health data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    pub device_id: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    pub app_version: Option<String>,
    pub revoked_at: Option<i64>,
}

/// Who is writing through [`Service::apply_batch`].
#[derive(Debug, Clone)]
pub struct Actor {
    /// `device` or `staff`.
    pub kind: &'static str,
    /// Tie-break node: `d:<device id>` or `s:<staff id>`.
    pub node: String,
    pub device_id: Option<String>,
}

/// One change offered to [`Service::apply_batch`]: its effective clock, and its rejection
/// code when the caller's checks already refused it.
#[derive(Debug, Clone, Copy)]
pub struct Offer<'a> {
    pub change: &'a WireChange,
    pub hlc_eff: Hlc,
    pub rejected: Option<ErrorCode>,
}

/// `$from, $from+1, …` (n of them).
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The program server.
pub struct Service {
    db: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    mac_key: [u8; 32],
    epoch: String,
    hlc: Mutex<Hlc>,
    seen: Mutex<HashMap<String, i64>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("backend", &self.db.backend()).finish_non_exhaustive()
    }
}

/// A record's stored state: its merge state plus where it sits in its scope.
struct Stored {
    entity: String,
    state: RecordState,
    row_seq: i64,
}

fn parse_fields(cl: u32, raw: Option<&str>) -> Result<BTreeMap<String, FieldState>> {
    let Some(raw) = raw else { return Ok(BTreeMap::new()) };
    let m: BTreeMap<String, PulledField> =
        serde_json::from_str(raw).map_err(|e| Error::Db(format!("record fields: {e}")))?;
    Ok(m.into_iter()
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

fn counted(s: &RecordState) -> bool {
    s.has_create || (s.cl > 0 && s.cl.is_multiple_of(2))
}

fn security_event(tx: &mut dyn Tx, now: i64, kind: &str, device: Option<&str>) -> Result<()> {
    tracing::warn!(event = kind, "security event");
    tx.exec(
        "INSERT INTO security_event (at, kind, device_id) VALUES ($1, $2, $3)",
        &[now.into(), kind.into(), device.into()],
    )?;
    Ok(())
}

impl Service {
    /// Opens the service over `db`: reads (or creates) the epoch and seeds the server clock
    /// above every stamp it has issued.
    pub fn open(db: Arc<dyn Storage>, clock: Arc<dyn Clock>, mac_key: [u8; 32]) -> Result<Service> {
        let fresh = secrets::uuid_v4().to_string();
        let (epoch, last) = run(&*db, Mode::Write, |tx| {
            tx.exec(
                "INSERT INTO server_meta (k, v) VALUES ('epoch', $1) ON CONFLICT (k) DO NOTHING",
                &[fresh.as_str().into()],
            )?;
            let epoch = tx
                .one("SELECT v FROM server_meta WHERE k = 'epoch'", &[])?
                .ok_or(Error::NotFound("epoch"))?
                .text(0)?;
            let last = tx
                .one("SELECT max(hlc_eff) FROM change_log", &[])?
                .and_then(|r| r.opt_int(0).ok().flatten());
            Ok((epoch, last.unwrap_or(0)))
        })?;
        Ok(Service {
            db,
            clock,
            mac_key,
            epoch,
            hlc: Mutex::new(Hlc(u64::try_from(last).unwrap_or(0))),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// The storage backend's name.
    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    /// The current epoch.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The server clock's next send tick.
    fn tick(&self) -> Hlc {
        let now = u64::try_from(self.clock.now_ms()).unwrap_or(0);
        let mut h = self.hlc.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *h = h.send(now);
        *h
    }

    fn observe(&self, remote: Hlc) {
        let now = u64::try_from(self.clock.now_ms()).unwrap_or(0);
        let mut h = self.hlc.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *h = h.receive(remote, now);
    }

    /// `GET /sync/v1/hello`.
    pub fn hello(&self) -> HelloResponse {
        HelloResponse {
            epoch: self.epoch.clone(),
            server_hlc: self.tick(),
            protocol_min: wire::PROTOCOL,
            protocol_max: wire::PROTOCOL,
            entities: entity::ALL
                .iter()
                .map(|e| (e.name.to_owned(), VersionRange { min: 1, max: e.version }))
                .collect(),
            capabilities: vec!["gzip".into()],
        }
    }

    // ----- enrolment and tokens -----

    fn issue(&self, tx: &mut dyn Tx, device_id: &str, now: i64) -> Result<TokenPair> {
        let access = secrets::token("ka_");
        let refresh = secrets::token("kr_");
        for (t, kind, ttl) in
            [(&access, "access", ACCESS_TTL_MS), (&refresh, "refresh", REFRESH_TTL_MS)]
        {
            tx.exec(
                "INSERT INTO token (hash, device_id, kind, expires_at) VALUES ($1, $2, $3, $4)",
                &[secrets::hash(t).into(), device_id.into(), kind.into(), (now + ttl).into()],
            )?;
        }
        Ok(TokenPair {
            access_token: access,
            expires_in: ACCESS_TTL_MS / 1000,
            refresh_token: refresh,
        })
    }

    /// Exchanges a one-time invite code for device credentials (SECURITY.md AU-1).
    pub fn enrol(&self, req: &EnrolRequest) -> Result<Enrolment> {
        let device = uuid::Uuid::try_parse(&req.device_id)
            .map_err(|_| {
                Error::BadRequest(ErrorCode::BadDeviceId, "device_id must be a UUID".into())
            })?
            .to_string();
        if req.app_version.chars().count() > 32 {
            return Err(Error::BadRequest(
                ErrorCode::BadAppVersion,
                "app_version is too long".into(),
            ));
        }
        let code = secrets::normalize_code(&req.code);
        if code.len() != 16 {
            return Err(Error::Unauthorized(
                ErrorCode::InviteInvalid,
                "This code isn't valid. Ask your program for a new one.",
            ));
        }
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let Some(inv) = tx.one(
                "SELECT i.mentee_id, p.program_id, g.name FROM invite i
                 JOIN person p ON p.id = i.mentee_id JOIN program g ON g.id = p.program_id
                 WHERE i.code_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2",
                &[secrets::hash(&code).into(), now.into()],
            )?
            else {
                security_event(tx, now, "enrol_failed", None)?;
                return Err(Error::Unauthorized(
                    ErrorCode::InviteInvalid,
                    "This code isn't valid any more. Ask your program for a new one.",
                ));
            };
            let (mentee, program, program_name) = (inv.text(0)?, inv.text(1)?, inv.text(2)?);
            if let Some(existing) =
                tx.one("SELECT user_id FROM device WHERE device_id = $1", &[(&device).into()])?
            {
                if existing.text(0)? != mentee {
                    return Err(Error::Conflict(
                        ErrorCode::DeviceConflict,
                        "This device is enrolled for someone else.",
                    ));
                }
                tx.exec("DELETE FROM token WHERE device_id = $1", &[(&device).into()])?;
                tx.exec(
                    "UPDATE device SET revoked_at = NULL, revoked_reason = NULL, app_version = $2
                     WHERE device_id = $1",
                    &[(&device).into(), req.app_version.as_str().into()],
                )?;
            } else {
                tx.exec(
                    "INSERT INTO device (device_id, user_id, created_at, app_version) VALUES ($1, $2, $3, $4)",
                    &[(&device).into(), (&mentee).into(), now.into(), req.app_version.as_str().into()],
                )?;
            }
            tx.exec(
                "UPDATE invite SET used_at = $2 WHERE code_hash = $1",
                &[secrets::hash(&code).into(), now.into()],
            )?;
            tracing::info!(event = "enrolled", "device enrolled");
            Ok(Enrolment {
                device_id: device.clone(),
                user_scope: format!("user:{mentee}"),
                program_scope: format!("program:{program}"),
                program_name,
                tokens: self.issue(tx, &device, now)?,
            })
        })
    }

    /// Rotates a refresh token. A refresh token used twice revokes its device (AU-2).
    pub fn refresh(&self, req: &RefreshRequest) -> Result<TokenPair> {
        let now = self.clock.now_ms();
        let hash = secrets::hash(&req.refresh_token);
        let reused = run(&*self.db, Mode::Write, |tx| {
            let Some(r) = tx.one(
                "SELECT t.device_id, t.expires_at, t.used_at, d.revoked_at FROM token t
                 JOIN device d ON d.device_id = t.device_id WHERE t.hash = $1 AND t.kind = 'refresh'",
                &[hash.as_str().into()],
            )?
            else {
                return Err(Error::Unauthorized(ErrorCode::TokenInvalid, "Please connect this phone again."));
            };
            let device = r.text(0)?;
            if r.opt_int(3)?.is_some() {
                return Err(Error::Unauthorized(
                    ErrorCode::DeviceRevoked,
                    "This phone was disconnected from the program.",
                ));
            }
            if r.opt_int(2)?.is_some() {
                security_event(tx, now, "refresh_reused", Some(&device))?;
                tx.exec(
                    "UPDATE device SET revoked_at = $2, revoked_reason = 'refresh_reused' WHERE device_id = $1",
                    &[(&device).into(), now.into()],
                )?;
                // Tokens stay on record: they now answer `device_revoked`, so the phone says why.
                return Ok(None);
            }
            if r.int(1)? <= now {
                return Err(Error::Unauthorized(
                    ErrorCode::TokenExpired,
                    "Please connect this phone again.",
                ));
            }
            tx.exec(
                "UPDATE token SET used_at = $2 WHERE hash = $1",
                &[hash.as_str().into(), now.into()],
            )?;
            tx.exec(
                "DELETE FROM token WHERE device_id = $1 AND kind = 'access' AND expires_at <= $2",
                &[(&device).into(), now.into()],
            )?;
            Ok(Some(self.issue(tx, &device, now)?))
        })?;
        // The revocation above is committed before the refusal goes out.
        reused.ok_or(Error::Unauthorized(
            ErrorCode::DeviceRevoked,
            "This phone was disconnected from the program.",
        ))
    }

    /// Checks an access token.
    pub fn authenticate(&self, access_token: &str) -> Result<DeviceAuth> {
        let now = self.clock.now_ms();
        let hash = secrets::hash(access_token);
        let r = run(&*self.db, Mode::Read, |tx| {
            tx.one(
                "SELECT t.device_id, t.expires_at, d.user_id, d.revoked_at, p.program_id FROM token t
                 JOIN device d ON d.device_id = t.device_id JOIN person p ON p.id = d.user_id
                 WHERE t.hash = $1 AND t.kind = 'access'",
                &[hash.as_str().into()],
            )
        })?
        .ok_or(Error::Unauthorized(ErrorCode::TokenInvalid, "Please connect this phone again."))?;
        if r.opt_int(3)?.is_some() {
            return Err(Error::Unauthorized(
                ErrorCode::DeviceRevoked,
                "This phone was disconnected from the program.",
            ));
        }
        if r.int(1)? <= now {
            return Err(Error::Unauthorized(
                ErrorCode::TokenExpired,
                "The sign-in ran out; it renews on its own.",
            ));
        }
        Ok(DeviceAuth { device_id: r.text(0)?, user_id: r.text(2)?, program_id: r.text(4)? })
    }

    fn touch(&self, auth: &DeviceAuth, pull_seq: Option<i64>) -> Result<()> {
        let now = self.clock.now_ms();
        {
            let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match seen.get(&auth.device_id) {
                Some(t) if now - t < SEEN_EVERY_MS => return Ok(()),
                _ => {
                    seen.insert(auth.device_id.clone(), now);
                }
            }
        }
        run(&*self.db, Mode::Write, |tx| {
            tx.exec(
                "UPDATE device SET last_seen_at = $2, last_pull_seq = coalesce($3, last_pull_seq)
                 WHERE device_id = $1",
                &[auth.device_id.as_str().into(), now.into(), pull_seq.into()],
            )
        })?;
        Ok(())
    }

    // ----- the one write path -----

    fn mac(&self, c: &WireChange) -> Vec<u8> {
        let v = serde_json::to_value(c).unwrap_or(Value::Null);
        secrets::mac(&self.mac_key, canonical_json(&v).as_bytes())
    }

    /// The single write path: applies a batch of changes in order inside the caller's
    /// transaction (which holds `lock`). Replays (same id, same MAC) are `duplicate`, a reused id
    /// with another payload is refused, later changes to a record whose create was refused are
    /// `depends_on_rejected`, and every other change is merged; every outcome except a
    /// rejection leaves a `change_log` row, and a record that becomes deleted has its content
    /// wiped from `record` and `change_log` in the same transaction.
    ///
    /// Reads are one query for the batch's change ids and one for its records; writes are one
    /// upsert per changed record and multi-row `change_log` inserts.
    pub fn apply_batch(
        &self,
        tx: &mut dyn Tx,
        lock: &mut ScopeLockHandle,
        actor: &Actor,
        offers: &[Offer<'_>],
        now: i64,
    ) -> Result<Vec<PushResult>> {
        let lock = &mut lock.0;
        let macs: Vec<Vec<u8>> = offers.iter().map(|o| self.mac(o.change)).collect();
        // What the log already knows about these change ids.
        let mut seen: HashMap<String, (Vec<u8>, Option<i64>)> = HashMap::new();
        let ids: Vec<String> = offers.iter().map(|o| o.change.change_id.to_string()).collect();
        for chunk in ids.chunks(250) {
            let marks = placeholders(1, chunk.len());
            let params: Vec<Val> = chunk.iter().map(Val::from).collect();
            for r in tx.query(
                &format!("SELECT change_id, payload_mac, seq FROM change_log WHERE change_id IN ({marks})"),
                &params,
            )? {
                seen.insert(r.text(0)?, (r.blob(1)?, r.opt_int(2)?));
            }
        }
        // The records they touch, in this scope only.
        let mut records: HashMap<String, Option<Stored>> = HashMap::new();
        let mut wanted: Vec<&str> = offers.iter().map(|o| o.change.record_id.as_str()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for chunk in wanted.chunks(250) {
            let marks = placeholders(2, chunk.len());
            let mut params: Vec<Val> = vec![lock.scope.as_str().into()];
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
        let mut rejected_creates: Vec<&str> = Vec::new();
        let mut dirty: Vec<String> = Vec::new();
        let mut wiped: Vec<String> = Vec::new();
        let mut log_rows: Vec<Vec<Val>> = Vec::new();
        let mut results = Vec::with_capacity(offers.len());
        for (o, mac) in offers.iter().zip(macs) {
            let c = o.change;
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
            if let Some(code) = refused {
                if c.op == Op::Create {
                    rejected_creates.push(&c.record_id);
                }
                results.push(result(PushOutcome::Rejected, None, Some(code)));
                continue;
            }
            if let Some((prev_mac, prev_seq)) = seen.get(&id) {
                if *prev_mac == mac {
                    results.push(result(PushOutcome::Duplicate, *prev_seq, None));
                } else {
                    security_event(tx, now, "idempotency_key_reused", actor.device_id.as_deref())?;
                    results.push(result(
                        PushOutcome::Rejected,
                        None,
                        Some(ErrorCode::IdempotencyKeyReused),
                    ));
                }
                continue;
            }
            let slot = records.entry(c.record_id.clone()).or_insert(None);
            if slot.as_ref().is_some_and(|s| s.entity != c.entity) {
                if c.op == Op::Create {
                    rejected_creates.push(&c.record_id);
                }
                results.push(result(PushOutcome::Rejected, None, Some(ErrorCode::EntityMismatch)));
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
                node: actor.node.clone(),
                fields: c.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            };
            let outcome = merge::apply(&mut stored.state, &change);
            let deleted = stored.state.cl.is_multiple_of(2) && stored.state.cl > 0;
            let (push_outcome, seq) = match outcome {
                Outcome::RecordDeleted => {
                    if c.op == Op::Create {
                        rejected_creates.push(&c.record_id);
                    }
                    results.push(result(
                        PushOutcome::Rejected,
                        None,
                        Some(ErrorCode::RecordDeleted),
                    ));
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
                    if !dirty.contains(&c.record_id) {
                        dirty.push(c.record_id.clone());
                    }
                    if deleted && !wiped.contains(&c.record_id) {
                        wiped.push(c.record_id.clone());
                    }
                    (PushOutcome::Applied, Some(seq))
                }
            };
            let payload = (!deleted && !c.fields.is_empty())
                .then(|| canonical_json(&Value::Object(c.fields.clone())));
            let outcome_str =
                if push_outcome == PushOutcome::Applied { "applied" } else { "superseded" };
            seen.insert(id.clone(), (mac.clone(), seq));
            log_rows.push(vec![
                id.into(),
                lock.scope.as_str().into(),
                seq.into(),
                actor.device_id.as_deref().into(),
                actor.kind.into(),
                c.entity.as_str().into(),
                c.record_id.as_str().into(),
                c.op.key().into(),
                mac.into(),
                payload.into(),
                c.hlc.to_i64().into(),
                o.hlc_eff.to_i64().into(),
                c.base_row_seq.into(),
                outcome_str.into(),
                now.into(),
            ]);
            results.push(result(push_outcome, seq, None));
        }
        let record_rows: Vec<Vec<Val>> = dirty
            .iter()
            .filter_map(|id| records.get(id).and_then(Option::as_ref).map(|s| (id, s)))
            .map(|(id, stored)| {
                vec![
                    lock.scope.as_str().into(),
                    id.as_str().into(),
                    stored.entity.as_str().into(),
                    i64::from(stored.state.cl).into(),
                    i64::from(stored.state.has_create).into(),
                    stored.row_seq.into(),
                    fields_json(&stored.state).into(),
                ]
            })
            .collect();
        for chunk in record_rows.chunks(40) {
            let groups: Vec<String> =
                (0..chunk.len()).map(|i| format!("({})", placeholders(i * 7 + 1, 7))).collect();
            let params: Vec<Val> = chunk.iter().flatten().cloned().collect();
            tx.exec(
                &format!(
                    "INSERT INTO record (scope_id, id, entity, cl, has_create, row_seq, fields)
                     VALUES {}
                     ON CONFLICT (scope_id, id) DO UPDATE SET cl = excluded.cl,
                       has_create = excluded.has_create, row_seq = excluded.row_seq,
                       fields = excluded.fields",
                    groups.join(", ")
                ),
                &params,
            )?;
        }
        for chunk in log_rows.chunks(40) {
            let groups: Vec<String> =
                (0..chunk.len()).map(|i| format!("({})", placeholders(i * 15 + 1, 15))).collect();
            let params: Vec<Val> = chunk.iter().flatten().cloned().collect();
            tx.exec(
                &format!(
                    "INSERT INTO change_log (change_id, scope_id, seq, device_id, actor, entity, record_id,
                         op, payload_mac, payload, hlc_in, hlc_eff, base_row_seq, outcome, received_at)
                     VALUES {}",
                    groups.join(", ")
                ),
                &params,
            )?;
        }
        for id in &wiped {
            // Deleted content leaves the server (invariant 10); the facts stay.
            tx.exec(
                "UPDATE change_log SET payload = NULL WHERE scope_id = $1 AND record_id = $2",
                &[lock.scope.as_str().into(), id.as_str().into()],
            )?;
        }
        Ok(results)
    }

    // ----- sync -----

    /// `POST /sync/v1/push`: one transaction for the whole batch; answered only after commit.
    pub fn push(&self, auth: &DeviceAuth, req: &PushRequest) -> Result<PushResponse> {
        if req.device_id != auth.device_id {
            return Err(Error::Forbidden(
                ErrorCode::DeviceMismatch,
                "device_id does not match the credentials",
            ));
        }
        if req.epoch != self.epoch {
            return Err(Error::EpochChanged {
                restore_point_seq: self.restore_point(&auth.user_scope())?,
            });
        }
        if req.changes.len() > wire::MAX_CHANGES_PER_PUSH {
            return Err(Error::TooLarge(ErrorCode::BatchTooLarge, "at most 250 changes per push"));
        }
        let now = self.clock.now_ms();
        let scope = auth.user_scope();
        let actor = Actor {
            kind: "device",
            node: format!("d:{}", auth.device_id),
            device_id: Some(auth.device_id.clone()),
        };
        let mut skew = false;
        // HLC ingress, in batch order: a far-future stamp is replaced by a server tick.
        let stamps: Vec<Hlc> = req
            .changes
            .iter()
            .map(|c| {
                let limit = u64::try_from(now + MAX_DRIFT_MS).unwrap_or(0);
                if c.hlc.physical() > limit {
                    skew = true;
                    self.tick()
                } else {
                    self.observe(c.hlc);
                    c.hlc
                }
            })
            .collect();
        // Registry checks need nothing from the database: done before the transaction.
        let offers: Vec<Offer<'_>> = req
            .changes
            .iter()
            .zip(stamps.iter())
            .map(|(c, hlc)| {
                let rejected = match check_change(c, now) {
                    Err(p) => Some(p.code()),
                    Ok(())
                        if entity::by_name(&c.entity).is_some_and(|e| e.scope != Scope::User) =>
                    {
                        Some(ErrorCode::NotWritable)
                    }
                    Ok(()) => None,
                };
                Offer { change: c, hlc_eff: *hlc, rejected }
            })
            .collect();
        let results = run(&*self.db, Mode::Write, |tx| {
            let mut lock = ScopeLockHandle(ScopeLock::take(tx, &scope)?);
            let out = self.apply_batch(tx, &mut lock, &actor, &offers, now)?;
            lock.0.save(tx)?;
            Ok(out)
        })?;
        let n_rejected = results.iter().filter(|r| r.outcome == PushOutcome::Rejected).count();
        tracing::info!(
            event = "push",
            changes = req.changes.len(),
            rejected = n_rejected,
            clock_skew = skew
        );
        self.touch(auth, None)?;
        Ok(PushResponse { server_hlc: self.tick(), clock_skew: skew, results })
    }

    fn restore_point(&self, scope: &str) -> Result<Option<i64>> {
        run(&*self.db, Mode::Read, |tx| {
            Ok(tx
                .one(
                    "SELECT restore_point_seq FROM sync_scope WHERE scope_id = $1",
                    &[scope.into()],
                )?
                .and_then(|r| r.opt_int(0).ok().flatten()))
        })
    }

    /// `GET /sync/v1/pull`: rows of `scope` after `after`, oldest first.
    pub fn pull(
        &self,
        auth: &DeviceAuth,
        scope: &str,
        after: i64,
        limit: Option<i64>,
        epoch: &str,
    ) -> Result<PullResponse> {
        if scope != auth.user_scope() && scope != auth.program_scope() {
            return Err(Error::Forbidden(
                ErrorCode::ScopeForbidden,
                "this device may not read that scope",
            ));
        }
        if epoch != self.epoch {
            return Err(Error::EpochChanged { restore_point_seq: self.restore_point(scope)? });
        }
        if after < 0 {
            return Err(Error::BadRequest(
                ErrorCode::BadCursor,
                "after must not be negative".into(),
            ));
        }
        let n = i64::from(wire::pull_limit(limit));
        let (scope_seq, digest, rows) = run(&*self.db, Mode::Read, |tx| {
            let s = tx
                .one("SELECT seq, digest FROM sync_scope WHERE scope_id = $1", &[scope.into()])?
                .ok_or(Error::NotFound("scope"))?;
            let (seq, digest) = (s.int(0)?, s.int(1)? as u64);
            if after > seq {
                return Err(Error::BadRequest(
                    ErrorCode::BadCursor,
                    "after is beyond this scope's history".into(),
                ));
            }
            let rows = tx.query(
                "SELECT id, entity, cl, row_seq, fields FROM record
                 WHERE scope_id = $1 AND row_seq > $2 AND row_seq <= $3
                   AND (has_create = 1 OR cl % 2 = 0)
                 ORDER BY row_seq LIMIT $4",
                &[scope.into(), after.into(), seq.into(), (n + 1).into()],
            )?;
            Ok((seq, digest, rows))
        })?;
        let has_more = rows.len() as i64 > n;
        let mut out = Vec::with_capacity(rows.len().min(n as usize));
        for r in rows.into_iter().take(n as usize) {
            let entity_name = r.text(1)?;
            let version = entity::by_name(&entity_name).map_or(1, |e| e.version);
            let cl = u32::try_from(r.int(2)?).map_err(|_| Error::Db("bad cl".into()))?;
            let fields = match r.opt_text(4)? {
                Some(raw) if cl % 2 == 1 => Some(
                    serde_json::from_str::<BTreeMap<String, PulledField>>(&raw)
                        .map_err(|e| Error::Db(format!("record fields: {e}")))?,
                ),
                _ => None,
            };
            out.push(PulledRow {
                entity: entity_name,
                entity_version: version,
                id: r.text(0)?,
                cl,
                row_seq: r.int(3)?,
                fields,
            });
        }
        let next_after = out.last().map_or(after, |r| r.row_seq);
        self.touch(auth, (!has_more).then_some(scope_seq))?;
        Ok(PullResponse {
            rows: out,
            has_more,
            next_after,
            digest: (!has_more).then_some(digest),
            scope_seq: (!has_more).then_some(scope_seq),
            server_hlc: (!has_more).then(|| self.tick()),
        })
    }

    // ----- staff -----

    /// Creates a program and its scope; returns its id.
    pub fn create_program(&self, name: &str) -> Result<String> {
        check_label(name)?;
        let id = secrets::uuid_v7(self.clock.now_ms()).to_string();
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            tx.exec(
                "INSERT INTO program (id, name, created_at) VALUES ($1, $2, $3)",
                &[(&id).into(), name.into(), now.into()],
            )?;
            tx.exec(
                "INSERT INTO sync_scope (scope_id) VALUES ($1)",
                &[format!("program:{id}").into()],
            )?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Adds a mentee or mentor (by a program-assigned pseudonymous label); returns the id.
    pub fn create_person(&self, program: &str, role: &str, label: &str) -> Result<String> {
        check_label(label)?;
        if role != "mentee" && role != "mentor" {
            return Err(Error::BadRequest(ErrorCode::BadRole, "role is mentee or mentor".into()));
        }
        let id = secrets::uuid_v7(self.clock.now_ms()).to_string();
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            if tx.one("SELECT 1 FROM program WHERE id = $1", &[program.into()])?.is_none() {
                return Err(Error::NotFound("program"));
            }
            tx.exec(
                "INSERT INTO person (id, program_id, role, label, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[(&id).into(), program.into(), role.into(), label.into(), now.into()],
            )?;
            if role == "mentee" {
                tx.exec(
                    "INSERT INTO sync_scope (scope_id) VALUES ($1)",
                    &[format!("user:{id}").into()],
                )?;
            }
            Ok(())
        })?;
        Ok(id)
    }

    /// Issues a one-time invite code for `mentee`, valid for `ttl_ms`.
    pub fn invite(&self, mentee: &str, ttl_ms: i64) -> Result<String> {
        if !(60_000..=INVITE_TTL_MS).contains(&ttl_ms) {
            return Err(Error::BadRequest(
                ErrorCode::BadTtl,
                "an invite lasts between a minute and 24 hours".into(),
            ));
        }
        let code = secrets::invite_code();
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            self.mentee_exists(tx, mentee)?;
            tx.exec(
                "INSERT INTO invite (code_hash, mentee_id, expires_at) VALUES ($1, $2, $3)",
                &[
                    secrets::hash(&secrets::normalize_code(&code)).into(),
                    mentee.into(),
                    (now + ttl_ms).into(),
                ],
            )?;
            Ok(())
        })?;
        Ok(code)
    }

    fn mentee_exists(&self, tx: &mut dyn Tx, mentee: &str) -> Result<()> {
        tx.one("SELECT 1 FROM person WHERE id = $1 AND role = 'mentee'", &[mentee.into()])?
            .map(|_| ())
            .ok_or(Error::NotFound("mentee"))
    }

    /// A mentee's devices.
    pub fn devices(&self, mentee: &str) -> Result<Vec<DeviceInfo>> {
        run(&*self.db, Mode::Read, |tx| {
            self.mentee_exists(tx, mentee)?;
            tx.query(
                "SELECT device_id, created_at, last_seen_at, app_version, revoked_at FROM device
                 WHERE user_id = $1 ORDER BY created_at",
                &[mentee.into()],
            )?
            .into_iter()
            .map(|r| {
                Ok(DeviceInfo {
                    device_id: r.text(0)?,
                    created_at: r.int(1)?,
                    last_seen_at: r.opt_int(2)?,
                    app_version: r.opt_text(3)?,
                    revoked_at: r.opt_int(4)?,
                })
            })
            .collect()
        })
    }

    /// Revokes a device: its tokens stop working at once; its data stays on the phone.
    pub fn revoke(&self, device_id: &str) -> Result<()> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let n = tx.exec(
                "UPDATE device SET revoked_at = $2, revoked_reason = 'staff' WHERE device_id = $1",
                &[device_id.into(), now.into()],
            )?;
            if n == 0 {
                return Err(Error::NotFound("device"));
            }
            // Its tokens stay on record so the phone hears `device_revoked` and can say so.
            security_event(tx, now, "device_revoked", Some(device_id))
        })
    }

    /// A staff write through the single write path: validated against the registry (staff
    /// writers only), stamped with the server clock. Returns the record id.
    pub fn staff_write(
        &self,
        scope: &str,
        entity_name: &str,
        record_id: Option<&str>,
        op: Op,
        fields: Map<String, Value>,
    ) -> Result<String> {
        let e = entity::by_name(entity_name).ok_or(Error::NotFound("entity"))?;
        if !e.writers.staff {
            return Err(Error::Forbidden(ErrorCode::NotWritable, "staff cannot write this"));
        }
        let now = self.clock.now_ms();
        let id = record_id.map_or_else(|| secrets::uuid_v7(now).to_string(), str::to_owned);
        let change = WireChange {
            change_id: ChangeId(secrets::uuid_v7(now)),
            entity: entity_name.to_owned(),
            entity_version: e.version,
            record_id: id.clone(),
            op,
            cl: if op == Op::Delete { 2 } else { 1 },
            hlc: self.tick(),
            base_row_seq: None,
            fields,
        };
        check_fields(e, &change, now).map_err(|p| {
            Error::BadRequest(ErrorCode::Invalid, format!("{} ({})", p.code(), entity_name))
        })?;
        let actor = Actor { kind: "staff", node: "s:staff".into(), device_id: None };
        let r = run(&*self.db, Mode::Write, |tx| {
            let mut lock = ScopeLockHandle(ScopeLock::take(tx, scope)?);
            let offer = Offer { change: &change, hlc_eff: change.hlc, rejected: None };
            let r = self.apply_batch(tx, &mut lock, &actor, &[offer], now)?;
            lock.0.save(tx)?;
            r.into_iter().next().ok_or(Error::Db("no result".into()))
        })?;
        match r.outcome {
            PushOutcome::Rejected => {
                Err(Error::Conflict(ErrorCode::Rejected, "the record was deleted"))
            }
            _ => Ok(id),
        }
    }

    /// Sets a mentee's primary or backup mentor contact: edits the live one in that role, or
    /// creates it.
    pub fn set_contact(
        &self,
        mentee: &str,
        role: &str,
        mut fields: Map<String, Value>,
    ) -> Result<String> {
        let scope = format!("user:{mentee}");
        let existing = run(&*self.db, Mode::Read, |tx| {
            self.mentee_exists(tx, mentee)?;
            let rows = tx.query(
                "SELECT id, fields FROM record WHERE scope_id = $1 AND entity = 'mentor_contact'
                   AND has_create = 1 AND cl % 2 = 1 ORDER BY id",
                &[scope.as_str().into()],
            )?;
            for r in rows {
                let f = parse_fields(1, r.opt_text(1)?.as_deref())?;
                if f.get("role").is_some_and(|v| v.value == Value::String(role.to_owned())) {
                    return Ok(Some(r.text(0)?));
                }
            }
            Ok(None)
        })?;
        fields.insert("role".into(), Value::String(role.to_owned()));
        match existing {
            Some(id) => self.staff_write(&scope, "mentor_contact", Some(&id), Op::Set, fields),
            None => self.staff_write(&scope, "mentor_contact", None, Op::Create, fields),
        }
    }

    /// The scope id of a program (checks it exists).
    pub fn program_scope(&self, program: &str) -> Result<String> {
        run(&*self.db, Mode::Read, |tx| {
            tx.one("SELECT 1 FROM program WHERE id = $1", &[program.into()])?
                .ok_or(Error::NotFound("program"))
        })?;
        Ok(format!("program:{program}"))
    }
}

/// The scope lock of a transaction in progress (opaque outside this module).
pub struct ScopeLockHandle(ScopeLock);

impl std::fmt::Debug for ScopeLockHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScopeLockHandle(..)")
    }
}

fn check_label(s: &str) -> Result<()> {
    let n = s.chars().count();
    if n == 0 || n > 100 || s.chars().any(char::is_control) {
        return Err(Error::BadRequest(
            ErrorCode::BadName,
            "names are 1 to 100 characters, no control characters".into(),
        ));
    }
    Ok(())
}
