//! Error answers, shared by every route group: [`ApiError`] is `{error, message}` JSON (plus
//! `restore_point_seq` after a restore) with the status of [`Error::status`] and a
//! `Retry-After` when coming back later helps. Storage failures are logged by their first
//! clause only and answered with a plain sentence.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kindred_core::sync::wire::{ErrorBody, ErrorCode};

use crate::Error;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody { error: code, message: message.into(), restore_point_seq: None },
            retry_after: None,
        }
    }

    pub(super) fn rate_limited(secs: u64) -> ApiError {
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
        if let Error::TooMany { retry_secs } = e {
            out.retry_after = Some(retry_secs.max(1));
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

/// A JSON answer or an error answer.
pub(super) type ApiResult<T> = Result<Json<T>, ApiError>;
