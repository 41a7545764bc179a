//! The sync protocol (SYNC.md §8–§14) for devices: hello, push (HLC ingress and registry
//! checks, then one transaction through `apply`, the single write path) and pull (one read
//! transaction per page). Scope and device checks are [`crate::policy::authorize`].

use kindred_core::entity;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{
    self, check_change, ErrorCode, HelloResponse, PullResponse, PulledRow, PushOutcome,
    PushRequest, PushResponse, VersionRange,
};

use super::{Service, MAX_DRIFT_MS, SEEN_EVERY_MS};
use crate::apply::{self, Offer};
use crate::db::{run, Mode};
use crate::policy::{authorize, Action};
use crate::principal::{DeviceAuth, Principal};
use crate::{Error, Result};

impl Service {
    /// `GET /sync/v1/hello`.
    pub fn hello(&self) -> HelloResponse {
        HelloResponse {
            epoch: self.epoch.clone(),
            server_hlc: self.tick(),
            protocol_min: wire::PROTOCOL,
            protocol_max: kindred_core::sync::compact::PROTOCOL,
            entities: entity::ALL
                .iter()
                .map(|e| (e.name.to_owned(), VersionRange { min: 1, max: e.version }))
                .collect(),
            capabilities: vec!["gzip".into()],
            pins: self.pins(),
        }
    }

    /// Notes that a device was seen (and how far it pulled), at most once a minute each.
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

    /// `POST /sync/v1/push`: one transaction for the whole batch; answered only after commit.
    pub fn push(&self, auth: &DeviceAuth, req: &PushRequest) -> Result<PushResponse> {
        let who = Principal::Device(auth.clone());
        authorize(&who, Action::Push { device_id: &req.device_id })?;
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
                    Ok(()) => entity::by_name(&c.entity)
                        .and_then(|e| authorize(&who, Action::Write { entity: e }).err())
                        .map(|e| e.code()),
                };
                Offer::new(c, *hlc, rejected, &self.mac_key)
            })
            .collect();
        let results =
            run(&*self.db, Mode::Write, |tx| apply::write(tx, &scope, &who, &offers, now))?;
        let n_rejected = results.iter().filter(|r| r.outcome == PushOutcome::Rejected).count();
        tracing::info!(
            event = "push",
            changes = req.changes.len(),
            rejected = n_rejected,
            clock_skew = skew
        );
        self.touch(auth, None)?;
        // A delete wiped content: let the files drop their older copies too (best effort; the
        // answer does not wait on it failing).
        let deleted = req
            .changes
            .iter()
            .zip(&results)
            .any(|(c, r)| c.op == Op::Delete && r.outcome == PushOutcome::Applied);
        if deleted {
            let _ = self.db.after_purge();
        }
        Ok(PushResponse { server_hlc: self.tick(), clock_skew: skew, results })
    }

    /// A scope's restore point, for an `epoch_changed` answer.
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
        authorize(&Principal::Device(auth.clone()), Action::Read { scope })?;
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
                Some(raw) if cl % 2 == 1 => Some(apply::stored_fields(&raw)?),
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
}
