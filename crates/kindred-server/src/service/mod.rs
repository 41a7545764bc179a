//! Everything the server does, synchronous and transport-free, by area: `enrol` (invite
//! codes and device tokens, SECURITY.md AU-1, AU-2), `sync` (hello, push, pull: SYNC.md
//! §8–§14) and `staff` (programs, people, invites, devices, staff writes). Writes of records
//! all go through `apply` (crate-private), the single write path; who may do what is
//! [`crate::policy`].
//!
//! This module holds the [`Service`] itself: its storage, clock, MAC key, epoch and the server
//! hybrid logical clock.

mod account;
mod enrol;
pub mod login;
mod mentor;
mod mentor_read;
pub mod signals;
mod staff;
mod sync;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::pin::Pin;
use kindred_core::sync::wire::ErrorCode;

use crate::db::{run, Mode, Storage, Tx};
pub use crate::principal::{DeviceAuth, Principal, StaffId};
use crate::secrets;
use crate::{Error, Result};
pub use mentor::{CaseRow, Caseload, MenteePage, Outreach, CHANNELS, OUTCOMES};
pub use mentor_read::mentor_sql;
pub use staff::{DeviceInfo, MenteeInfo};

/// How far ahead of the server a device clock may stamp before being re-stamped (SYNC.md §4).
pub const MAX_DRIFT_MS: i64 = 5 * 60 * 1000;
/// Lifetime of an access token.
pub const ACCESS_TTL_MS: i64 = 15 * 60 * 1000;
/// Lifetime of a refresh token (each use rotates it).
pub const REFRESH_TTL_MS: i64 = 180 * 24 * 3600 * 1000;
/// How long a used refresh token still answers with the same successor pair (a phone whose
/// answer was lost asks again); after that, or once the successor is used, a second use
/// revokes the device.
pub const REFRESH_GRACE_MS: i64 = 2 * 60 * 1000;
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

/// The program server.
pub struct Service {
    db: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    mac_key: [u8; 32],
    epoch: String,
    hlc: Mutex<Hlc>,
    /// When each device's `last_seen_at` was last written.
    seen: Mutex<HashMap<String, i64>>,
    /// Who the staff commands act as (the CLI's `--staff-id`).
    staff: Principal,
    /// The key pins phones are given (current first, then backups); empty without TLS.
    pins: RwLock<Vec<Pin>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("backend", &self.db.backend()).finish_non_exhaustive()
    }
}

impl Service {
    /// Opens the service over `db`: reads (or creates) the epoch and seeds the server clock
    /// above every stamp it has issued. Staff commands act as the default [`StaffId`] until
    /// [`Service::with_staff`] names someone.
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
            staff: Principal::Staff(StaffId::default()),
            pins: RwLock::new(Vec::new()),
        })
    }

    /// The server clock's now, unix ms.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The same service, its staff commands acting as `staff` (tie-break node `s:<id>`,
    /// recorded in `change_log.actor_id`).
    pub fn with_staff(mut self, staff: StaffId) -> Service {
        self.staff = Principal::Staff(staff);
        self
    }

    /// Sets the key pins given to phones at enrolment and in `hello` (after a certificate
    /// reload too).
    pub fn set_pins(&self, pins: Vec<Pin>) {
        *self.pins.write().unwrap_or_else(std::sync::PoisonError::into_inner) = pins;
    }

    /// The key pins, as phones get them.
    pub fn pins(&self) -> Vec<String> {
        let pins = self.pins.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        pins.iter().map(Pin::to_string).collect()
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

    /// Moves the server clock past a stamp it received.
    fn observe(&self, remote: Hlc) {
        let now = u64::try_from(self.clock.now_ms()).unwrap_or(0);
        let mut h = self.hlc.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *h = h.receive(remote, now);
    }
}

/// A security-relevant event, logged (by kind only) and kept in `security_event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecurityEvent {
    /// An enrolment with an unknown, used or expired code.
    EnrolFailed,
    /// A refresh token used twice: its device is revoked.
    RefreshReused,
    /// A change id offered again with another payload.
    IdempotencyKeyReused,
    /// Staff or the mentee revoked a device.
    DeviceRevoked,
    /// A mentee deleted their data on the server.
    DataDeleted,
    /// A mentor sign-in that failed.
    SignInFailed,
}

impl SecurityEvent {
    /// The stored kind.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SecurityEvent::EnrolFailed => "enrol_failed",
            SecurityEvent::RefreshReused => "refresh_reused",
            SecurityEvent::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused.as_str(),
            SecurityEvent::DeviceRevoked => ErrorCode::DeviceRevoked.as_str(),
            SecurityEvent::DataDeleted => "data_deleted",
            SecurityEvent::SignInFailed => ErrorCode::SignInFailed.as_str(),
        }
    }
}

/// Logs and records a security event in the caller's transaction.
pub(crate) fn security_event(
    tx: &mut dyn Tx,
    now: i64,
    event: SecurityEvent,
    device: Option<&str>,
) -> Result<()> {
    tracing::warn!(event = event.as_str(), "security event");
    tx.exec(
        "INSERT INTO security_event (at, kind, device_id) VALUES ($1, $2, $3)",
        &[now.into(), event.as_str().into(), device.into()],
    )?;
    Ok(())
}
