//! Pure parts of sync (SYNC.md): the hybrid logical clock. Merge rules and wire types arrive
//! with the program-server issue.

pub mod hlc;
