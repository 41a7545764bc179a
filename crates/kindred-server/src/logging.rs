//! The server's log set-up (SECURITY.md LG-1): `KINDRED_LOG` (an `EnvFilter`, default `info`)
//! to stderr, with the database drivers and the TLS and HTTP stacks held at `warn` whatever
//! `KINDRED_LOG` says: PostgreSQL's driver logs every statement's parameters at debug level,
//! and those are pushed free text, ids and token hashes. `debug!`/`trace!` of our own code are
//! compiled out of release builds (the `release_max_level_info` feature of `tracing`).

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Crates whose logs can quote request data; only their warnings and errors get through.
const QUIET: &[&str] = &["tokio_postgres", "postgres", "rustls", "hyper", "h2", "axum_server"];

/// Whether an event may be written at all, whatever the filter asks for.
pub fn allowed(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    let quiet = QUIET
        .iter()
        .any(|q| target == *q || target.strip_prefix(q).is_some_and(|rest| rest.starts_with("::")));
    !quiet || *meta.level() <= Level::WARN
}

/// Installs the subscriber (once, at start).
pub fn init() {
    let filter = EnvFilter::try_from_env("KINDRED_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter)
        .with_filter(filter_fn(allowed));
    let _ = tracing_subscriber::registry().with(fmt).try_init();
}
