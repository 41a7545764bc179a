//! The mentee's account routes (SECURITY.md AU-2, PR-5): `POST /auth/v1/revoke` (this device
//! gives up its sign-in, by refresh token, limited per address like refresh),
//! `GET /sync/v1/devices`, `POST /sync/v1/devices/revoke` and `POST /sync/v1/delete-my-data`
//! (bearer token, per-device limit).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use kindred_core::sync::account::{
    DeleteMyDataRequest, DeviceList, Done, RevokeDeviceRequest, RevokeRequest,
};

use super::error::ApiResult;
use super::sync::authenticate;
use super::{blocking, limit_ip, read_json, AppState, Bucket, SMALL_BODY};

/// This group's routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/auth/v1/revoke", post(revoke))
        .route("/sync/v1/devices", get(devices))
        .route("/sync/v1/devices/revoke", post(revoke_device))
        .route("/sync/v1/delete-my-data", post(delete_my_data))
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
