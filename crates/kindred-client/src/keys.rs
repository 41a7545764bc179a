//! The device's secret store (SECURITY.md A, AU-2): the sync tokens today, the database key
//! when the encrypted store arrives. Secrets never go into the SQLite file or a log.
//!
//! [`CredentialStore`] is the seam. The app state owns one (the shell backs it with the OS
//! keyring on desktop, the platform keystore on a phone) and hands it to whoever needs it: the
//! sync worker for tokens, the store opener for [`DB_KEY`]. [`MemoryCreds`] serves tests.

use std::collections::HashMap;
use std::sync::Mutex;

/// Key of the access token.
pub const ACCESS: &str = "access_token";
/// Key of the refresh token.
pub const REFRESH: &str = "refresh_token";
/// Key of a revoke that could not reach the server yet (after Disconnect): the server address,
/// its pins and the refresh token, as JSON, kept only until the revoke goes through.
pub const PENDING_REVOKE: &str = "pending_revoke";
/// Key of the database key. Reserved: nothing reads or writes it until the encrypted store
/// arrives (the store is plain SQLite today).
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

/// The key a store file is opened with. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(String);

impl DbKey {
    /// Wraps key material read from the secret store.
    pub fn new(secret: impl Into<String>) -> DbKey {
        DbKey(secret.into())
    }

    /// The key material (for the store opener only).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
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
        assert_eq!(format!("{:?}", DbKey::new("hunter2")), "DbKey(…)");
    }
}
