//! What a failed request means and when to try again (SYNC.md §10), as pure functions: the
//! engine asks [`classify`] about the error, then [`outcome`] for the status to record and the
//! retry time, with the jitter injected (the engine draws it from its id source; tests pass a
//! constant).
//!
//! Network errors, 5xx and 429 back off exponentially with full jitter, never sooner than
//! `Retry-After`; a revoked device or an expired enrolment stops syncing and says so; a server
//! that needs a newer app waits at least an hour; a restored server (409 `epoch_changed`)
//! re-pushes what it lost and is tried again at once.

use kindred_core::sync::wire::ErrorCode;

use super::{Status, TransportError};

/// Longest backoff.
pub const BACKOFF_CAP_MS: i64 = 10 * 60 * 1000;
/// Shortest wait after a failure.
pub const BACKOFF_MIN_MS: i64 = 250;
/// How long a server that needs a newer app is left alone at least.
pub const UPGRADE_WAIT_S: u64 = 3600;
/// When a stalled cycle (a server answering without progress) is tried again.
pub const STALL_RETRY_MS: i64 = 60_000;

/// What a failed request means for syncing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The program disconnected this device (401 `device_revoked`): stop until the mentee acts.
    Revoked,
    /// The sign-in is no longer valid (any other 401): stop; connect again with a new code.
    Reconnect,
    /// The server needs a newer app (426): keep everything queued, wait at least an hour.
    Upgrade,
    /// The server was restored from a backup (409 `epoch_changed`): queue again what it lost
    /// after `restore_point_seq`, then retry at once.
    Restore { restore_point_seq: Option<i64> },
    /// Any other answer (5xx, 429, …): back off, never sooner than `Retry-After`.
    Backoff { retry_after_s: Option<u64> },
    /// No answer: back off.
    Network,
    /// The server's key was not the program's: nothing was sent; back off and say so.
    Untrusted,
}

/// Classifies a failed request.
pub fn classify(err: &TransportError) -> Retry {
    match err {
        TransportError::Http { status: 401, code: ErrorCode::DeviceRevoked, .. } => Retry::Revoked,
        TransportError::Http { status: 401, .. } => Retry::Reconnect,
        TransportError::Http { status: 426, .. } => Retry::Upgrade,
        TransportError::Http {
            status: 409,
            code: ErrorCode::EpochChanged,
            restore_point_seq,
            ..
        } => Retry::Restore { restore_point_seq: *restore_point_seq },
        TransportError::Http { retry_after_s, .. } => {
            Retry::Backoff { retry_after_s: *retry_after_s }
        }
        TransportError::Network(_) => Retry::Network,
        TransportError::Untrusted => Retry::Untrusted,
        // No pins or not HTTPS: only connecting again (with a new invite) helps.
        TransportError::Insecure => Retry::Reconnect,
    }
}

/// The wait before the next try after `failures` failures in a row: exponential from 1 s,
/// capped at [`BACKOFF_CAP_MS`], scaled by `jitter` in [0, 1) (full jitter), never less than
/// `retry_after_s` nor [`BACKOFF_MIN_MS`].
pub fn delay_ms(failures: i64, jitter: f64, retry_after_s: Option<u64>) -> i64 {
    let exp = 1000i64.saturating_mul(1i64 << failures.clamp(0, 20)).min(BACKOFF_CAP_MS);
    let jittered = (exp as f64 * jitter) as i64;
    let floor = retry_after_s.map_or(0, |s| i64::try_from(s).unwrap_or(600) * 1000);
    jittered.max(floor).max(BACKOFF_MIN_MS)
}

/// A random fraction in [0, 1) from 128 random bits (the top 53 of the low 64).
pub fn unit_fraction(bits: u128) -> f64 {
    ((bits as u64) >> 11) as f64 / (1u64 << 53) as f64
}

/// What the engine records after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    /// When to try again (unix ms); `None`: not until the mentee acts.
    pub retry_at: Option<i64>,
    /// Failures in a row, as stored for the next backoff.
    pub failures: i64,
}

/// The status, retry time and failure count after a failure classified as `retry`, the
/// `failures`-th in a row, at `now` (unix ms). `jitter` is drawn only when a backoff is
/// computed.
pub fn outcome(retry: Retry, failures: i64, now: i64, jitter: impl FnOnce() -> f64) -> Outcome {
    let backoff = |retry_after_s| Some(now + delay_ms(failures, jitter(), retry_after_s));
    let (status, retry_at, failures) = match retry {
        Retry::Revoked => (Status::Revoked, None, failures),
        Retry::Reconnect => (Status::Reconnect, None, failures),
        Retry::Upgrade => (Status::Upgrade, backoff(Some(UPGRADE_WAIT_S)), failures),
        Retry::Restore { .. } => (Status::Offline, Some(now), 0),
        Retry::Backoff { retry_after_s } => (Status::Offline, backoff(retry_after_s), failures),
        Retry::Network => (Status::Offline, backoff(None), failures),
        Retry::Untrusted => (Status::Untrusted, backoff(None), failures),
    };
    Outcome { status, retry_at, failures }
}

#[cfg(test)]
mod tests;
