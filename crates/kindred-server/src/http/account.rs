//! The mentee's account routes (SECURITY.md AU-2, PR-5): `POST /auth/v1/revoke` (this device
//! gives up its sign-in, by refresh token, limited per address like refresh),
//! `GET /sync/v1/devices`, `POST /sync/v1/devices/revoke` and `POST /sync/v1/delete-my-data`
//! and `GET /sync/v1/disclosures` (bearer token, per-device limit).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use kindred_core::sync::account::{
    DeleteMyDataRequest, DeviceList, DisclosurePage, Done, RevokeDeviceRequest, RevokeRequest,
};
use kindred_core::sync::wire::ErrorCode;

use super::error::{ApiError, ApiResult};
use super::sync::authenticate;
use super::{blocking, limit_ip, read_json, AppState, Bucket, SMALL_BODY};

/// This group's routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/auth/v1/revoke", post(revoke))
        .route("/sync/v1/devices", get(devices))
        .route("/sync/v1/devices/revoke", post(revoke_device))
        .route("/sync/v1/delete-my-data", post(delete_my_data))
        .route("/sync/v1/disclosures", get(disclosures))
}

/// `?after_at=<ms>&after_id=<id>&limit=<n>`: the page after that row.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureQuery {
    #[serde(default)]
    after_at: i64,
    #[serde(default)]
    after_id: String,
    limit: Option<i64>,
}

async fn disclosures(
    State(st): State<Arc<AppState>>,
    query: Result<Query<DisclosureQuery>, axum::extract::rejection::QueryRejection>,
    req: Request,
) -> ApiResult<DisclosurePage> {
    let auth = authenticate(&st, req.headers()).await?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadQuery, e.body_text()))?;
    if q.after_id.len() > 64 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadQuery,
            "after_id is too long",
        ));
    }
    let svc = st.svc.clone();
    Ok(Json(
        blocking(move || svc.disclosures(&auth, q.after_at, &q.after_id, q.limit.unwrap_or(500)))
            .await?,
    ))
}

async fn revoke(
    State(st): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
) -> ApiResult<Done> {
    limit_ip(&st, Bucket::Refresh, addr.ip(), req.headers())?;
    let body: RevokeRequest = read_json(req.into_body(), SMALL_BODY).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.revoke_by_refresh(&body.refresh_token)).await?))
}

async fn devices(State(st): State<Arc<AppState>>, req: Request) -> ApiResult<DeviceList> {
    let auth = authenticate(&st, req.headers()).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.my_devices(&auth)).await?))
}

async fn revoke_device(State(st): State<Arc<AppState>>, req: Request) -> ApiResult<Done> {
    let auth = authenticate(&st, req.headers()).await?;
    let body: RevokeDeviceRequest = read_json(req.into_body(), SMALL_BODY).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.revoke_my_device(&auth, &body.device_id)).await?))
}

async fn delete_my_data(State(st): State<Arc<AppState>>, req: Request) -> ApiResult<Done> {
    let auth = authenticate(&st, req.headers()).await?;
    let body: DeleteMyDataRequest = read_json(req.into_body(), SMALL_BODY).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.delete_my_data(&auth, &body.confirm)).await?))
}
