//! The sync engine (SYNC.md §10): one cycle pushes the outbox in bounded batches, then pulls the
//! user and program scopes page by page, each page committed with its cursor. The network is
//! behind [`Transport`] (HTTP in [`http`], in-memory in the simulation tests); the store is
//! reached through [`Locked`] and is never locked while a request is in flight, so the UI never
//! waits on the network.
//!
//! Failures map to the table in SYNC.md §10: network errors, 5xx and 429 back off exponentially
//! with full jitter (Retry-After honoured); a revoked device or an expired enrolment stops
//! syncing and says so; a restored server (409) re-pushes what it lost; a pull that makes no
//! progress stops the cycle as `stalled` instead of looping.

pub mod creds;
pub mod http;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use kindred_core::sync::wire::{
    ErrorCode, HelloResponse, PullResponse, PushRequest, PushResponse, MAX_CHANGES_PER_PUSH,
    MAX_PUSH_BYTES,
};

use crate::store::state_get;
use crate::store::state_set;
use crate::store::sync::{self as book, keys};
use crate::{Kindred, Result};

/// Rows asked for per pull page.
pub const PAGE: u32 = 1000;
/// Longest backoff.
pub const BACKOFF_CAP_MS: i64 = 10 * 60 * 1000;
/// Batches or pages one cycle may run before it yields (a guard, far above real needs).
const MAX_ROUNDS: usize = 10_000;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: offline, refused, timed out. The request may or may not have been applied.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error status.
    #[error("server answered {status} ({code})")]
    Http {
        status: u16,
        code: ErrorCode,
        retry_after_s: Option<u64>,
        restore_point_seq: Option<i64>,
    },
}

impl TransportError {
    /// An HTTP error with just a status and code.
    pub fn http(status: u16, code: ErrorCode) -> Self {
        TransportError::Http { status, code, retry_after_s: None, restore_point_seq: None }
    }
}

/// The three sync requests.
pub trait Transport {
    fn hello(&mut self) -> Result<HelloResponse, TransportError>;
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError>;
    fn pull(
        &mut self,
        scope: &str,
        after: i64,
        limit: u32,
        epoch: &str,
    ) -> Result<PullResponse, TransportError>;
}

/// Access to the device's [`Kindred`] for one short step at a time.
pub trait Locked {
    fn with<T>(&self, f: impl FnOnce(&mut Kindred) -> Result<T>) -> Result<T>;
}

impl Locked for Mutex<Kindred> {
    fn with<T>(&self, f: impl FnOnce(&mut Kindred) -> Result<T>) -> Result<T> {
        let mut k = self.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut k)
    }
}

pub use kindred_core::sync::status::Status;

/// What one cycle did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub status: Status,
    pub pushed: usize,
    pub rejected: usize,
    pub pulled: usize,
    /// When to try again after a failure (unix ms).
    pub retry_at: Option<i64>,
}

impl Report {
    fn new(status: Status) -> Report {
        Report { status, pushed: 0, rejected: 0, pulled: 0, retry_at: None }
    }
}

fn get_i64(tx: &rusqlite::Transaction<'_>, key: &str) -> Result<Option<i64>> {
    Ok(state_get(tx, key)?.and_then(|v| v.parse().ok()))
}

