//! The HTTP transport: the sync requests over reqwest's blocking client (run it off the UI
//! thread) on a pinned HTTPS connection ([`super::tls`]), bearer access tokens from a
//! [`CredentialStore`], one transparent refresh when the access token has expired (the
//! refresh token rotates, and the successor is kept before it is used), gzip request bodies,
//! the enrolment call and revoking this device. Health data travels only in request bodies
//! (SECURITY.md NW-3).

use std::io::Write;
use std::sync::Arc;

use kindred_core::sync::account::{
    DeleteMyDataRequest, DeviceList, DisclosurePage, Done, RevokeDeviceRequest, RevokeRequest,
    DELETE_WORD,
};
use kindred_core::sync::compact::{self, CompactPage};
use kindred_core::sync::pin::Pin;
use kindred_core::sync::wire::{
    self, EnrolRequest, Enrolment, ErrorBody, ErrorCode, HelloResponse, PullResponse, PushRequest,
    PushResponse, RefreshRequest, TokenPair,
};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use super::tls::{self, Https, Trust};
use super::{Transport, TransportError};
use crate::keys::{CredentialStore, ACCESS, REFRESH};

fn read<T: DeserializeOwned>(resp: Response) -> Result<T, TransportError> {
    let status = resp.status().as_u16();
    let retry_after_s = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let bytes = tls::body(resp)?;
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
/// drops a trailing slash. Refuses anything that is not an HTTPS address of a host.
pub fn normalize_server(addr: &str) -> Result<String, String> {
    let a = addr.trim().trim_end_matches('/');
    if a.is_empty() {
        return Err("Enter your program's server address.".into());
    }
    let full = if a.contains("://") { a.to_owned() } else { format!("https://{a}") };
    if full.starts_with("http://") {
        return Err("The address must start with https:// so no one else can read what is \
                    sent. Check it on your invite."
            .into());
    }
    let parsed = url::Url::parse(&full).ok().filter(|u| {
        u.scheme() == "https"
            && u.host().is_some()
            && u.username().is_empty()
            && u.password().is_none()
            && u.query().is_none()
            && u.fragment().is_none()
    });
    if parsed.is_none() || full.len() > 200 || full.chars().any(char::is_whitespace) {
        return Err("That doesn't look like a server address.".into());
    }
    Ok(full)
}

/// What enrolling showed besides the credentials: the pins to keep.
#[derive(Debug)]
pub struct EnrolAnswer {
    pub enrolment: Enrolment,
    /// The pins the phone keeps (always including the key it talked to).
    pub pins: Vec<Pin>,
}

/// Exchanges an invite code for credentials at `server`, trusting only `trust`. The pins kept
/// are the server's announced set when it includes the key this connection was made with
/// (else, for a QR invite, the invite's own pins; a typed code with no usable set fails).
pub fn enrol(
    server: &str,
    trust: Trust,
    code: &str,
    device_id: &str,
    app_version: &str,
) -> Result<EnrolAnswer, TransportError> {
    let req = EnrolRequest {
        code: code.to_owned(),
        device_id: device_id.to_owned(),
        app_version: app_version.to_owned(),
    };
    let https = Https::new(trust.clone())?;
    let enrolment: Enrolment =
        read(https.send(https.client.post(format!("{server}/enrol/v1")).json(&req))?)?;
    if https.seen.accepted().is_none() {
        return Err(TransportError::Untrusted);
    }
    let pins = match (https.announced(&enrolment.pins), trust) {
        (Some(pins), _) => pins,
        (None, Trust::Pins(pins)) => pins,
        (None, Trust::Check(_)) => return Err(TransportError::Untrusted),
    };
    Ok(EnrolAnswer { enrolment, pins })
}

/// The sync requests against one server.
pub struct HttpTransport {
    base: String,
    https: Https,
    creds: Arc<dyn CredentialStore>,
    /// Whether this transport has said hello yet.
    greeted: bool,
    /// The protocol agreed at hello: 2 pulls compact pages, 1 (before hello, or an older
    /// server) the original ones.
    protocol: u32,
    /// The newest protocol this transport may speak.
    newest: u32,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport").finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport for `base` (as stored at enrolment) that trusts only `pins`, with
    /// credentials from `creds`. No pins, or an address that is not HTTPS, is
    /// [`TransportError::Insecure`]: nothing is sent.
    pub fn new(
        base: &str,
        pins: Vec<Pin>,
        creds: Arc<dyn CredentialStore>,
    ) -> Result<HttpTransport, TransportError> {
        let (base, https) = pinned(base, pins)?;
        Ok(HttpTransport {
            base,
            https,
            creds,
            greeted: false,
            protocol: wire::PROTOCOL,
            newest: compact::PROTOCOL,
        })
    }

    /// Speaks at most protocol `newest`, as an older app would (compatibility tests and the
    /// protocol comparison in P6).
    pub fn speaking(mut self, newest: u32) -> Self {
        self.newest = newest.clamp(wire::PROTOCOL, compact::PROTOCOL);
        self
    }

    /// The mentee's devices (`GET /sync/v1/devices`).
    pub fn devices(&mut self) -> Result<DeviceList, TransportError> {
        self.send(|c| c.get(format!("{}/sync/v1/devices", self.base)))
    }

    /// Revokes one of the mentee's devices (`POST /sync/v1/devices/revoke`).
    pub fn revoke_device(&mut self, device_id: &str) -> Result<Done, TransportError> {
        let req = RevokeDeviceRequest { device_id: device_id.to_owned() };
        self.send(|c| c.post(format!("{}/sync/v1/devices/revoke", self.base)).json(&req))
    }

    /// Deletes the mentee's data on the server (`POST /sync/v1/delete-my-data`).
    pub fn delete_my_data(&mut self) -> Result<Done, TransportError> {
        let req = DeleteMyDataRequest { confirm: DELETE_WORD.to_owned() };
        self.send(|c| c.post(format!("{}/sync/v1/delete-my-data", self.base)).json(&req))
    }

    fn token(&self, key: &str) -> Result<String, TransportError> {
        self.creds
            .get(key)
            .map_err(|e| TransportError::Network(e.to_string()))?
            .ok_or_else(|| TransportError::http(401, ErrorCode::TokenInvalid))
    }

    fn refresh(&self) -> Result<(), TransportError> {
        let req = RefreshRequest { refresh_token: self.token(REFRESH)? };
        let pair: TokenPair =
            read(self.https.send(
                self.https.client.post(format!("{}/auth/v1/refresh", self.base)).json(&req),
            )?)?;
        // Kept before the new access token is used: a crash now still leaves the successor.
        store_tokens(&*self.creds, &pair)
    }

    /// Sends with the access token; on `token_expired` refreshes once and resends.
    fn send<T: DeserializeOwned>(
        &self,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<T, TransportError> {
        let c = &self.https.client;
        let first = read(self.https.send(build(c).bearer_auth(self.token(ACCESS)?))?);
        match first {
            Err(TransportError::Http { status: 401, code: ErrorCode::TokenExpired, .. }) => {
                self.refresh()?;
                read(self.https.send(build(c).bearer_auth(self.token(ACCESS)?))?)
            }
            other => other,
        }
    }
}

/// The base address (without a trailing slash) of an enrolled server and a client that trusts
/// only its `pins`. No pins, or an address that is not HTTPS, is [`TransportError::Insecure`].
fn pinned(server: &str, pins: Vec<Pin>) -> Result<(String, Https), TransportError> {
    if pins.is_empty() || normalize_server(server).is_err() {
        return Err(TransportError::Insecure);
    }
    Ok((server.trim_end_matches('/').to_owned(), Https::new(Trust::Pins(pins))?))
}

/// Revokes the device holding `refresh_token` at `server` (`POST /auth/v1/revoke`), trusting
/// only `pins`. A token the server no longer knows counts as done.
pub fn revoke(server: &str, pins: Vec<Pin>, refresh_token: &str) -> Result<(), TransportError> {
    let (base, https) = pinned(server, pins)?;
    let req = RevokeRequest { refresh_token: refresh_token.to_owned() };
    let url = format!("{base}/auth/v1/revoke");
    match read::<Done>(https.send(https.client.post(url).json(&req))?) {
        Ok(_) | Err(TransportError::Http { status: 401, .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Saves a token pair in the credential store.
pub fn store_tokens(creds: &dyn CredentialStore, pair: &TokenPair) -> Result<(), TransportError> {
    creds.set(ACCESS, &pair.access_token).map_err(|e| TransportError::Network(e.to_string()))?;
    creds.set(REFRESH, &pair.refresh_token).map_err(|e| TransportError::Network(e.to_string()))
}

/// The protocol to speak with a server that said `hello`: the newest both know (at most
/// `newest`). A server that no longer speaks any protocol this app knows answers like a 426,
/// so the mentee is asked to update the app (SYNC.md §14).
fn agree(hello: &HelloResponse, newest: u32) -> Result<u32, TransportError> {
    let ours = wire::PROTOCOL..=newest;
    let best = hello.protocol_max.min(newest);
    if hello.protocol_min > best || !ours.contains(&best) {
        return Err(TransportError::http(426, ErrorCode::Unknown));
    }
    Ok(best)
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(body);
    enc.finish().unwrap_or_default()
}

impl Transport for HttpTransport {
    fn wants_hello(&mut self) -> bool {
        !self.greeted
    }

    fn adopt_pins(&mut self, pins: &[String]) -> Option<Vec<Pin>> {
        let pins = self.https.announced(pins)?;
        self.https = Https::new(Trust::Pins(pins.clone())).ok()?;
        Some(pins)
    }

    fn hello(&mut self) -> Result<HelloResponse, TransportError> {
        let hello: HelloResponse = self.send(|c| c.get(format!("{}/sync/v1/hello", self.base)))?;
        self.greeted = true;
        self.protocol = agree(&hello, self.newest)?;
        Ok(hello)
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
        let query = [
            ("scope", scope.to_owned()),
            ("after", after.to_string()),
            ("limit", limit.to_string()),
        ];
        if self.protocol < compact::PROTOCOL {
            return self.send(|c| {
                c.get(format!("{}/sync/v1/pull", self.base))
                    .query(&query)
                    .header("sync-epoch", epoch)
            });
        }
        let page: CompactPage = self.send(|c| {
            c.get(format!("{}/sync/v2/pull", self.base)).query(&query).header("sync-epoch", epoch)
        })?;
        page.decode().ok_or(TransportError::http(200, ErrorCode::Unknown))
    }

    fn disclosures(
        &mut self,
        after_at: i64,
        after_id: &str,
    ) -> Result<Option<DisclosurePage>, TransportError> {
        self.send(|c| {
            c.get(format!("{}/sync/v1/disclosures", self.base)).query(&[
                ("after_at", after_at.to_string()),
                ("after_id", after_id.to_owned()),
                ("limit", "500".to_owned()),
            ])
        })
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use kindred_core::sync::hlc::Hlc;

    use super::*;

    fn hello(min: u32, max: u32) -> HelloResponse {
        HelloResponse {
            epoch: "e".into(),
            server_hlc: Hlc(1),
            protocol_min: min,
            protocol_max: max,
            entities: BTreeMap::new(),
            capabilities: vec![],
            pins: vec![],
        }
    }

    #[test]
    fn the_newest_common_protocol_is_spoken() {
        let newest = compact::PROTOCOL;
        assert_eq!(agree(&hello(1, 1), newest).ok(), Some(1), "an older server: protocol 1");
        assert_eq!(agree(&hello(1, 2), newest).ok(), Some(2));
        assert_eq!(agree(&hello(2, 5), newest).ok(), Some(2), "a newer server that still speaks 2");
        assert_eq!(agree(&hello(1, 2), 1).ok(), Some(1), "an app held to protocol 1");
        for (min, max) in [(3, 4), (0, 0), (2, 1)] {
            let e = agree(&hello(min, max), newest).unwrap_err();
            assert!(
                matches!(e, TransportError::Http { status: 426, .. }),
                "{min}..={max}: asked to update the app"
            );
        }
    }
}
