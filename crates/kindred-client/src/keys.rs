//! The device's secret store (SECURITY.md A, AU-2): the sync tokens and the database key.
//! Secrets never go into the SQLite file, another file, or a log.
//!
//! [`CredentialStore`] is the seam. The app state owns one (the shell backs it with the OS
//! keyring on desktop, the platform keystore on a phone) and hands it to whoever needs it: the
//! sync worker for tokens, the store opener for [`DB_KEY`]. [`MemoryCreds`] serves tests.

use std::collections::HashMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

/// Key of the access token.
pub const ACCESS: &str = "access_token";
/// Key of the refresh token.
pub const REFRESH: &str = "refresh_token";
/// Key of a revoke that could not reach the server yet (after Disconnect): the server address,
/// its pins and the refresh token, as JSON, kept only until the revoke goes through.
pub const PENDING_REVOKE: &str = "pending_revoke";
/// Key of the database key (64 hex digits; SECURITY.md KY-2). Only the OS keystore holds it.
pub const DB_KEY: &str = "database_key";

/// A failed secret-store operation. The message never includes a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credential store: {0}")]
pub struct CredError(pub String);

/// A small secret store.
pub trait CredentialStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, CredError>;
    fn set(&self, key: &str, value: &str) -> Result<(), CredError>;
    fn delete(&self, key: &str) -> Result<(), CredError>;
}

/// Forgets this device's program sign-in (both tokens). Failures are ignored: a token that
/// can't be deleted is useless without the enrolment, which the caller forgets too.
pub fn forget_sign_in(creds: &dyn CredentialStore) {
    let _ = creds.delete(ACCESS);
    let _ = creds.delete(REFRESH);
}

/// The key a store file is opened with: 32 random bytes, applied to SQLCipher as a raw key
/// (no key derivation at open). Wiped from memory when dropped; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(Zeroizing<[u8; KEY_LEN]>);

/// Length of a database key in bytes.
pub const KEY_LEN: usize = 32;

