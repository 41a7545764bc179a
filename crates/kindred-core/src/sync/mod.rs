//! Pure parts of sync (SYNC.md): the hybrid logical clock and the per-field merge rule. Wire
//! types arrive with the program-server issue.

pub mod hlc;
pub mod merge;
