//! The sync engine (SYNC.md §10): one cycle pushes the outbox in bounded batches, then pulls the
//! user and program scopes page by page, each page committed with its cursor. The network is
//! behind [`Transport`] (HTTP in [`http`], in-memory in the simulation tests); the store is
//! reached through [`Locked`] and is never locked while a request is in flight, so the UI never
//! waits on the network.
//!
//! - [`engine`]: the single-flight cycle ([`sync_once`]) and the status it records;
//! - [`backoff`]: what a failed request means ([`backoff::classify`]) and when to retry, pure;
//! - [`connect`]: enrolment with an invite code, and disconnecting (revoking on the server);
//! - [`account`]: the mentee's phones and deleting their data on the server;
//! - [`http`]: the reqwest transport; [`tls`]: HTTPS with the program's key pins.
//!
//! The sign-in tokens live in the app's secret store ([`crate::keys`]), never in the database.

pub mod account;
pub mod backoff;
pub mod connect;
pub mod engine;
pub mod http;
pub mod tls;

use std::sync::Mutex;

use kindred_core::sync::wire::{ErrorCode, HelloResponse, PullResponse, PushRequest, PushResponse};

use crate::{Kindred, Result};

pub use backoff::BACKOFF_CAP_MS;
pub use connect::{connect, disconnect, retry_pending_revoke, ConnectError, Disconnected};
pub use engine::{sync_once, SingleFlight};
pub use kindred_core::sync::status::Status;

/// Rows asked for per pull page.
pub const PAGE: u32 = 1000;

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
    /// The server's key did not match the program's pins: nothing was sent.
    #[error("the server's key is not the program's")]
    Untrusted,
    /// The address is not HTTPS (or no pins are known for it): nothing was sent.
    #[error("not a secure connection")]
    Insecure,
}

impl TransportError {
    /// An HTTP error with just a status and code.
    pub fn http(status: u16, code: ErrorCode) -> Self {
        TransportError::Http { status, code, retry_after_s: None, restore_point_seq: None }
    }
}

/// The three sync requests.
pub trait Transport {
    /// Whether the engine should say hello in this cycle even when it knows the epoch (a new
    /// connection learns whether the program's key pins changed).
    fn wants_hello(&mut self) -> bool {
        false
    }
    /// Takes the key pins a pinned connection's `hello` announced; the pins it now trusts, or
    /// `None` when it kept its own.
    fn adopt_pins(&mut self, _pins: &[String]) -> Option<Vec<kindred_core::sync::pin::Pin>> {
        None
    }
    fn hello(&mut self) -> Result<HelloResponse, TransportError>;
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError>;
    fn pull(
        &mut self,
        scope: &str,
        after: i64,
        limit: u32,
        epoch: &str,
    ) -> Result<PullResponse, TransportError>;
    /// A page of the mentee's disclosure log after `(after_at, after_id)`; `None`: this
    /// transport has none to offer.
    fn disclosures(
        &mut self,
        _after_at: i64,
        _after_id: &str,
    ) -> Result<Option<kindred_core::sync::account::DisclosurePage>, TransportError> {
        Ok(None)
    }
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

/// Where syncing stands ([`Kindred::sync_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSummary {
    pub status: Status,
    /// When the last cycle finished well (unix ms).
    pub last_ok_at: Option<i64>,
    /// Changes recorded here and not yet accepted by the server.
    pub pending: i64,
    /// Changes the server refused (kept on this phone).
    pub rejected: i64,
}
