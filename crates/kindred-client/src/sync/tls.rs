//! HTTPS to the program server (SECURITY.md NW-1, NW-2): rustls with the ring provider, TLS 1.2
//! and 1.3 only, HTTPS only, no redirects, connect and total timeouts, and a cap on how much
//! (decompressed) answer is read.
//!
//! The server is trusted by its key, not by a certificate authority: a connection goes through
//! only when the certificate's SubjectPublicKeyInfo hashes to one of the program's [`Pin`]s
//! (delivered in the invite QR, or taken from the enrolment answer after a typed code's server
//! check matched), the certificate names the host, and the handshake is signed by that key.
//! CAs are left out on purpose: a CA the phone's owner was made to install (adversary 4 in
//! SECURITY.md) cannot vouch for anyone here, and a program can use its own CA or a
//! self-signed certificate. Expiry is not checked: the pin is on the key, and a key rotation
//! goes through the backup pin.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kindred_core::sync::pin::Pin;
use reqwest::blocking::{Client, Response};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::TransportError;

/// Longest wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a whole request and its answer.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(60);
/// Most bytes of (decompressed) answer read: a pull page of 1,000 rows is ~2 MB; a hostile
/// server's gzip bomb stops here.
pub const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// Which server keys a connection accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// The program's pins (current and backup).
    Pins(Vec<Pin>),
    /// A typed code's server check (the first 40 bits of the current pin), only to enrol.
    Check(String),
}

/// Checks the server's key against [`Trust`] and remembers what it saw.
#[derive(Debug)]
struct PinVerifier {
    trust: Trust,
    provider: Arc<CryptoProvider>,
    seen: Arc<Seen>,
}

/// What the last handshake showed: the pin of the key that was accepted, or that the key was
/// refused.
#[derive(Debug, Default)]
pub struct Seen {
    accepted: Mutex<Option<Pin>>,
    refused: Mutex<bool>,
}

impl Seen {
    /// The pin of the last key accepted.
    pub fn accepted(&self) -> Option<Pin> {
        *self.accepted.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a server key was refused since the last [`Seen::reset`].
    pub fn refused(&self) -> bool {
        *self.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_refused(&self, refused: bool) {
        *self.refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = refused;
    }

    fn accept(&self, pin: Pin) {
        *self.accepted.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(pin);
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let parsed = ParsedCertificate::try_from(end_entity)?;
        let pin = Pin::of_spki(parsed.subject_public_key_info().as_ref());
        let trusted = match &self.trust {
            Trust::Pins(pins) => pins.contains(&pin),
            Trust::Check(check) => pin.check() == *check,
        };
        if !trusted {
            self.seen.set_refused(true);
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ));
        }
        rustls::client::verify_server_name(&parsed, server_name)?;
        self.seen.accept(pin);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// An HTTPS client for one server, and what its handshakes saw.
#[derive(Debug, Clone)]
pub struct Https {
    pub client: Client,
    pub seen: Arc<Seen>,
}

impl Https {
    /// A client that trusts only `trust`.
    pub fn new(trust: Trust) -> Result<Https, TransportError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let seen = Arc::new(Seen::default());
        let verifier =
            Arc::new(PinVerifier { trust, provider: provider.clone(), seen: seen.clone() });
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|_| TransportError::Network("TLS set-up failed".into()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        let client = Client::builder()
            .use_preconfigured_tls(config)
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .build()
            .map_err(|_| TransportError::Network("HTTPS set-up failed".into()))?;
        Ok(Https { client, seen })
    }

    /// The pins of a set announced over this connection (in an enrolment answer or `hello`),
    /// when it is well formed and includes the key this connection was made with; otherwise
    /// `None`, and nothing is adopted.
    pub fn announced(&self, pins: &[String]) -> Option<Vec<Pin>> {
        let seen = self.seen.accepted()?;
        Pin::parse_all(pins.iter().map(String::as_str)).filter(|p| p.contains(&seen))
    }

    /// Sends a request built on this client; a refused server key is
    /// [`TransportError::Untrusted`], anything else that gets no answer is `Network`.
    pub fn send(&self, req: reqwest::blocking::RequestBuilder) -> Result<Response, TransportError> {
        self.seen.set_refused(false);
        req.send().map_err(|e| {
            if self.seen.refused() {
                TransportError::Untrusted
            } else if e.is_builder() {
                // https_only refuses http:// before connecting.
                TransportError::Insecure
            } else if e.is_timeout() {
                // reqwest's text can include the URL; ours carry no secrets or health data.
                TransportError::Network("timed out".into())
            } else {
                TransportError::Network("no connection".into())
            }
        })
    }
}

/// The answer's body, decompressed, at most [`MAX_ANSWER_BYTES`].
pub fn body(resp: Response) -> Result<Vec<u8>, TransportError> {
    let mut out = Vec::new();
    resp.take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|_| TransportError::Network("the answer broke off".into()))?;
    if out.len() as u64 > MAX_ANSWER_BYTES {
        return Err(TransportError::Network("the answer was too large".into()));
    }
    Ok(out)
}
