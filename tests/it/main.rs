//! Kindred's integration tests, one binary: store tests on real SQLite files and real processes,
//! and (feature `gui`) end-to-end tests on the real app window.

mod crash;
mod encrypted;
mod export;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_mentor;
#[cfg(feature = "gui")]
mod gui_notify;
#[cfg(feature = "gui")]
mod gui_screens;
#[cfg(feature = "gui")]
mod gui_sharing;
mod hostile;
mod insights;
mod lock;
mod mentee;
mod mentor_authz;
mod mentor_consent;
mod mentor_phone;
mod mentor_web;
mod multi;
mod pg;
mod server_account;
mod server_schema;
mod store;
mod sync_compact;
mod sync_http;
mod sync_server;
mod sync_sim;
mod tls;
