//! The server's TLS (SECURITY.md NW-4): rustls with the ring provider, TLS 1.2 and 1.3 only,
//! a certificate chain and key from PEM files (re-read on SIGHUP by the binary), and the key
//! pins phones check (NW-2): the current pin is computed from the serving certificate, backup
//! pins are configured (the SPKI pins of spare keys kept offline).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kindred_core::sync::pin::Pin;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::ParsedCertificate;
use rustls::ServerConfig;

use crate::{Error, Result};

/// Where the serving certificate and key are, and the backup pins.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM: the server certificate first, then any intermediates.
    pub cert: PathBuf,
    /// PEM: the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// Pins of spare keys (`sha256/…`), announced so phones accept a rotation to them.
    pub backup_pins: Vec<Pin>,
}

fn bad(path: &Path, what: &str) -> Error {
    Error::Config(format!("{}: {what}", path.display()))
}

/// The certificate chain in a PEM file (the server's own certificate first).
pub fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let chain: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(path, &format!("cannot read it ({e})")))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad(path, "not a PEM certificate file"))?;
    if chain.is_empty() {
        return Err(bad(path, "holds no certificate"));
    }
    Ok(chain)
}

/// The pin of a certificate's key.
pub fn pin_of(cert: &CertificateDer<'_>) -> Result<Pin> {
    let parsed = ParsedCertificate::try_from(cert)
        .map_err(|e| Error::Config(format!("certificate: {e}")))?;
    Ok(Pin::of_spki(parsed.subject_public_key_info().as_ref()))
}

impl TlsFiles {
    /// The pins phones are given: the serving key's, then the backups.
    pub fn pins(&self) -> Result<Vec<Pin>> {
        self.pins_for(&read_chain(&self.cert)?)
    }

    fn pins_for(&self, chain: &[CertificateDer<'_>]) -> Result<Vec<Pin>> {
        let mut pins = vec![pin_of(&chain[0])?];
        for p in &self.backup_pins {
            if !pins.contains(p) {
                pins.push(*p);
            }
        }
        Ok(pins)
    }

    /// Reads the files once: a rustls server configuration (TLS 1.2/1.3, HTTP/1.1) and the
    /// pins of the key it serves.
    pub fn load(&self) -> Result<(Arc<ServerConfig>, Vec<Pin>)> {
        let chain = read_chain(&self.cert)?;
        let pins = self.pins_for(&chain)?;
        let key = PrivateKeyDer::from_pem_file(&self.key)
            .map_err(|_| bad(&self.key, "not a PEM private key file"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| Error::Config(format!("the certificate and key don't fit: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok((Arc::new(config), pins))
    }
}
