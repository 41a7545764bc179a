//! Kindred's device side: the SQLite store and the [`Kindred`] facade the shell calls, one method
//! per use case. Native only (never compiled into the wasm UI).
//!
//! Time and ids are injected ([`kindred_core::clock::Clock`], [`ids::IdGen`]); the facade reads
//! the clock once per call and passes `now` down to pure domain functions. The facade's use
//! cases live in [`facade`], one file per area, mirroring the shell's `commands/`.

pub mod biometric;
pub mod clock;
pub mod error;
pub mod export;
pub mod facade;
pub mod ids;
pub mod keys;
pub mod lock;
pub mod sealed;
pub mod store;
pub mod sync;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kindred_core::clock::Clock;
use rusqlite::Transaction;

pub use error::{Error, Result};
use ids::IdGen;
use keys::DbKey;
use store::outbox::{WriteCtx, DEVICE_ID};
use store::{Store, StoreOptions};

/// File name of the store inside the data folder.
pub const DB_FILE: &str = "kindred.sqlite3";

/// The device-side application: store plus injected clock and id source.
pub struct Kindred {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGen>,
    default_tz: Tz,
}

impl std::fmt::Debug for Kindred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kindred").field("default_tz", &self.default_tz).finish_non_exhaustive()
    }
}

/// How to open a [`Kindred`]: its clock, id source and default zone, and the store file's key.
#[derive(Clone)]
pub struct OpenOptions {
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGen>,
    /// The zone used until the mentee saves settings.
    pub default_tz: Tz,
    /// The store file's key; see [`StoreOptions::key`].
    pub key: Option<DbKey>,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("default_tz", &self.default_tz)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl OpenOptions {
    /// Options with `clock`, `ids` and `default_tz`, and no key.
    pub fn new(clock: Arc<dyn Clock>, ids: Arc<dyn IdGen>, default_tz: Tz) -> OpenOptions {
        OpenOptions { clock, ids, default_tz, key: None }
    }

    /// The real clock, UUIDv7 ids and the operating system's zone (the app).
    pub fn system() -> OpenOptions {
        Self::new(Arc::new(clock::SystemClock), Arc::new(ids::UuidV7), clock::system_tz())
    }

    /// The same options with the store file's key.
    pub fn with_key(self, key: DbKey) -> OpenOptions {
        OpenOptions { key: Some(key), ..self }
    }

    fn store(&self) -> StoreOptions {
        StoreOptions { key: self.key.clone() }
    }
}

/// The store path inside a data folder.
pub fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// Deletes the store files in `dir` (the database and its `-wal` and `-shm`). Call only with no
/// `Kindred` open on them. Missing files are fine.
pub fn delete_store(dir: &Path) -> Result<()> {
    let db = db_path(dir);
    for suffix in ["", "-wal", "-shm", "-journal", "-keyid", "-keyid.tmp", ".encrypting"] {
        let mut p = db.clone().into_os_string();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Moves an unreadable store (the database, its WAL, shm and key id files) into
/// `dir/set-aside/<label>/`, never deleting it: a key found later, or a program's help, may still
/// open it (SECURITY.md KY-4). Call only with no `Kindred` open on it. Returns the folder.
pub fn set_aside(dir: &Path, label: &str) -> Result<PathBuf> {
    let to = dir.join("set-aside").join(label);
    std::fs::create_dir_all(&to)?;
    let db = db_path(dir);
    for suffix in ["", "-wal", "-shm", "-keyid"] {
        let from = store::cipher::sibling(&db, suffix);
        let name = format!("{DB_FILE}{suffix}");
        match std::fs::rename(&from, to.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(to)
}

impl Kindred {
    /// Opens the app's encrypted store in `dir` with its key from `creds` (SECURITY.md KY-2,
    /// KY-3): a new store, or the plain file of an older Kindred, gets a fresh key, stored in
    /// `creds` before anything is written with it. `options.key` is ignored.
    ///
    /// - the keystore can't be used → [`Error::KeystoreUnavailable`], and nothing was written;
    /// - an encrypted store with no key for it in `creds`, or another key →
    ///   [`Error::WrongKey`]; a damaged file → [`Error::Corrupt`]. Either way the file is left
    ///   as it was.
    pub fn open_with_keystore(
        dir: &Path,
        options: OpenOptions,
        creds: &dyn keys::CredentialStore,
    ) -> Result<Kindred> {
        std::fs::create_dir_all(dir)?;
        let path = db_path(dir);
        let may_create = store::cipher::file_kind(&path)? != store::cipher::FileKind::Encrypted;
        let key = keys::database_key(creds, may_create).map_err(|e| match e {
            keys::KeyError::Unavailable => Error::KeystoreUnavailable,
            // No key for a file Kindred encrypted (it names its key) is a key problem; for
            // a file it never did, the file is what's wrong.
            keys::KeyError::Missing if store::cipher::key_id_path(&path).exists() => {
                Error::WrongKey
            }
            keys::KeyError::Missing => Error::Corrupt,
        })?;
        Self::open_dir(dir, options.with_key(key))
    }

    /// A store that lives only in memory for this session (the keystore can't be used, so
    /// nothing may be written to disk: SECURITY.md KY-3).
    pub fn session_only(options: OpenOptions) -> Result<Kindred> {
        Self::with_store(Store::open_in_memory()?, options.clock, options.ids, options.default_tz)
    }

    /// Opens the store in `dir` (created if missing).
    pub fn open_dir(dir: &Path, options: OpenOptions) -> Result<Kindred> {
        std::fs::create_dir_all(dir)?;
        Self::open(&db_path(dir), options)
    }

    /// Opens the store file at `path`.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Kindred> {
        let store = Store::open(path, &options.store())?;
        Self::with_store(store, options.clock, options.ids, options.default_tz)
    }

    /// Wraps an already open store.
    pub fn with_store(
        mut store: Store,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
        default_tz: Tz,
    ) -> Result<Kindred> {
        // The device id is minted once, at first open.
        store.write(|tx| {
            if store::state_get(tx, DEVICE_ID)?.is_none() {
                store::state_set(tx, DEVICE_ID, &ids.next().to_string())?;
            }
            Ok(())
        })?;
        let mut k = Kindred { store, clock, ids, default_tz };
        k.purge_deleted()?;
        Ok(k)
    }

    /// Wipes the content of deleted records whose undo window is over, then checkpoints the
    /// WAL so none of it stays in old frames (SECURITY.md PR-5; [`store::wipe`]). Runs at
    /// open, around every sync cycle and after deletes without an undo window. Returns how many
    /// rows were wiped.
    pub fn purge_deleted(&mut self) -> Result<usize> {
        let now_ms = self.now().timestamp_millis();
        let n = self.store.write(|tx| store::wipe::deleted(tx, now_ms))?;
        if n > 0 {
            self.store.checkpoint()?;
        }
        Ok(n)
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs one write transaction with a fresh [`WriteCtx`].
    fn write<T>(
        &mut self,
        now: DateTime<Utc>,
        f: impl FnOnce(&Transaction<'_>, &WriteCtx<'_>) -> Result<T>,
    ) -> Result<T> {
        let ids = Arc::clone(&self.ids);
        let ctx = WriteCtx { now_ms: now.timestamp_millis(), ids: ids.as_ref() };
        self.store.write(|tx| f(tx, &ctx))
    }

    /// The clock this instance reads.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Direct access to the store (tests, export).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}
