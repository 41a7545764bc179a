//! The HTTP face of [`Service`]: axum routes under versioned paths, request limits
//! (SECURITY.md IN-1, IN-2), per-device and per-address rate limits, and error answers as
//! `{error, message}` JSON with the right status. Storage work runs on blocking threads.
//!
//! Logs name the route, status and duration only: never bodies, query strings, tokens or ids.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, MatchedPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kindred_core::sync::wire::{
    self, EnrolRequest, ErrorBody, ErrorCode, PushRequest, RefreshRequest,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::service::{DeviceAuth, Service};
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

struct AppState {
    svc: Arc<Service>,
    per_device: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new((per_minute / 10).max(10)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(burst)
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody { error: code, message: message.into(), restore_point_seq: None },
            retry_after: None,
        }
    }

    fn rate_limited(secs: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "Too many requests; try again shortly.",
        );
        e.retry_after = Some(secs.max(1));
        e
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = match &e {
            Error::Db(detail) => {
                // The database's own text can quote values: only its first clause is logged.
                let head: String =
                    detail.split("DETAIL").next().unwrap_or("").chars().take(120).collect();
                tracing::error!(error = %head, "storage failed");
                "The server could not save this right now; it will be retried.".to_owned()
            }
            other => other.to_string(),
        };
        let mut out = ApiError::new(status, e.code(), message);
        if let Error::EpochChanged { restore_point_seq } = e {
            out.body.restore_point_seq = restore_point_seq;
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            out.retry_after = Some(5);
        }
        out
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

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

async fn read_json<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            format!("The body is over {limit} bytes."),
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

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::MissingToken, "Sign-in is missing.")
        })
}

async fn authenticate(st: &AppState, headers: &HeaderMap) -> Result<DeviceAuth, ApiError> {
    let token = bearer(headers)?.to_owned();
    let svc = st.svc.clone();
    let auth = blocking(move || svc.authenticate(&token)).await?;
    if let Err(not_until) = st.per_device.check_key(&auth.device_id) {
        let wait = not_until
            .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        tracing::warn!(event = "rate_limited", route = "sync");
        return Err(ApiError::rate_limited(wait.as_secs() + 1));
    }
    Ok(auth)
}

fn limit_ip(st: &AppState, ip: IpAddr) -> Result<(), ApiError> {
    st.per_ip.check_key(&ip).map_err(|not_until| {
        let wait = not_until
            .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        tracing::warn!(event = "rate_limited", route = "enrol");
        ApiError::rate_limited(wait.as_secs() + 1)
    })
}

async fn health() -> &'static str {
    "ok"
}

async fn enrol(
    State(st): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
) -> ApiResult<wire::Enrolment> {
    limit_ip(&st, addr.ip())?;
    let body: EnrolRequest = read_json(req.into_body(), 4096).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.enrol(&body)).await?))
}

async fn refresh(
    State(st): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
) -> ApiResult<wire::TokenPair> {
    limit_ip(&st, addr.ip())?;
    let body: RefreshRequest = read_json(req.into_body(), 4096).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.refresh(&body)).await?))
}

async fn hello(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
) -> ApiResult<wire::HelloResponse> {
    authenticate(&st, &headers).await?;
    Ok(Json(st.svc.hello()))
}

async fn push(State(st): State<Arc<AppState>>, req: Request) -> ApiResult<wire::PushResponse> {
    let auth = authenticate(&st, req.headers()).await?;
    let body: PushRequest = read_json(req.into_body(), wire::MAX_PUSH_BYTES).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.push(&auth, &body)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    scope: String,
    after: i64,
    limit: Option<i64>,
}

async fn pull(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<wire::PullResponse> {
    let auth = authenticate(&st, &headers).await?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadQuery, e.body_text()))?;
    let epoch = headers
        .get("sync-epoch")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MissingEpoch,
                "The Sync-Epoch header is missing.",
            )
        })?
        .to_owned();
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.pull(&auth, &q.scope, q.after, q.limit, &epoch)).await?))
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such route.")
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
pub fn router(svc: Arc<Service>, limits: Limits) -> Router {
    let st = Arc::new(AppState {
        svc,
        per_device: RateLimiter::keyed(quota(limits.device_per_minute)),
        per_ip: RateLimiter::keyed(quota(limits.enrol_per_minute)),
    });
    Router::new()
        .route("/healthz", get(health))
        .route("/enrol/v1", post(enrol))
        .route("/auth/v1/refresh", post(refresh))
        .route("/sync/v1/hello", get(hello))
        .route("/sync/v1/push", post(push))
        .route("/sync/v1/pull", get(pull))
        .fallback(not_found)
        .with_state(st)
        .layer(tower_http::decompression::RequestDecompressionLayer::new().gzip(true))
        // Fastest gzip: pulls are large JSON that compresses well even at level 1, and the
        // server's CPU is what many phones share.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(middleware::from_fn(access_log))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(limits.concurrency))
}

/// Serves `router` on `listener` until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
