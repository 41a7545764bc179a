//! One sync cycle (SYNC.md §10): hello when the epoch is unknown, push the outbox in bounded
//! batches, pull each scope to its end, then record the status. A failure is classified by
//! [`super::backoff`]; a pull that makes no progress stops the cycle as `stalled` instead of
//! looping. [`SingleFlight`] keeps one cycle in flight per device.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use kindred_core::sync::wire::{PushRequest, MAX_CHANGES_PER_PUSH, MAX_PUSH_BYTES};

use super::backoff::{self, Retry, STALL_RETRY_MS};
use super::{Locked, Report, Status, Transport, TransportError, PAGE};
use crate::store::sync::{self as book, keys};
use crate::store::{state_get, state_set};
use crate::{Kindred, Result};

/// Batches or pages one cycle may run before it yields (a guard, far above real needs).
const MAX_ROUNDS: usize = 10_000;
/// How long acknowledged changes stay in `sent_log` (SYNC.md §13).
const SENT_LOG_KEEP_MS: i64 = 45 * 24 * 3600 * 1000;

fn get_i64(tx: &rusqlite::Transaction<'_>, key: &str) -> Result<Option<i64>> {
    Ok(state_get(tx, key)?.and_then(|v| v.parse().ok()))
}

impl Kindred {
    fn sync_now(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    fn set_status(
        &mut self,
        status: Status,
        retry_at: Option<i64>,
        failures: Option<i64>,
    ) -> Result<()> {
        let now = self.sync_now();
        self.store.write(|tx| {
            if book::enrolled(tx)?.is_none() {
                return Ok(());
            }
            state_set(tx, keys::STATUS, status.key())?;
            match retry_at {
                Some(t) => state_set(tx, keys::BACKOFF, &t.to_string())?,
                None => {
                    tx.execute("DELETE FROM sync_state WHERE key = ?1", [keys::BACKOFF])?;
                }
            }
            state_set(tx, keys::FAILURES, &failures.unwrap_or(0).to_string())?;
            if status == Status::Ok {
                state_set(tx, keys::LAST_OK, &now.to_string())?;
                book::prune_sent_log(tx, now, SENT_LOG_KEEP_MS)?;
            }
            Ok(())
        })
    }

    /// Records that syncing can't start until the mentee connects again with a new invite (an
    /// enrolment without key pins, from before HTTPS).
    pub fn needs_new_invite(&mut self) -> Result<()> {
        self.set_status(Status::Reconnect, None, None)
    }

    /// A random fraction in [0, 1) for jitter, from the injected id source.
    fn jitter(&self) -> f64 {
        backoff::unit_fraction(self.ids.next().as_u128())
    }
}

/// Runs one sync cycle. `force` ignores a pending backoff (the "Sync now" button).
pub fn sync_once<L: Locked + Sync>(k: &L, t: &mut dyn Transport, force: bool) -> Result<Report> {
    // Deletes whose undo window is over lose their content before anything is sent.
    k.with(Kindred::purge_deleted)?;
    let (enrolled, status, backoff, epoch, device_id, now) = k.with(|k| {
        let now = k.sync_now();
        let device_id = k.device_id()?;
        k.store.read(|tx| {
            Ok((
                book::enrolled(tx)?,
                state_get(tx, keys::STATUS)?.map(|s| Status::parse(&s)),
                get_i64(tx, keys::BACKOFF)?,
                state_get(tx, keys::EPOCH)?,
                device_id,
                now,
            ))
        })
    })?;
    let Some(enrolled) = enrolled else { return Ok(Report::new(Status::Off)) };
    if let Some(s) = status.filter(|s| s.stops()) {
        return Ok(Report::new(s));
    }
    if !force && backoff.is_some_and(|b| b > now) {
        let mut r = Report::new(status.unwrap_or(Status::Offline));
        r.retry_at = backoff;
        return Ok(r);
    }
    match cycle(k, t, &enrolled, epoch, &device_id) {
        Ok(mut report) => {
            k.with(|k| k.set_status(report.status, report.retry_at, None))?;
            // Deletes pulled from the server lose their content too.
            if report.pulled > 0 {
                k.with(Kindred::purge_deleted)?;
            }
            report.retry_at = None;
            Ok(report)
        }
        Err(Failure::Store(e)) => Err(e),
        Err(Failure::Net(err, mut report)) => {
            let out = k.with(|k| {
                let failures = k.store.read(|tx| get_i64(tx, keys::FAILURES))?.unwrap_or(0) + 1;
                let now = k.sync_now();
                let retry = backoff::classify(&err);
                if let Retry::Restore { restore_point_seq } = retry {
                    // Adopt the new epoch at the next hello; queue what the server lost.
                    k.store.write(|tx| book::recover_from_restore(tx, restore_point_seq, now))?;
                }
                Ok(backoff::outcome(retry, failures, now, || k.jitter()))
            })?;
            k.with(|k| k.set_status(out.status, out.retry_at, Some(out.failures)))?;
            report.status = out.status;
            report.retry_at = out.retry_at;
            Ok(report)
        }
        Err(Failure::Stalled(mut report)) => {
            let retry = k.with(|k| Ok(k.sync_now() + STALL_RETRY_MS))?;
            k.with(|k| k.set_status(Status::Stalled, Some(retry), None))?;
            report.status = Status::Stalled;
            report.retry_at = Some(retry);
            Ok(report)
        }
    }
}

enum Failure {
    Store(crate::Error),
    Net(TransportError, Report),
    Stalled(Report),
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Self {
        Failure::Store(e)
    }
}

fn cycle<L: Locked + Sync>(
    k: &L,
    t: &mut dyn Transport,
    enrolled: &book::Enrolled,
    epoch: Option<String>,
    device_id: &str,
) -> std::result::Result<Report, Failure> {
    let mut report = Report::new(Status::Ok);
    let known = epoch.filter(|e| !e.is_empty());
    let greet = known.is_none() || t.wants_hello();
    let epoch = match known {
        Some(e) if !greet => e,
        known => {
            let hello = t.hello().map_err(|e| Failure::Net(e, report.clone()))?;
            // A pinned connection may announce the program's next pins (a key rotation).
            let pins = t.adopt_pins(&hello.pins);
            k.with(|k| {
                let now = k.sync_now();
                k.store.write(|tx| {
                    if let Some(pins) = &pins {
                        book::set_pins(tx, pins)?;
                    }
                    // A known epoch is kept: a different one is for the restore recovery to find.
                    if known.is_none() {
                        state_set(tx, keys::EPOCH, &hello.epoch)?;
                    }
                    book::observe_hlc(tx, hello.server_hlc, now)
                })
            })?;
            known.unwrap_or(hello.epoch)
        }
    };
    // Push until nothing sendable is left (a read first: most cycles have nothing to send).
    let sendable = k.with(|k| {
        let now = k.sync_now();
        k.store.read(|tx| {
            Ok(tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending'
                                      AND (not_before IS NULL OR not_before <= ?1))",
                )?
                .query_row([now], |r| r.get::<_, bool>(0))?)
        })
    })?;
    for _ in 0..if sendable { MAX_ROUNDS } else { 0 } {
        let batch = k.with(|k| {
            let now = k.sync_now();
            k.store.write(|tx| {
                book::take_batch(tx, now, MAX_CHANGES_PER_PUSH, MAX_PUSH_BYTES - 16 * 1024)
            })
        })?;
        if batch.changes.is_empty() {
            break;
        }
        let req = PushRequest {
            device_id: device_id.to_owned(),
            epoch: epoch.clone(),
            changes: batch.changes.clone(),
        };
        let resp = t.push(&req).map_err(|e| Failure::Net(e, report.clone()))?;
        let tally = k.with(|k| {
            let now = k.sync_now();
            k.store.write(|tx| book::apply_push(tx, &enrolled.user_scope, &batch, &resp, now))
        })?;
        report.pushed += tally.acked;
        report.rejected += tally.rejected;
        if tally.acked + tally.rejected == 0 {
            // The server answered without results for anything we sent: no progress.
            return Err(Failure::Stalled(report));
        }
    }
    // Pull each scope to its end. The next page downloads while this one is applied (PERF.md
    // P6). Pages are applied in order, each with its cursor in one transaction, so a kill at
    // any point loses nothing: a page fetched but not applied is fetched again.
    for scope in [&enrolled.user_scope, &enrolled.program_scope] {
        let mut after = k.with(|k| k.store.read(|tx| book::cursor(tx, scope)))?;
        let mut page =
            t.pull(scope, after, PAGE, &epoch).map_err(|e| Failure::Net(e, report.clone()))?;
        std::thread::scope(|s| -> std::result::Result<(), Failure> {
            for _ in 0..MAX_ROUNDS {
                if page.has_more && page.next_after <= after {
                    return Err(Failure::Stalled(report.clone()));
                }
                if page.rows.is_empty() && page.next_after == after && !page.has_more {
                    break; // Nothing new: no write, no durable commit.
                }
                let (more, next) = (page.has_more, page.next_after);
                let applying = s.spawn(move || {
                    k.with(|k| {
                        let now = k.sync_now();
                        k.store.write(|tx| crate::store::pull::apply_pull(tx, scope, &page, now))
                    })
                });
                let fetched = more.then(|| t.pull(scope, next, PAGE, &epoch));
                let tally = applying.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?;
                report.pulled += tally.rows;
                match fetched {
                    None => break,
                    Some(r) => page = r.map_err(|e| Failure::Net(e, report.clone()))?,
                }
                after = next;
            }
            Ok(())
        })?;
    }
    pull_disclosures(k, t, &report)?;
    Ok(report)
}

