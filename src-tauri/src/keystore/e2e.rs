//! TEST BUILDS ONLY (`e2e` feature): sync credentials in a plain JSON file,
//! `e2e-credentials.json` in the data folder, readable by the account only. End-to-end tests
//! run on a headless machine with no OS credential store the app process can use (see
//! [`super`]); a production build never compiles this module.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{CredError, CredentialStore};

/// Tokens in a test-only file.
#[derive(Debug)]
pub struct FileCreds {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileCreds {
    /// The store for the data folder `dir`.
    pub fn new(dir: &Path) -> FileCreds {
        FileCreds { path: dir.join("e2e-credentials.json"), lock: Mutex::new(()) }
    }

    fn load(&self) -> BTreeMap<String, String> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, map: &BTreeMap<String, String>) -> Result<(), CredError> {
        let failed = |_| CredError("the test credential file couldn't be written".into());
        // Empty: no file, as an OS keystore with nothing of ours leaves nothing in the folder.
        if map.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(e)),
                _ => Ok(()),
            };
        }
        let bytes = serde_json::to_vec(map).map_err(|_| CredError("encode".into()))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(&self.path).and_then(|mut f| f.write_all(&bytes)).map_err(failed)
    }

    fn edit(&self, f: impl FnOnce(&mut BTreeMap<String, String>)) -> Result<(), CredError> {
        let _guard = self.lock.lock().map_err(|_| CredError("poisoned".into()))?;
        let mut map = self.load();
        f(&mut map);
        self.save(&map)
    }
}

impl CredentialStore for FileCreds {
    fn get(&self, key: &str) -> Result<Option<String>, CredError> {
        let _guard = self.lock.lock().map_err(|_| CredError("poisoned".into()))?;
        Ok(self.load().remove(key))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CredError> {
        self.edit(|m| {
            m.insert(key.to_owned(), value.to_owned());
        })
    }

    fn delete(&self, key: &str) -> Result<(), CredError> {
        self.edit(|m| {
            m.remove(key);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_delete() {
        let dir = std::env::temp_dir().join(format!("kindred-e2e-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = FileCreds::new(&dir);
        assert_eq!(c.get("a").unwrap(), None);
        c.set("a", "1").unwrap();
        c.set("b", "2").unwrap();
        assert_eq!(c.get("a").unwrap().as_deref(), Some("1"));
        c.delete("a").unwrap();
        assert_eq!(c.get("a").unwrap(), None);
        assert_eq!(FileCreds::new(&dir).get("b").unwrap().as_deref(), Some("2"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
