//! Where device credentials live (SECURITY.md AU-2): never in the SQLite file, never in logs.
//! [`CredentialStore`] is the seam: the desktop shell backs it with the OS keyring, a mobile
//! shell with the platform keystore; [`MemoryCreds`] serves tests.

use std::collections::HashMap;
use std::sync::Mutex;

/// Key of the access token.
pub const ACCESS: &str = "access_token";
/// Key of the refresh token.
pub const REFRESH: &str = "refresh_token";

/// A failed credential-store operation. The message never includes a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credential store: {0}")]
pub struct CredError(pub String);

/// A small secret store.
pub trait CredentialStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, CredError>;
    fn set(&self, key: &str, value: &str) -> Result<(), CredError>;
    fn delete(&self, key: &str) -> Result<(), CredError>;
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
