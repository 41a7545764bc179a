//! Kindred's pure domain crate.
//!
//! Everything here is a pure function of its inputs: no files, no network, no clock reads and no
//! id minting (time comes in through [`clock::Clock`], ids are minted by `kindred-client`). The
//! crate builds for the host and for `wasm32-unknown-unknown`, so the device shell, the UI and the
//! program server all compile against the same types.

pub mod clock;
pub mod consent;
pub mod entity;
pub mod error;
pub mod ids;
pub mod insights;
pub mod ipc;
pub mod milestones;
pub mod model;
pub mod reminders;
pub mod stats;
pub mod sync;

pub use error::{Error, Result};
