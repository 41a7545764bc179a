//! Test certificates made in the test (rcgen): a test CA, a server certificate it signs for
//! `127.0.0.1` and `localhost`, a spare (backup) key, and an impostor's self-signed
//! certificate; each written as PEM files the real server reads, with the pins phones check.

use std::path::{Path, PathBuf};

use kindred_core::sync::pin::Pin;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, PublicKeyData,
};

/// A certificate and key on disk, and the pin of the key.
#[derive(Debug, Clone)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub pin: Pin,
}

impl CertFiles {
    /// The server arguments that serve this certificate.
    pub fn args(&self) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.cert.to_string_lossy().into_owned(),
            "--tls-key".into(),
            self.key.to_string_lossy().into_owned(),
        ]
    }
}

fn names() -> Vec<String> {
    vec!["127.0.0.1".into(), "localhost".into()]
}

fn write(dir: &Path, name: &str, chain_pem: &str, key: &KeyPair) -> CertFiles {
    let cert = dir.join(format!("{name}.crt.pem"));
    let key_path = dir.join(format!("{name}.key.pem"));
    std::fs::write(&cert, chain_pem).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    CertFiles { cert, key: key_path, pin: Pin::of_spki(&key.subject_public_key_info()) }
}

/// A test CA that signs server certificates.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestCa")
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

impl TestCa {
    /// A fresh CA.
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "Kindred test CA");
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        TestCa { issuer }
    }

    /// A rustls client configuration trusting this CA (for raw TLS in tests).
    pub fn client_config(&self) -> std::sync::Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.issuer.der().clone()).unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        std::sync::Arc::new(
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    /// A server certificate for loopback signed by this CA, with a fresh key, as
    /// `<name>.crt.pem` (certificate, then the CA) and `<name>.key.pem` in `dir`.
    pub fn server_cert(&self, dir: &Path, name: &str) -> CertFiles {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "Kindred test server");
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        write(dir, name, &format!("{}{}", cert.pem(), self.issuer.pem()), &key)
    }
}

/// A self-signed certificate for loopback with a fresh key: an impostor no phone trusts.
pub fn self_signed(dir: &Path, name: &str) -> CertFiles {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names()).unwrap().self_signed(&key).unwrap();
    write(dir, name, &cert.pem(), &key)
}

/// A hostile server over TLS: answers every request with the same raw HTTP bytes (a redirect,
/// a gzip bomb, …) from a thread, until the test ends.
#[derive(Debug)]
pub struct HostileServer {
    pub port: u16,
}

impl HostileServer {
    /// Serves `answer` to every connection with `cert`.
    pub fn start(cert: &CertFiles, answer: Vec<u8>) -> HostileServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        use std::io::{Read, Write};
        let chain: Vec<_> =
            CertificateDer::pem_file_iter(&cert.cert).unwrap().map(Result::unwrap).collect();
        let key = PrivateKeyDer::from_pem_file(&cert.key).unwrap();
        let config = std::sync::Arc::new(
            rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap(),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut tcp) = stream else { continue };
                let config = config.clone();
                let answer = answer.clone();
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                    let mut tls = rustls::StreamOwned::new(conn, &mut tcp);
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = tls.write_all(&answer);
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        HostileServer { port }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}