/// How far back each cycle asks for the log again (a read committed late is not missed; rows
/// are stored once by id).
const DISCLOSURE_LOOKBACK_MS: i64 = 60_000;

/// Brings the log of who looked up to date. A server without the log (404) is skipped, and so
/// is the request itself while the mentee has never shared anything.
fn pull_disclosures<L: Locked>(
    k: &L,
    t: &mut dyn Transport,
    report: &Report,
) -> std::result::Result<(), Failure> {
    // Only a grant lets anyone look: a mentee who never shared has no log to fetch (most
    // cycles of most phones; PERF.md P7). Grants from other phones were pulled just before.
    let ever_shared = k.with(|k| {
        k.store.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM consent_event)")?
                .query_row([], |r| r.get::<_, bool>(0))?)
        })
    })?;
    if !ever_shared {
        return Ok(());
    }
    let (at, _) = k.with(|k| k.disclosure_cursor())?;
    let (mut at, mut id) = ((at - DISCLOSURE_LOOKBACK_MS).max(0), String::new());
    for _ in 0..MAX_ROUNDS {
        let page = match t.disclosures(at, &id) {
            Ok(Some(p)) => p,
            Ok(None) | Err(TransportError::Http { status: 404, .. }) => return Ok(()),
            Err(e) => return Err(Failure::Net(e, report.clone())),
        };
        let Some(last) = page.rows.last().cloned() else { return Ok(()) };
        k.with(|k| k.store_disclosures(&page.rows))?;
        if !page.has_more || (last.at, last.id.as_str()) <= (at, id.as_str()) {
            return Ok(());
        }
        (at, id) = (last.at, last.id);
    }
    Ok(())
}

/// Keeps one sync in flight per device: a trigger while a cycle runs asks for one more cycle
/// after it instead of starting a second (SYNC.md §10, test S16).
#[derive(Debug, Default)]
pub struct SingleFlight {
    running: Mutex<()>,
    again: AtomicBool,
}

impl SingleFlight {
    /// Runs `cycle` unless one is running; then it runs again once the current one ends.
    /// Returns the last result, or `None` when it only queued a rerun.
    pub fn run<T>(&self, mut cycle: impl FnMut() -> T) -> Option<T> {
        self.again.store(true, Ordering::SeqCst);
        let mut last = None;
        loop {
            let Ok(guard) = self.running.try_lock() else { return last };
            while self.again.swap(false, Ordering::SeqCst) {
                last = Some(cycle());
            }
            drop(guard);
            // A trigger that arrived between the last check and the unlock is not lost.
            if !self.again.load(Ordering::SeqCst) {
                return last;
            }
        }
    }
}
