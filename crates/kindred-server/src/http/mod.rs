//! The HTTP face of [`Service`], by route group: `enrol` (invite codes and token refresh),
//! `sync` (the device sync protocol), `account` (the mentee's own account and disclosure
//! log), `web` (the mentor's pages; a staff web would be another group here).
//! This module assembles the router and what every group shares: request limits (SECURITY.md
//! IN-1, IN-2), per-device and per-address rate limits, body reading, blocking storage work,
//! and error answers ([`ApiError`]) as `{error, message}` JSON with the right status.
//!
//! Logs name the route, status and duration only: never bodies, query strings, tokens or ids.

mod account;
mod enrol;
mod error;
mod listen;
mod sync;
mod web;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};
use kindred_core::sync::wire::ErrorCode;
use serde::de::DeserializeOwned;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::DefaultPredicate;

pub use error::ApiError;
pub use listen::{client_ip, plain_allowed, serve, serve_tls};

use crate::service::Service;
use crate::Error;

/// Request limits and rates.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Sync requests per minute per device (burst: a tenth of it, at least 10).
    pub device_per_minute: u32,
    /// Enrolment and refresh attempts per minute per client address.
    pub enrol_per_minute: u32,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Requests handled at once.
    pub concurrency: usize,
}

/// Where requests come from.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Proxies whose `X-Forwarded-For` is believed (their own address is never the client's).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            device_per_minute: 600,
            enrol_per_minute: 10,
            timeout: Duration::from_secs(30),
            concurrency: 256,
        }
    }
}

/// What every handler shares.
struct AppState {
    svc: Arc<Service>,
    per_device: DefaultKeyedRateLimiter<String>,
    /// Enrolment attempts per client address.
    per_ip_enrol: DefaultKeyedRateLimiter<IpAddr>,
    /// Refresh attempts per client address (a separate bucket: an honest phone refreshing
    /// must not be locked out by someone guessing codes from the same network).
    per_ip_refresh: DefaultKeyedRateLimiter<IpAddr>,
    network: Network,
    /// Checks since the limiters last forgot idle keys.
    checks: AtomicU64,
}

/// The limiters forget keys idle past their quota every this many checks.
const PRUNE_EVERY: u64 = 4096;

/// Which per-address bucket a request draws from.
#[derive(Debug, Clone, Copy)]
enum Bucket {
    Enrol,
    Refresh,
}

impl AppState {
    /// Forgets idle limiter keys now and then, so memory stays bounded.
    fn prune(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.per_device.retain_recent();
            self.per_ip_enrol.retain_recent();
            self.per_ip_refresh.retain_recent();
        }
    }
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new((per_minute / 10).max(10)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(burst)
}

/// Whole seconds until a rate limit lets the next request through (at least one).
fn retry_secs(not_until: &NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    not_until.wait_time_from(DefaultClock::default().now()).as_secs() + 1
}

/// The per-address limit of the routes that take no credentials, keyed by the real client
/// address ([`client_ip`]).
fn limit_ip(
    st: &AppState,
    bucket: Bucket,
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiError> {
    st.prune();
    let ip = client_ip(peer, headers, &st.network.trusted_proxies);
    let (limiter, route) = match bucket {
        Bucket::Enrol => (&st.per_ip_enrol, "enrol"),
        Bucket::Refresh => (&st.per_ip_refresh, "refresh"),
    };
    limiter.check_key(&ip).map_err(|not_until| {
        tracing::warn!(event = ErrorCode::RateLimited.as_str(), route);
        ApiError::rate_limited(retry_secs(&not_until))
    })
}

/// Runs storage work on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Something went wrong.",
        )),
    }
}

/// The body limit of routes that take only a code, a token or an id.
const SMALL_BODY: usize = 4096;

/// Reads a JSON body of at most `limit` bytes (after gzip decoding).
async fn read_json<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = to_bytes(body, limit).await.map_err(|e| {
        let inner = e.into_inner();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&*inner);
        while let Some(c) = cause {
            if c.is::<http_body_util::LengthLimitError>() {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::BodyTooLarge,
                    format!("The body is over {limit} bytes."),
                );
            }
            cause = c.source();
        }
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadEncoding,
            "The body could not be read (a broken gzip stream?).",
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadJson,
            format!("The body is not valid: {e}"),
        )
    })
}

async fn health() -> &'static str {
    "ok"
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such route.")
}

/// Gives every refusal the `{error, message}` JSON body, also those made by layers (405 from
/// the router, 415 from decompression, 408 from the timeout, 413 from a length limit).
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res.headers().get(axum::http::header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            (ErrorCode::MethodNotAllowed, "This route doesn't take that method.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (ErrorCode::UnsupportedMediaType, "Send JSON, plain or gzip-encoded.")
        }
        StatusCode::REQUEST_TIMEOUT => (ErrorCode::Timeout, "The request took too long."),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::BodyTooLarge, "The body is too large."),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "No such route."),
        s if s.is_client_error() => (ErrorCode::Invalid, "The request was not understood."),
        _ => (ErrorCode::Internal, "Something went wrong."),
    };
    axum::response::IntoResponse::into_response(ApiError::new(status, code, message))
}

/// Logs one line per request: route template, status, milliseconds. Nothing else.
async fn access_log(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("-", |p| p.as_str()).to_owned();
    let method = req.method().clone();
    let t = Instant::now();
    let res = next.run(req).await;
    tracing::info!(%method, route, status = res.status().as_u16(), ms = t.elapsed().as_millis() as u64, "request");
    res
}

/// The server's routes with every limit applied.
pub fn router(svc: Arc<Service>, limits: Limits, network: Network) -> Router {
    let st = Arc::new(AppState {
        svc,
        per_device: RateLimiter::keyed(quota(limits.device_per_minute)),
        per_ip_enrol: RateLimiter::keyed(quota(limits.enrol_per_minute)),
        per_ip_refresh: RateLimiter::keyed(quota(limits.enrol_per_minute)),
        network,
        checks: AtomicU64::new(0),
    });
    Router::new()
        .route("/healthz", get(health))
        .merge(enrol::routes())
        .merge(sync::routes())
        .merge(account::routes())
        .merge(web::routes(st.svc.clone()))
        .fallback(not_found)
        .with_state(st)
        .layer(tower_http::decompression::RequestDecompressionLayer::new().gzip(true))
        // Fastest gzip: pulls are large JSON that compresses well even at level 1, and the
        // server's CPU is what many phones share.
        // Pages holding a CSRF token and echoed input are never compressed (BREACH). Nor is an
        // answer under 2 KiB (a push result, an empty page): each compression sets up a
        // compressor of a few hundred KB, which cost a busy server more than the few hundred
        // bytes it saves (PERF.md P8).
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(Predicate::and(
                    Predicate::and(
                        DefaultPredicate::new(),
                        NotForContentType::const_new("text/html"),
                    ),
                    SizeAbove::new(2048),
                )),
        )
        .layer(middleware::from_fn(access_log))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(middleware::from_fn(json_errors))
        .layer(tower::limit::ConcurrencyLimitLayer::new(limits.concurrency))
}
