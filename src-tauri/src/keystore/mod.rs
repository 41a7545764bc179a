//! This install's secret store: the device's sign-in tokens and the database key
//! (`kindred_client::keys`). Secrets live in the platform's credential
//! store, never the SQLite file, never a log (SECURITY.md A, AU-2). The store is opened once by
//! [`crate::state::AppState`], which owns it and hands it to the sync worker and the commands.
//! This module only picks the [`CredentialStore`] for the platform:
//!
//! - desktop and iOS ([`os_keyring`]): the OS store through the `keyring` crate — the Secret
//!   Service on Linux, the Keychain on macOS and iOS, the Credential Manager on Windows.
//! - `e2e` feature, test builds only ([`e2e`]): a file in the data folder. A headless CI machine
//!   runs no Secret Service, and the kernel keyring (keyutils) refuses `keyring`'s link to the
//!   persistent keyring for the app process started through WebDriver, so the end-to-end tests
//!   cannot use an OS store.
//! - Android (`android`): a `keyring-core` store whose secrets are encrypted with a key held
//!   in the Android Keystore (`android-native-keyring-store`).
//!
//! Entries are named per data folder, so two installs (or test instances) never share tokens.

use std::path::Path;
use std::sync::Arc;

pub use kindred_client::keys::{CredError, CredentialStore};

#[cfg(feature = "e2e")]
pub mod e2e;
#[cfg(any(desktop, target_os = "ios"))]
pub mod os_keyring;

// The test keystore keeps secrets in a file: it must never reach a release build (KY-3).
#[cfg(all(feature = "e2e", not(debug_assertions)))]
compile_error!(
    "the `e2e` feature (test keystore, test links and dialogs) is for debug test builds only"
);
#[cfg(target_os = "android")]
pub mod android;

/// The service name the entries are filed under.
pub const SERVICE: &str = "Kindred";

/// The secret store for the data folder `dir`.
pub fn open(dir: &Path) -> Arc<dyn CredentialStore> {
    #[cfg(feature = "e2e")]
    let store = e2e::FileCreds::new(dir);
    #[cfg(all(any(desktop, target_os = "ios"), not(feature = "e2e")))]
    let store = os_keyring::KeyringCreds::new(dir);
    #[cfg(all(target_os = "android", not(feature = "e2e")))]
    let store = android::PhoneCreds::new(dir);
    Arc::new(store)
}

/// The account name of `key` for the data folder `dir`: the key plus a stable 64-bit FNV-1a hash
/// of the folder's path (the path itself stays out of the OS store).
pub fn account(dir: &Path, key: &str) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dir.to_string_lossy().as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{key}.{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_differ_per_folder_and_key_and_are_stable() {
        let a = account(Path::new("/nonexistent/a"), "access_token");
        assert_eq!(a, account(Path::new("/nonexistent/a"), "access_token"));
        assert_ne!(a, account(Path::new("/nonexistent/b"), "access_token"));
        assert_ne!(a, account(Path::new("/nonexistent/a"), "refresh_token"));
        assert!(a.starts_with("access_token.") && !a.contains('/'));
    }
}
