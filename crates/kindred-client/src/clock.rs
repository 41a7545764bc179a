//! The real clock. Domain code never reads it; the facade passes `now` down.

use chrono::{DateTime, Utc};
use kindred_core::clock::Clock;

/// Reads the operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // this is the wrapper the ban points to
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The operating system's IANA time zone, or UTC when it can't be determined.
pub fn system_tz() -> chrono_tz::Tz {
    iana_time_zone::get_timezone().ok().and_then(|name| name.parse().ok()).unwrap_or(chrono_tz::UTC)
}
