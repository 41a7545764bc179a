//! Test harness for Kindred's integration tests: a settable clock, temporary stores on real
//! SQLite files, and (feature `gui`) a WebDriver session on the real app window.
//!
//! Every test, helper binary and benchmark opens device databases through [`open_device`] (a
//! whole device) or [`open_store`] (a bare store), so a change to how a store is opened (the
//! key of the encrypted store) is made here once.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use kindred_client::clock::SystemClock;
use kindred_client::ids::UuidV7;
use kindred_client::keys::DbKey;
use kindred_client::store::{Store, StoreOptions};
use kindred_client::{Kindred, OpenOptions};
use kindred_core::clock::Clock;

pub mod bench_args;
#[cfg(feature = "gui")]
pub mod browser;
pub mod figures;
#[cfg(feature = "gui")]
pub mod gui;
pub mod mentor;
#[cfg(feature = "gui")]
pub mod notify;
#[cfg(feature = "gui")]
pub mod screens;
pub mod sync;
pub mod tls;

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock showing `t`.
    pub fn at(t: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(t)))
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, d: Duration) {
        *self.0.lock().expect("clock lock") += d;
    }

    /// Sets the clock.
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = t;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// The key of every test device's encrypted store (tests only: the app makes a random one
/// and keeps it in the OS keystore).
pub fn test_key() -> DbKey {
    DbKey::from_bytes([0x5a; 32])
}

/// Options for a test device: `clock`, UUIDv7 ids, zone `tz`, encrypted with [`test_key`].
pub fn options(clock: &ManualClock, tz: Tz) -> OpenOptions {
    OpenOptions::new(Arc::new(clock.clone()), Arc::new(UuidV7), tz).with_key(test_key())
}

/// Options for a device with a plain SQLite file: an older Kindred's store, and tests that
/// read raw pages.
pub fn plain_options(clock: &ManualClock, tz: Tz) -> OpenOptions {
    OpenOptions::new(Arc::new(clock.clone()), Arc::new(UuidV7), tz)
}

/// Options for a device on the real clock and UUIDv7 ids, in `tz` (helper processes).
pub fn real_options(tz: Tz) -> OpenOptions {
    OpenOptions::new(Arc::new(SystemClock), Arc::new(UuidV7), tz).with_key(test_key())
}

/// Opens (creating if needed) the device store in `dir`: the one place tests open a device.
pub fn open_device(dir: &Path, options: OpenOptions) -> kindred_client::Result<Kindred> {
    Kindred::open_dir(dir, options)
}

/// Opens a store in `dir` with `clock`, in zone `tz`.
pub fn open(dir: &Path, clock: &ManualClock, tz: Tz) -> Kindred {
    open_device(dir, options(clock, tz)).expect("open store")
}

/// A bare SQLite connection to a test device's encrypted store file (raw SQL checks).
pub fn device_connection(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).expect("open the device file");
    kindred_client::store::cipher::key_connection(&c, &test_key()).expect("key the connection");
    c
}

/// Opens (creating if needed) a bare store file at `path` (store-level tests, benchmarks).
pub fn open_store(path: &Path) -> Store {
    Store::open(path, &StoreOptions { key: Some(test_key()) }).expect("open the store")
}
