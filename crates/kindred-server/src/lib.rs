//! Kindred's program server: enrolment and device tokens, staff commands, and the sync protocol
//! of SYNC.md (hello, push, pull) over storage that is SQLite by default and PostgreSQL when a
//! program outgrows one machine.
//!
//! [`service::Service`] holds all behaviour and is synchronous, so the sync simulation tests
//! drive it in-process; [`http`] wraps it in axum for the `kindred-server` binary. Who acts is a
//! [`principal::Principal`], what they may do is [`policy`], every record write goes through
//! `apply` (the single write path), and [`db::migrations`] versions the schema.

mod apply;
mod consent;
pub mod db;
pub mod error;
pub mod http;
pub mod logging;
pub mod policy;
pub mod principal;
pub mod secrets;
pub mod service;
pub mod tls;

pub use error::Error;
pub use principal::{DeviceAuth, PersonRole, Principal, StaffId};
pub use service::{Clock, Service, SystemClock};

/// Result with the server error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