impl Kindred {
    fn sync_now(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The current sync status.
    pub fn sync_status(&mut self) -> Result<(Status, Option<i64>, i64, i64)> {
        self.store.read(|tx| {
            let status = match book::enrolled(tx)? {
                None => Status::Off,
                Some(_) => state_get(tx, keys::STATUS)?.map_or(Status::Ok, |s| Status::parse(&s)),
            };
            let (pending, rejected) = book::counts(tx)?;
            Ok((status, get_i64(tx, keys::LAST_OK)?, pending, rejected))
        })
    }

    /// The enrolment, if connected.
    pub fn enrolment(&mut self) -> Result<Option<book::Enrolled>> {
        self.store.read(book::enrolled)
    }

    /// Records a fresh enrolment (credentials are kept elsewhere, see [`creds`]).
    pub fn set_enrolment(&mut self, e: &book::Enrolled) -> Result<()> {
        self.store.write(|tx| book::set_enrolled(tx, e))
    }

    /// Forgets the program. Everything recorded on this phone stays.
    pub fn forget_enrolment(&mut self) -> Result<()> {
        self.store.write(book::forget_enrolment)
    }

    /// This device's id.
    pub fn device_id(&mut self) -> Result<String> {
        self.store
            .read(|tx| Ok(state_get(tx, crate::store::outbox::DEVICE_ID)?.unwrap_or_default()))
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
                book::prune_sent_log(tx, now, 45 * 24 * 3600 * 1000)?;
            }
            Ok(())
        })
    }

    /// A random fraction in [0, 1) for jitter, from the injected id source.
    fn jitter(&self) -> f64 {
        let b = self.ids.next().as_u128();
        ((b as u64) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs one sync cycle. `force` ignores a pending backoff (the "Sync now" button).
pub fn sync_once<L: Locked>(k: &L, t: &mut dyn Transport, force: bool) -> Result<Report> {
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
            report.retry_at = None;
            Ok(report)
        }
        Err(Failure::Store(e)) => Err(e),
        Err(Failure::Net(err, mut report)) => {
            let (status, retry_at, failures) = k.with(|k| {
                let failures = k.store.read(|tx| get_i64(tx, keys::FAILURES))?.unwrap_or(0) + 1;
                let now = k.sync_now();
                let backoff = |retry_after_s: Option<u64>| {
                    let exp =
                        1000i64.saturating_mul(1i64 << failures.clamp(0, 20)).min(BACKOFF_CAP_MS);
                    let jittered = (exp as f64 * k.jitter()) as i64;
                    let floor = retry_after_s.map_or(0, |s| i64::try_from(s).unwrap_or(600) * 1000);
                    now + jittered.max(floor).max(250)
                };
                Ok(match &err {
                    TransportError::Http {
                        status: 401, code: ErrorCode::DeviceRevoked, ..
                    } => (Status::Revoked, None, failures),
                    TransportError::Http { status: 401, .. } => (Status::Reconnect, None, failures),
                    TransportError::Http { status: 426, .. } => {
                        (Status::Upgrade, Some(backoff(Some(3600))), failures)
                    }
                    TransportError::Http {
                        status: 409,
                        code: ErrorCode::EpochChanged,
                        restore_point_seq,
                        ..
                    } => {
                        let rp = *restore_point_seq;
                        // Adopt the new epoch at the next hello; queue what the server lost.
                        k.store.write(|tx| book::recover_from_restore(tx, rp, now))?;
                        (Status::Offline, Some(now), 0)
                    }
                    TransportError::Http { retry_after_s, .. } => {
                        (Status::Offline, Some(backoff(*retry_after_s)), failures)
                    }
                    TransportError::Network(_) => (Status::Offline, Some(backoff(None)), failures),
                })
            })?;
            k.with(|k| k.set_status(status, retry_at, Some(failures)))?;
            report.status = status;
            report.retry_at = retry_at;
            Ok(report)
        }
        Err(Failure::Stalled(mut report)) => {
            let retry = k.with(|k| Ok(k.sync_now() + 60_000))?;
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

fn cycle<L: Locked>(
    k: &L,
    t: &mut dyn Transport,
    enrolled: &book::Enrolled,
    epoch: Option<String>,
    device_id: &str,
) -> std::result::Result<Report, Failure> {
    let mut report = Report::new(Status::Ok);
    let epoch = match epoch.filter(|e| !e.is_empty()) {
        Some(e) => e,
        None => {
            let hello = t.hello().map_err(|e| Failure::Net(e, report.clone()))?;
            k.with(|k| {
                let now = k.sync_now();
                k.store.write(|tx| {
                    state_set(tx, keys::EPOCH, &hello.epoch)?;
                    book::observe_hlc(tx, hello.server_hlc, now)
                })
            })?;
            hello.epoch
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
    // Pull each scope to its end.
    for scope in [&enrolled.user_scope, &enrolled.program_scope] {
        let mut same = 0;
        let mut last_after = -1;
        for _ in 0..MAX_ROUNDS {
            let after = k.with(|k| k.store.read(|tx| book::cursor(tx, scope)))?;
            if after == last_after {
                same += 1;
                if same >= 3 {
                    return Err(Failure::Stalled(report));
                }
            }
            last_after = after;
            let page =
                t.pull(scope, after, PAGE, &epoch).map_err(|e| Failure::Net(e, report.clone()))?;
            if page.has_more && page.next_after <= after {
                return Err(Failure::Stalled(report));
            }
            if page.rows.is_empty() && page.next_after == after && !page.has_more {
                break; // Nothing new: no write, no durable commit.
            }
            let tally = k.with(|k| {
                let now = k.sync_now();
                k.store.write(|tx| book::apply_pull(tx, scope, &page, now))
            })?;
            report.pulled += tally.rows;
            if !page.has_more {
                break;
            }
        }
    }
    Ok(report)
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

/// Why connecting to a program failed, in words the settings screen can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    BadAddress(String),
    #[error("That code isn't valid any more. Ask your program for a new one.")]
    BadCode,
    #[error("Couldn't reach the program's server. Check the address and your connection, then try again.")]
    Unreachable,
    #[error("This phone is connected to someone else's account on that server.")]
    DeviceConflict,
    #[error("Too many tries. Please wait a minute and try again.")]
    RateLimited,
    #[error("The server said no ({0}). Nothing on this phone changed.")]
    Refused(ErrorCode),
    #[error("Couldn't save the sign-in on this phone: {0}")]
    Storage(String),
}

/// Connects this phone to a program: exchanges the invite code at `server` for credentials,
/// keeps them in `creds` (never in the database) and records the enrolment. Nothing recorded
/// before is lost; it syncs at the next cycle.
pub fn connect<L: Locked>(
    k: &L,
    creds: &dyn creds::CredentialStore,
    server: &str,
    code: &str,
    app_version: &str,
) -> std::result::Result<book::Enrolled, ConnectError> {
    let server = http::normalize_server(server).map_err(ConnectError::BadAddress)?;
    let code = code.trim();
    if code.is_empty() || code.chars().count() > 64 {
        return Err(ConnectError::BadCode);
    }
    let device_id = k.with(|k| k.device_id()).map_err(|e| ConnectError::Storage(e.to_string()))?;
    let enrolment = http::enrol(&server, code, &device_id, app_version).map_err(|e| match e {
        TransportError::Network(_) => ConnectError::Unreachable,
        TransportError::Http { status: 401, .. } => ConnectError::BadCode,
        TransportError::Http { status: 409, .. } => ConnectError::DeviceConflict,
        TransportError::Http { status: 429, .. } => ConnectError::RateLimited,
        TransportError::Http { code, .. } => ConnectError::Refused(code),
    })?;
    http::store_tokens(creds, &enrolment.tokens)
        .map_err(|e| ConnectError::Storage(e.to_string()))?;
    let enrolled = book::Enrolled {
        server_url: server,
        user_scope: enrolment.user_scope,
        program_scope: enrolment.program_scope,
        program_name: enrolment.program_name,
    };
    k.with(|k| k.set_enrolment(&enrolled)).map_err(|e| ConnectError::Storage(e.to_string()))?;
    Ok(enrolled)
}

/// Disconnects: forgets the program and the credentials. Local data and unsent changes stay.
pub fn disconnect<L: Locked>(k: &L, creds: &dyn creds::CredentialStore) -> Result<()> {
    let _ = creds.delete(creds::ACCESS);
    let _ = creds.delete(creds::REFRESH);
    k.with(Kindred::forget_enrolment)
}

impl Kindred {
    /// Published program content of `entity` (`ladder`, `resource`, `help_number`), live
    /// records only, by `position` then id.
    pub fn program_content(
        &mut self,
        entity: &str,
    ) -> Result<Vec<(String, serde_json::Map<String, serde_json::Value>)>> {
        self.store.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, fields FROM program_record WHERE entity = ?1 AND cl % 2 = 1
                 ORDER BY coalesce(json_extract(fields, '$.position'), 0), id",
            )?;
            let rows = stmt.query_map([entity], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, raw) = row?;
                let fields = raw.map(|s| serde_json::from_str(&s)).transpose()?.unwrap_or_default();
                out.push((id, fields));
            }
            Ok(out)
        })
    }
}
