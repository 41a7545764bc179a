//! The device store: opening the SQLCipher file (key, pragmas, schema upgrade, wrong-key,
//! corrupt and newer-version detection; [`cipher`]) and the transaction helper every write
//! goes through.
//!
//! One writer connection, WAL, `synchronous=FULL` (a logged entry survives a power cut),
//! foreign keys on. Each user action is one transaction that updates the row, its
//! `field_clock`, the `outbox` and `hlc_last` together (SYNC.md §6), so a kill -9 at any point
//! leaves either all of it or none of it.

pub mod cipher;
pub mod consent;
pub mod contacts;
pub mod cravings;
pub mod insights;
pub mod journal;
pub mod outbox;
pub mod pull;
pub mod schema;
pub mod settings;
pub mod sync;
pub mod trackers;
pub mod wipe;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::keys::DbKey;
use crate::{Error, Result};

/// How to open a store file.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// The file's key, applied before the first read; a key that does not fit is
    /// [`Error::WrongKey`], never [`Error::Corrupt`]. A plain file of an older Kindred is
    /// encrypted in place with it first ([`cipher::encrypt_in_place`]). `None` opens plain
    /// SQLite: only the same-run baselines of the benchmarks and tests that read raw pages use
    /// it; the app always passes a key.
    pub key: Option<DbKey>,
}

/// How long a commit waits for the disk. `Full` is production: a logged entry survives a power
/// cut. `Normal` (WAL) may lose the last commits on power loss but never corrupts; only the
/// durability benchmark (PERF.md P1b) uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

/// The open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and upgrades its schema.
    ///
    /// A file that is not a database, or that a newer Kindred wrote, is refused and left exactly
    /// as it was.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Some(key) = &options.key else {
            return Self::prepare(Connection::open_with_flags(path, flags)?);
        };
        cipher::clear_staging(path)?;
        if cipher::file_kind(path)? == cipher::FileKind::Plain {
            cipher::encrypt_in_place(path, key, schema::VERSION)?;
        }
        let conn = Connection::open_with_flags(path, flags)?;
        cipher::key_connection(&conn, key)?;
        let store = match Self::prepare(conn) {
            Err(Error::Corrupt) => return Err(cipher::unreadable(path, key)),
            other => other?,
        };
        cipher::write_key_id(path, key)?;
        Ok(store)
    }

    /// Opens a private in-memory store (tests and benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Pulls cycle through a few dozen statements per page; keep them all prepared.
        conn.set_prepared_statement_cache_capacity(128);
        // Reading user_version first touches the file header: a non-database fails here,
        // before any pragma could write to it.
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > schema::VERSION {
            return Err(Error::NewerVersion { found, known: schema::VERSION });
        }
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        debug_assert!(mode.eq_ignore_ascii_case("wal") || mode.eq_ignore_ascii_case("memory"));
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted content is overwritten, not left in free pages (SECURITY.md PR-5).
        conn.pragma_update(None, "secure_delete", "ON")?;
        if found < schema::VERSION {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            schema::upgrade_from(&tx, found)?;
            tx.commit()?;
        }
        let check: String =
            conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|_| Error::Corrupt)?;
        if check != "ok" {
            return Err(Error::Corrupt);
        }
        Ok(Store { conn })
    }

    /// Runs `f` in one immediate transaction; commits on `Ok`, rolls back on `Err`.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Read access (one consistent snapshot per call).
    pub fn read<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }

    /// Moves the WAL into the main file and truncates it to nothing, so deleted content is
    /// not left in old WAL frames (SECURITY.md PR-5). A busy reader only delays it.
    pub fn checkpoint(&mut self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Sets how long each commit waits for the disk (opened as [`Durability::Full`]).
    pub fn set_durability(&mut self, d: Durability) -> Result<()> {
        let level = match d {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        self.conn.pragma_update(None, "synchronous", level)?;
        Ok(())
    }

    /// The schema version of the open file.
    pub fn user_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

/// Runs one statement through the connection's statement cache (pulls run the same few
/// statements thousands of times).
pub(crate) fn exec<P: rusqlite::Params>(tx: &Transaction<'_>, sql: &str, p: P) -> Result<usize> {
    Ok(tx.prepare_cached(sql)?.execute(p)?)
}

/// Reads one value from `sync_state`.
pub(crate) fn state_get(tx: &Transaction<'_>, key: &str) -> Result<Option<String>> {
    Ok(tx
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Writes one value to `sync_state`.
pub(crate) fn state_set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}
