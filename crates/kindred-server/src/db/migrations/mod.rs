//! The versioned server schema. [`MIGRATIONS`] lists every schema change in order, each as SQL
//! for both backends; [`step`] applies the next one inside the backend's open transaction and
//! records it in `schema_version`, so each migration commits (or rolls back) whole, and a
//! server killed mid-upgrade resumes where it stopped. Several servers starting together
//! serialize on the backend's write lock (SQLite) or an advisory lock (PostgreSQL).
//!
//! A database created before the schema was versioned has migration 1's tables and no
//! `schema_version`: it is recognised as version 1. A database whose version is above
//! [`VERSION`] was written by a newer binary; opening it fails with
//! [`Error::SchemaTooNew`] and changes nothing. A shipped migration is never edited; a new
//! one is added (STYLE.md §2 rule 5), expand/contract so older binaries keep working
//! (SYNC.md §14).

mod v1;
mod v2;
mod v3;
mod v4;

use super::Tx;
use crate::{Error, Result};

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number: 1, 2, … in order, without gaps.
    pub version: i64,
    /// What it does, in a few words.
    pub name: &'static str,
    /// Its DDL for SQLite.
    pub sqlite: &'static str,
    /// Its DDL for PostgreSQL.
    pub postgres: &'static str,
}

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "the schema before versioning",
        sqlite: v1::SQLITE,
        postgres: v1::POSTGRES,
    },
    Migration {
        version: 2,
        name: "change_log.actor_id",
        sqlite: v2::SQLITE,
        postgres: v2::POSTGRES,
    },
    Migration {
        version: 3,
        name: "person.data_deleted_at",
        sqlite: v3::SQLITE,
        postgres: v3::POSTGRES,
    },
    Migration {
        version: 4,
        name: "mentor side: assignments, consent, disclosures, mentor sign-in, outreach",
        sqlite: v4::SQLITE,
        postgres: v4::POSTGRES,
    },
];

/// The schema version this binary writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Which SQL dialect a migration runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

/// The version recorded in `tx`'s database: `None` for an empty database, 1 for one created
/// before versioning.
fn recorded(tx: &mut dyn Tx, backend: Backend) -> Result<Option<i64>> {
    let table_exists = |tx: &mut dyn Tx, name: &str| -> Result<bool> {
        let sql = match backend {
            Backend::Sqlite => {
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Backend::Postgres => {
                "SELECT count(*) FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = $1"
            }
        };
        Ok(tx.one(sql, &[name.into()])?.map_or(Ok(0), |r| r.int(0))? > 0)
    };
    if table_exists(tx, "schema_version")? {
        if let Some(v) = tx.one("SELECT max(version) FROM schema_version", &[])? {
            if let Some(v) = v.opt_int(0)? {
                return Ok(Some(v));
            }
        }
    }
    Ok(table_exists(tx, "server_meta")?.then_some(1))
}

/// Brings the schema one migration closer to [`VERSION`] inside the caller's transaction
/// (which the caller commits). Returns whether more remain; the caller runs it again, each time
/// in a new transaction, until it returns `false`. Refuses a database newer than this binary
/// before changing anything.
pub fn step(tx: &mut dyn Tx, backend: Backend) -> Result<bool> {
    let found = recorded(tx, backend)?;
    if let Some(found) = found.filter(|v| *v > VERSION) {
        return Err(Error::SchemaTooNew { found, known: VERSION });
    }
    tx.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL)")?;
    let current = match found {
        Some(v) if has_row(tx, v)? => v,
        // Created before versioning: migration 1's schema is there; record it.
        Some(v) => {
            record(tx, &MIGRATIONS[0])?;
            return Ok(v < VERSION);
        }
        None => 0,
    };
    let Some(next) = MIGRATIONS.iter().find(|m| m.version == current + 1) else {
        return Ok(false);
    };
    tx.batch(next.sql(backend))?;
    record(tx, next)?;
    tracing::info!(schema = next.version, "database schema upgraded");
    Ok(next.version < VERSION)
}

fn has_row(tx: &mut dyn Tx, version: i64) -> Result<bool> {
    Ok(tx.one("SELECT 1 FROM schema_version WHERE version = $1", &[version.into()])?.is_some())
}

fn record(tx: &mut dyn Tx, m: &Migration) -> Result<()> {
    tx.exec(
        "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
        &[m.version.into(), m.name.into()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty());
        }
        assert_eq!(VERSION, MIGRATIONS.last().map_or(0, |m| m.version));
    }

    #[test]
    fn the_backends_differ_only_in_the_bytes_type() {
        for m in MIGRATIONS {
            assert_eq!(m.sqlite.replace("BLOB", "BYTEA"), m.postgres, "{}", m.name);
        }
    }
}
