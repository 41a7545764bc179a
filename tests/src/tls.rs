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
