//! Id minting: the only place UUIDs are created (UUIDv7), behind an injectable [`IdGen`].

use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

/// Mints record and change ids.
pub trait IdGen: Send + Sync {
    /// A new, unique id.
    fn next(&self) -> Uuid;
}

/// Production ids: UUIDv7 (time-ordered, random tail).
#[derive(Debug, Default, Clone, Copy)]
pub struct UuidV7;

impl IdGen for UuidV7 {
    #[allow(clippy::disallowed_methods)] // this is the wrapper the ban points to
    fn next(&self) -> Uuid {
        Uuid::now_v7()
    }
}

/// Deterministic ids for tests: version-7-shaped, counting up from 1.
#[derive(Debug, Default)]
pub struct SeqIds(AtomicU64);

impl IdGen for SeqIds {
    fn next(&self) -> Uuid {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        uuid::Builder::from_unix_timestamp_millis(n, &[0; 10]).into_uuid()
    }
}
