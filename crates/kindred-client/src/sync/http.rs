//! The HTTP transport: the sync requests over reqwest's blocking client (run it off the UI
//! thread), bearer access tokens from a [`CredentialStore`], one transparent refresh when the
//! access token has expired (the refresh token rotates), gzip request bodies, and the
//! enrolment call. Health data travels only in request bodies (SECURITY.md NW-3).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use kindred_core::sync::wire::{
    EnrolRequest, Enrolment, ErrorBody, ErrorCode, HelloResponse, PullResponse, PushRequest,
    PushResponse, RefreshRequest, TokenPair,
};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use super::{Transport, TransportError};
use crate::keys::{CredentialStore, ACCESS, REFRESH};

fn client() -> Result<Client, TransportError> {
    Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| TransportError::Network(e.to_string()))
}

fn net(e: reqwest::Error) -> TransportError {
    // reqwest's text can include the URL; ours carry no secrets or health data.
    TransportError::Network(if e.is_timeout() {
        "timed out".into()
    } else {
        "no connection".into()
    })
}

fn read<T: DeserializeOwned>(resp: Response) -> Result<T, TransportError> {
    let status = resp.status().as_u16();
    let retry_after_s = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let bytes = resp.bytes().map_err(net)?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes)
            .map_err(|_| TransportError::http(status, ErrorCode::Unknown));
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    Err(TransportError::Http {
        status,
        code: body.as_ref().map_or(ErrorCode::Unknown, |b| b.error),
        retry_after_s,
        restore_point_seq: body.and_then(|b| b.restore_point_seq),
    })
}

/// Normalises a server address as typed: trims, adds `https://` when no scheme is given,
/// drops a trailing slash. Refuses anything that is not http(s).
pub fn normalize_server(addr: &str) -> Result<String, String> {
    let a = addr.trim().trim_end_matches('/');
    if a.is_empty() {
        return Err("Enter your program's server address.".into());
    }
    let full = if a.contains("://") { a.to_owned() } else { format!("https://{a}") };
    if !(full.starts_with("https://") || full.starts_with("http://"))
        || full.len() > 200
        || full.chars().any(char::is_whitespace)
    {
        return Err("That doesn't look like a server address.".into());
    }
    Ok(full)
}

/// Exchanges an invite code for credentials at `server`.
pub fn enrol(
    server: &str,
    code: &str,
    device_id: &str,
    app_version: &str,
) -> Result<Enrolment, TransportError> {
    let req = EnrolRequest {
        code: code.to_owned(),
        device_id: device_id.to_owned(),
        app_version: app_version.to_owned(),
    };
    read(client()?.post(format!("{server}/enrol/v1")).json(&req).send().map_err(net)?)
}

/// The sync requests against one server.
pub struct HttpTransport {
    base: String,
    client: Client,
    creds: Arc<dyn CredentialStore>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport").finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport for `base` (as stored at enrolment) with credentials from `creds`.
    pub fn new(
        base: &str,
        creds: Arc<dyn CredentialStore>,
    ) -> Result<HttpTransport, TransportError> {
        Ok(HttpTransport { base: base.trim_end_matches('/').to_owned(), client: client()?, creds })
    }

    fn token(&self, key: &str) -> Result<String, TransportError> {
        self.creds
            .get(key)
            .map_err(|e| TransportError::Network(e.to_string()))?
            .ok_or_else(|| TransportError::http(401, ErrorCode::TokenInvalid))
    }

    fn refresh(&self) -> Result<(), TransportError> {
        let req = RefreshRequest { refresh_token: self.token(REFRESH)? };
        let pair: TokenPair = read(
            self.client
                .post(format!("{}/auth/v1/refresh", self.base))
                .json(&req)
                .send()
                .map_err(net)?,
        )?;
        store_tokens(&*self.creds, &pair)
    }

    /// Sends with the access token; on `token_expired` refreshes once and resends.
    fn send<T: DeserializeOwned>(
        &self,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<T, TransportError> {
        let first = read(build(&self.client).bearer_auth(self.token(ACCESS)?).send().map_err(net)?);
        match first {
            Err(TransportError::Http { status: 401, code: ErrorCode::TokenExpired, .. }) => {
                self.refresh()?;
                read(build(&self.client).bearer_auth(self.token(ACCESS)?).send().map_err(net)?)
            }
            other => other,
        }
    }
}

/// Saves a token pair in the credential store.
pub fn store_tokens(creds: &dyn CredentialStore, pair: &TokenPair) -> Result<(), TransportError> {
    creds.set(ACCESS, &pair.access_token).map_err(|e| TransportError::Network(e.to_string()))?;
    creds.set(REFRESH, &pair.refresh_token).map_err(|e| TransportError::Network(e.to_string()))
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(body);
    enc.finish().unwrap_or_default()
}

impl Transport for HttpTransport {
    fn hello(&mut self) -> Result<HelloResponse, TransportError> {
        self.send(|c| c.get(format!("{}/sync/v1/hello", self.base)))
    }

    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let body =
            serde_json::to_vec(req).map_err(|_| TransportError::http(400, ErrorCode::Unknown))?;
        let body = gzip(&body);
        self.send(|c| {
            c.post(format!("{}/sync/v1/push", self.base))
                .header("content-type", "application/json")
                .header("content-encoding", "gzip")
                .body(body.clone())
        })
    }

    fn pull(
        &mut self,
        scope: &str,
        after: i64,
        limit: u32,
        epoch: &str,
    ) -> Result<PullResponse, TransportError> {
        self.send(|c| {
            c.get(format!("{}/sync/v1/pull", self.base))
                .query(&[
                    ("scope", scope.to_owned()),
                    ("after", after.to_string()),
                    ("limit", limit.to_string()),
                ])
                .header("sync-epoch", epoch)
        })
    }
}
