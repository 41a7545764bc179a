//! The IPC commands: one file per area, each command a few lines that hand a
//! `kindred_core::ipc` request to the `kindred-client` facade. Commands that change data call
//! `AppState::write`, which triggers a background sync after the commit.

pub mod cravings;
pub mod data;
pub mod mentor;
pub mod plan;
pub mod program;
pub mod settings;
pub mod trackers;
