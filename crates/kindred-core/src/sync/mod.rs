//! Pure parts of sync (SYNC.md): the hybrid logical clock, the per-field merge rule and the
//! wire types of hello/push/pull, the one list of error codes on the wire, and the
//! sync status the device, shell and UI share, and the server key pins and invite codes;
//! protocol 2's compact pull page.

pub mod account;
pub mod code;
pub mod compact;
pub mod hlc;
pub mod merge;
pub mod pin;
pub mod status;
pub mod wire;
