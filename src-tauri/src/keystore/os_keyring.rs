//! The credential store of the `keyring` crate, on desktop and iOS: one entry per secret under
//! the service [`SERVICE`](super::SERVICE), named per data folder, in the platform's store
//! (Secret Service, the macOS Keychain, Credential Manager; the iOS Keychain's
//! generic-password items). Error messages name the failure, never a secret.

use std::path::{Path, PathBuf};

use keyring::{Entry, Error};

use super::{account, CredError, CredentialStore, SERVICE};

/// Tokens in the OS credential store.
#[derive(Debug)]
pub struct KeyringCreds {
    dir: PathBuf,
}

impl KeyringCreds {
    /// The store for the data folder `dir`.
    pub fn new(dir: &Path) -> KeyringCreds {
        KeyringCreds { dir: dir.to_path_buf() }
    }

    fn entry(&self, key: &str) -> Result<Entry, CredError> {
        Entry::new(SERVICE, &account(&self.dir, key)).map_err(plain)
    }
}

/// The store, as the mentee knows it.
#[cfg(desktop)]
const UNAVAILABLE: &str = "this computer's password keyring isn't available";
#[cfg(desktop)]
const REFUSED: &str = "the password keyring refused the sign-in";
#[cfg(not(desktop))]
const UNAVAILABLE: &str = "this phone's secure keystore isn't available";
#[cfg(not(desktop))]
const REFUSED: &str = "this phone's secure keystore refused the request";

/// A calm description of a keyring failure (the platform detail is dropped: it can be long and
/// is no help to the mentee).
fn plain(e: Error) -> CredError {
    CredError(
        match e {
            Error::NoStorageAccess(_) | Error::PlatformFailure(_) => UNAVAILABLE,
            Error::NoEntry => "no saved sign-in",
            #[cfg(not(desktop))]
            Error::BadEncoding(_) => "a secret saved on this phone can't be read",
            _ => REFUSED,
        }
        .into(),
    )
}

impl CredentialStore for KeyringCreds {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs a running OS store (on Linux a Secret Service on the session bus, e.g.
    /// `dbus-run-session` with an unlocked `gnome-keyring-daemon`); run it on purpose with
    /// `cargo test -p kindred-app --lib -- --ignored os_store`.
    #[test]
    #[ignore = "needs the OS credential store"]
    fn os_store_round_trip() {
        let dir = std::env::temp_dir().join(format!("kindred-os-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = KeyringCreds::new(&dir);
        assert_eq!(c.get("access_token").unwrap(), None);
        c.set("access_token", "secret-1").unwrap();
        assert_eq!(c.get("access_token").unwrap().as_deref(), Some("secret-1"));
        c.set("access_token", "secret-2").unwrap();
        assert_eq!(
            KeyringCreds::new(&dir).get("access_token").unwrap().as_deref(),
            Some("secret-2")
        );
        c.delete("access_token").unwrap();
        c.delete("access_token").unwrap();
        assert_eq!(c.get("access_token").unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
