//! The device store: opening the SQLite file (pragmas, schema upgrade, corrupt and newer-version
//! detection) and the transaction helper every write goes through.
//!
//! One writer connection, WAL, `synchronous=FULL` (a logged entry survives a power cut),
//! foreign keys on. Each user action is one transaction that updates the row, its
//! `field_clock`, the `outbox` and `hlc_last` together (SYNC.md §6), so a kill -9 at any point
//! leaves either all of it or none of it.

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

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::keys::DbKey;
use crate::{Error, Result};

/// How to open a store file.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// The file's key. Carried, not used yet: the store is plain SQLite until the encrypted
    /// store arrives, which will apply it before the first read and report a key that does not
    /// fit as [`Error::WrongKey`] (never as [`Error::Corrupt`]).
    pub key: Option<DbKey>,
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
        // The key has nowhere to go in plain SQLite; the encrypted store keys the connection here.
        let StoreOptions { key: _ } = options;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        Self::prepare(conn)
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
        if found < schema::VERSION {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            schema::upgrade_from(&tx, found)?;
            tx.commit()?;
        }
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
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
