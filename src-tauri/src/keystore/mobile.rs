//! Mobile credentials: the Android Keystore and the iOS Keychain are not wired yet (issue 4
//! ships the desktop store). Every call fails with a plain message, so connecting to a program
//! on a phone says so instead of keeping tokens anywhere less safe.

use std::path::Path;

use super::{CredError, CredentialStore};

/// A store that refuses everything until the platform keystore is wired.
#[derive(Debug)]
pub struct Unwired;

impl Unwired {
    /// The store for the data folder `_dir`.
    pub fn new(_dir: &Path) -> Unwired {
        Unwired
    }
}

fn unwired() -> CredError {
    CredError("this phone's secure keystore isn't supported by this version of Kindred yet".into())
}

impl CredentialStore for Unwired {
    fn get(&self, _key: &str) -> Result<Option<String>, CredError> {
        Err(unwired())
    }
    fn set(&self, _key: &str, _value: &str) -> Result<(), CredError> {
        Err(unwired())
    }
    fn delete(&self, _key: &str) -> Result<(), CredError> {
        Err(unwired())
    }
}
