//! Domain aggregates, one file each: types plus their validation.

pub mod check_in;
pub mod contact;
pub mod craving;
pub mod help;
pub mod ladder;
pub mod plan;
pub mod settings;
pub mod text;
pub mod tracker;

/// How long a deleted tracker or craving can be brought back: its outbox `delete` waits this
/// long, the shell's sync worker looks again just after it, and the UI's "Undo" toast stays a
/// little less than it (so an undo is never offered after the delete has left).
pub const UNDO_WINDOW_MS: i64 = 10_000;
