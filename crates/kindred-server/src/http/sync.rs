//! Device sync routes (SYNC.md §8–§10, §14): hello, push and pull under `/sync/v1`, and
//! protocol 2's compact pull page at `/sync/v2/pull` (the same rows; hello and push are
//! unchanged), each behind a bearer access token and the per-device rate limit.

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use kindred_core::sync::compact::CompactPage;
use kindred_core::sync::wire::{self, ErrorCode, PushRequest};
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::{blocking, read_json, retry_secs, AppState};
use crate::principal::DeviceAuth;

/// This group's routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sync/v1/hello", get(hello))
        .route("/sync/v1/push", post(push))
        .route("/sync/v1/pull", get(pull))
        .route("/sync/v2/pull", get(pull_compact))
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

/// Whether `token` has the shape of an access token (`ka_` and 64 hex digits): anything else
/// is refused before any database work.
fn well_formed(token: &str) -> bool {
    token.len() == 67
        && token.starts_with("ka_")
        && token[3..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The device behind the request's access token, within its rate limit.
pub(super) async fn authenticate(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<DeviceAuth, ApiError> {
    let token = bearer(headers)?.to_owned();
    if !well_formed(&token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenInvalid,
            "Please connect this phone again.",
        ));
    }
    let svc = st.svc.clone();
    let auth = blocking(move || svc.authenticate(&token)).await?;
    if let Err(not_until) = st.per_device.check_key(&auth.device_id) {
        tracing::warn!(event = ErrorCode::RateLimited.as_str(), route = "sync");
        return Err(ApiError::rate_limited(retry_secs(&not_until)));
    }
    Ok(auth)
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

/// One page of `scope` for the device behind the request, in the shape `shape` gives it (off
/// the async runtime, like the read).
async fn page<T: Send + 'static>(
    st: &AppState,
    headers: &HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
    shape: fn(wire::PullResponse) -> T,
) -> Result<T, ApiError> {
    let auth = authenticate(st, headers).await?;
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
    blocking(move || svc.pull(&auth, &q.scope, q.after, q.limit, &epoch).map(shape)).await
}

async fn pull(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<wire::PullResponse> {
    Ok(Json(page(&st, &headers, query, |p| p).await?))
}

/// Protocol 2: the same page without a clock repeated on every field.
async fn pull_compact(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<CompactPage> {
    Ok(Json(page(&st, &headers, query, CompactPage::encode).await?))
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn only_access_token_shapes_reach_the_database() {
        assert!(well_formed(&format!("ka_{}", "0a".repeat(32))));
        for bad in [
            "ka_0000",
            "kr_0000000000000000000000000000000000000000000000000000000000000000",
            "",
            "ka_",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
        assert!(!well_formed(&format!("ka_{}", "0A".repeat(32))), "lower-case hex only");
    }
}