impl DbKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Result<DbKey, CredError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(bytes.as_mut())
            .map_err(|_| CredError("the system's random source failed".into()))?;
        Ok(DbKey(bytes))
    }

    /// A key from its bytes (tests and benchmarks; the app only generates keys).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> DbKey {
        DbKey(Zeroizing::new(bytes))
    }

    /// Reads the keystore's form (64 hex digits). `None` for anything else.
    pub fn from_secret(secret: &str) -> Option<DbKey> {
        let hex = secret.as_bytes();
        if hex.len() != 2 * KEY_LEN {
            return None;
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        for (i, pair) in hex.chunks_exact(2).enumerate() {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            bytes[i] = u8::try_from(hi * 16 + lo).ok()?;
        }
        Some(DbKey(bytes))
    }

    /// The keystore's form: 64 lower-case hex digits (wiped on drop).
    pub fn to_secret(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = Zeroizing::new(String::with_capacity(2 * KEY_LEN));
        for b in self.0.iter() {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }

    /// SQLCipher's raw-key form, `x'<64 hex digits>'` (wiped on drop).
    pub fn sqlcipher_raw(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", self.to_secret().as_str()))
    }

    /// A public name of the key: the first 16 bytes of SHA-256 over a label and the key, in
    /// hex. It tells "this file was made with another key" from "this file is damaged" and
    /// reveals nothing about the key.
    pub fn id(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"kindred database key id v1\0");
        h.update(self.0.as_ref());
        h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// Why the database key could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The OS keystore cannot be used on this phone now: nothing may be written to disk.
    #[error("the secure keystore is unavailable")]
    Unavailable,
    /// An encrypted store exists but the keystore has no key for it (restored backup, new
    /// phone, keystore wiped), or what it holds is not a key.
    #[error("the data file's key is missing")]
    Missing,
}

/// The database key from `creds`. A missing key is created only when `may_create` (no
/// encrypted store exists yet): it is stored first and read back, so a key is never used that
/// the keystore did not keep. Any keystore failure is [`KeyError::Unavailable`].
pub fn database_key(creds: &dyn CredentialStore, may_create: bool) -> Result<DbKey, KeyError> {
    match creds.get(DB_KEY).map_err(|_| KeyError::Unavailable)? {
        Some(secret) => DbKey::from_secret(&Zeroizing::new(secret)).ok_or(KeyError::Missing),
        None if !may_create => Err(KeyError::Missing),
        None => {
            let key = DbKey::generate().map_err(|_| KeyError::Unavailable)?;
            creds.set(DB_KEY, &key.to_secret()).map_err(|_| KeyError::Unavailable)?;
            let back = creds.get(DB_KEY).map_err(|_| KeyError::Unavailable)?.map(Zeroizing::new);
            match back.as_deref().and_then(|s| DbKey::from_secret(s)) {
                Some(k) if k == key => Ok(key),
                _ => Err(KeyError::Unavailable),
            }
        }
    }
}

/// In-memory credentials (tests, simulations).
#[derive(Debug, Default)]
pub struct MemoryCreds(Mutex<HashMap<String, String>>);

impl CredentialStore for MemoryCreds {
    fn get(&self, key: &str) -> Result<Option<String>, CredError> {
        Ok(self.0.lock().map_err(|_| CredError("poisoned".into()))?.get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), CredError> {
        self.0.lock().map_err(|_| CredError("poisoned".into()))?.insert(key.into(), value.into());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), CredError> {
        self.0.lock().map_err(|_| CredError("poisoned".into()))?.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_the_sign_in_drops_both_tokens_only() {
        let c = MemoryCreds::default();
        c.set(ACCESS, "a").unwrap();
        c.set(REFRESH, "r").unwrap();
        c.set(DB_KEY, "k").unwrap();
        forget_sign_in(&c);
        assert_eq!(c.get(ACCESS).unwrap(), None);
        assert_eq!(c.get(REFRESH).unwrap(), None);
        assert_eq!(c.get(DB_KEY).unwrap().as_deref(), Some("k"));
    }

    #[test]
    fn a_db_key_never_prints() {
        assert_eq!(format!("{:?}", DbKey::from_bytes([7; KEY_LEN])), "DbKey(…)");
    }

    #[test]
    fn keys_round_trip_through_the_keystore_form_and_differ() {
        let a = DbKey::generate().unwrap();
        let b = DbKey::generate().unwrap();
        assert_ne!(a, b);
        assert_ne!(a.id(), b.id());
        assert_eq!(DbKey::from_secret(&a.to_secret()), Some(a.clone()));
        assert_eq!(a.to_secret().len(), 64);
        assert!(a.sqlcipher_raw().starts_with("x'") && a.sqlcipher_raw().ends_with('\''));
        for bad in ["", "zz", &"g".repeat(64), &"a".repeat(63), &"a".repeat(66)] {
            assert_eq!(DbKey::from_secret(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_key_is_made_once_stored_first_and_never_made_over_an_encrypted_store() {
        let c = MemoryCreds::default();
        assert_eq!(database_key(&c, false), Err(KeyError::Missing));
        let k = database_key(&c, true).unwrap();
        assert_eq!(c.get(DB_KEY).unwrap().as_deref(), Some(k.to_secret().as_str()));
        assert_eq!(database_key(&c, false).unwrap(), k);
        assert_eq!(database_key(&c, true).unwrap(), k);
        c.set(DB_KEY, "not a key").unwrap();
        assert_eq!(database_key(&c, true), Err(KeyError::Missing));
    }

    /// A keystore that refuses everything.
    struct Broken;
    impl CredentialStore for Broken {
        fn get(&self, _: &str) -> Result<Option<String>, CredError> {
            Err(CredError("no keystore".into()))
        }
        fn set(&self, _: &str, _: &str) -> Result<(), CredError> {
            Err(CredError("no keystore".into()))
        }
        fn delete(&self, _: &str) -> Result<(), CredError> {
            Err(CredError("no keystore".into()))
        }
    }

    /// A keystore that accepts writes and forgets them.
    #[derive(Default)]
    struct Forgetful;
    impl CredentialStore for Forgetful {
        fn get(&self, _: &str) -> Result<Option<String>, CredError> {
            Ok(None)
        }
        fn set(&self, _: &str, _: &str) -> Result<(), CredError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<(), CredError> {
            Ok(())
        }
    }

    #[test]
    fn no_keystore_means_no_key() {
        assert_eq!(database_key(&Broken, true), Err(KeyError::Unavailable));
        assert_eq!(database_key(&Forgetful, true), Err(KeyError::Unavailable));
    }
}
