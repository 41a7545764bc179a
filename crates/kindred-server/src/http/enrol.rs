//! Routes for phones without credentials yet: `POST /enrol/v1` (an invite code for device
//! tokens) and `POST /auth/v1/refresh` (token rotation), both limited per client address.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::routing::post;
use axum::{Json, Router};
use kindred_core::sync::wire::{self, EnrolRequest, RefreshRequest};

use super::error::ApiResult;
use super::{blocking, limit_ip, read_json, AppState, Bucket, SMALL_BODY};

/// This group's routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/enrol/v1", post(enrol)).route("/auth/v1/refresh", post(refresh))
}

async fn enrol(
    State(st): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
) -> ApiResult<wire::Enrolment> {
    limit_ip(&st, Bucket::Enrol, addr.ip(), req.headers())?;
    let body: EnrolRequest = read_json(req.into_body(), SMALL_BODY).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.enrol(&body)).await?))
}

async fn refresh(
    State(st): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
) -> ApiResult<wire::TokenPair> {
    limit_ip(&st, Bucket::Refresh, addr.ip(), req.headers())?;
    let body: RefreshRequest = read_json(req.into_body(), SMALL_BODY).await?;
    let svc = st.svc.clone();
    Ok(Json(blocking(move || svc.refresh(&body)).await?))
}
