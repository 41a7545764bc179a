//! Pure parts of sync (SYNC.md): the hybrid logical clock, the per-field merge rule and the
//! wire types of hello/push/pull. The server and the device engine arrive with issue 4.

pub mod hlc;
pub mod merge;
pub mod wire;
