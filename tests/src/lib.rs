//! Test harness for Kindred's integration tests: a settable clock, temporary stores on real
//! SQLite files, and (feature `gui`) a WebDriver session on the real app window.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use kindred_client::ids::UuidV7;
use kindred_client::Kindred;
use kindred_core::clock::Clock;

#[cfg(feature = "gui")]
pub mod gui;
pub mod sync;

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

/// Opens a store in `dir` with `clock`, in zone `tz`.
pub fn open(dir: &Path, clock: &ManualClock, tz: Tz) -> Kindred {
    Kindred::open_dir(dir, Arc::new(clock.clone()), Arc::new(UuidV7), tz).expect("open store")
}
