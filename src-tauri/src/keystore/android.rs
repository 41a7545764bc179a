//! The Android credential store: one entry per secret (the sign-in tokens, the database key)
//! under the service [`SERVICE`](super::SERVICE), named per data folder ([`super::account`]) as
//! on desktop and iOS ([`super::os_keyring`]):
//!
//! - `android-native-keyring-store`, a `keyring-core` store. Each secret
//!   is encrypted with AES-GCM under a key that is generated in and never leaves the Android
//!   Keystore (alias `keyring-kindred`); only the ciphertext is kept, in the app's private
//!   SharedPreferences file `keyring-kindred`. The store finds the app through `ndk-context`,
//!   which Tauri's Android runtime initialises before the app's setup opens this store, so no
//!   JNI or unsafe initialisation happens here.
//!
//! Secrets never go to the SQLite file, a file of ours, or a log. Error messages name the
//! failure in plain words and drop the platform detail (which can carry the stored bytes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use android_native_keyring_store::Store;
use keyring_core::{CredentialStore as Backend, Entry, Error};

use super::{account, CredError, CredentialStore, SERVICE};

/// Kindred's own named store: its SharedPreferences file and Keystore alias are
/// `keyring-<name>`.
const STORE_NAME: &str = "kindred";

/// Secrets in the Android Keystore-backed store.
#[derive(Debug)]
pub struct PhoneCreds {
    dir: PathBuf,
    /// Opened on first use (it talks to the Java side), and again after a failed open.
    store: OnceLock<Arc<Backend>>,
}

impl PhoneCreds {
    /// The store for the data folder `dir`.
    pub fn new(dir: &Path) -> PhoneCreds {
        PhoneCreds { dir: dir.to_path_buf(), store: OnceLock::new() }
    }

    fn store(&self) -> Result<Arc<Backend>, CredError> {
        if let Some(store) = self.store.get() {
            return Ok(Arc::clone(store));
        }
        let config = HashMap::from([("name", STORE_NAME)]);
        let store: Arc<Backend> = Store::new_with_configuration(&config).map_err(plain)?;
        Ok(Arc::clone(self.store.get_or_init(|| store)))
    }

    fn entry(&self, key: &str) -> Result<Entry, CredError> {
        Entry::new_in_store(&self.store()?, SERVICE, &account(&self.dir, key)).map_err(plain)
    }
}

/// A calm description of a keystore failure (the detail is dropped: it is no help to the
/// mentee, and a data-format error carries the stored bytes).
fn plain(e: Error) -> CredError {
    CredError(
        match e {
            Error::NoStorageAccess(_) | Error::PlatformFailure(_) => {
                "this phone's secure keystore isn't available"
            }
            Error::NoEntry => "no saved sign-in",
            Error::BadEncoding(_) | Error::BadDataFormat(..) => {
                "a secret saved on this phone can't be read"
            }
            _ => "this phone's secure keystore refused the request",
        }
        .into(),
    )
}

impl CredentialStore for PhoneCreds {
    fn get(&self, key: &str) -> Result<Option<String>, CredError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(plain(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CredError> {
        self.entry(key)?.set_password(value).map_err(plain)
    }

    fn delete(&self, key: &str) -> Result<(), CredError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(plain(e)),
        }
    }
}
