//! Random secrets and their hashes: invite codes, tokens, the MAC key, server-minted ids.
//! Tokens and codes are stored only as SHA-256; the MAC key lives in a file outside the
//! database (SYNC.md §7).

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// `n` random bytes from the OS.
pub fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS generator failing is not recoverable; the process cannot issue secrets without it.
    getrandom::fill(&mut b).expect("the OS random generator is available");
    b
}

/// A new opaque token with a readable prefix (`ka_` access, `kr_` refresh): 256 random bits.
pub fn token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random::<32>()))
}

/// A token derived from `from` under `key` for `purpose`: 256 bits, unpredictable without
/// both, the same every time (the successor of a refresh token).
pub fn derived_token(key: &[u8; 32], prefix: &str, purpose: &str, from: &str) -> String {
    let sub = mac(key, b"kindred token successor v1");
    let mut m = Hmac::<Sha256>::new_from_slice(&sub).expect("HMAC takes any key length");
    m.update(purpose.as_bytes());
    m.update(&[0]);
    m.update(from.as_bytes());
    format!("{prefix}{}", hex::encode(m.finalize().into_bytes()))
}

/// The stored form of a token or code.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub use kindred_core::sync::pin::normalize_code;
use kindred_core::sync::pin::{group, CODE_ALPHABET, CODE_CHARS};

/// A one-time invite code: 16 Crockford base32 characters (80 random bits) in groups of four.
pub fn invite_code() -> String {
    let bytes = random::<10>();
    let bits = bytes.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let chars: String = (0..CODE_CHARS)
        .map(|i| char::from(CODE_ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize]))
        .collect();
    group(&chars)
}

/// HMAC-SHA256 of `data` under `key`.
pub fn mac(key: &[u8; 32], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// A random (v4) UUID.
pub fn uuid_v4() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(random::<16>()).into_uuid()
}

/// A time-ordered (v7) UUID for a record the server authors, at `now_ms`.
pub fn uuid_v7(now_ms: i64) -> uuid::Uuid {
    let ms = u64::try_from(now_ms).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, &random::<10>()).into_uuid()
}

/// Whether two MACs are equal, in time that does not depend on where they differ.
pub fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Parses a MAC key given as 64 hex digits (a file's content or `KINDRED_MAC_KEY`).
pub fn parse_key(text: &str) -> Result<[u8; 32]> {
    let raw =
        hex::decode(text.trim()).map_err(|_| Error::Config("the MAC key is not hex".into()))?;
    raw.try_into().map_err(|_| Error::Config("the MAC key must be 32 bytes (64 hex digits)".into()))
}

/// Reads the MAC key at `path`. A missing file is created (mode 0600) only when `may_create`
/// (a database without data yet): a key made up for a database that already has change
/// MACs would make every retried change look like a reused id. On Unix a file readable by
/// group or others is refused.
pub fn load_or_create_key(path: &Path, may_create: bool) -> Result<[u8; 32]> {
    match std::fs::read(path) {
        Ok(b) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path)
                    .map_err(|e| Error::Config(format!("key file: {e}")))?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    return Err(Error::Config(format!(
                        "{}: the MAC key file must be readable by its owner only (chmod 600)",
                        path.display()
                    )));
                }
            }
            parse_key(&String::from_utf8_lossy(&b))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !may_create => {
            Err(Error::Config(format!(
                "{}: the MAC key file is missing, and this database already has data. Restore \
                 the key file (or set KINDRED_MAC_KEY); a new key would break retried changes.",
                path.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random::<32>();
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(path).map_err(|e| Error::Config(format!("key file: {e}")))?;
            std::io::Write::write_all(&mut f, hex::encode(key).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| Error::Config(format!("key file: {e}")))?;
            Ok(key)
        }
        Err(e) => Err(Error::Config(format!("key file: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_are_grouped_and_normalize_round_trip() {
        let c = invite_code();
        assert_eq!(c.len(), 19);
        assert_eq!(c.matches('-').count(), 3);
        assert_ne!(c, invite_code());
        let typed = c.to_lowercase().replace('-', " ");
        assert_eq!(normalize_code(&typed), c.replace('-', ""));
        assert_eq!(normalize_code("o0-Il"), "0011");
    }

    #[test]
    fn keys_are_made_only_for_an_empty_database_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        assert!(matches!(load_or_create_key(&path, false), Err(Error::Config(_))));
        let key = load_or_create_key(&path, true).unwrap();
        assert_eq!(load_or_create_key(&path, false).unwrap(), key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = load_or_create_key(&path, false).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
        assert!(mac_eq(b"abc", b"abc") && !mac_eq(b"abc", b"abd") && !mac_eq(b"ab", b"abc"));
        assert!(parse_key("zz").is_err());
    }

    #[test]
    fn tokens_are_long_and_hashed() {
        let t = token("ka_");
        assert_eq!(t.len(), 3 + 64);
        assert_eq!(hash(&t).len(), 64);
        assert_ne!(hash(&t), t);
    }
}
