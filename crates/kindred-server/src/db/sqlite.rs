//! The embedded SQLite backend: one writer connection (SQLite has one writer; a push is one
//! `BEGIN IMMEDIATE` transaction) and a small pool of readers, all in WAL mode with
//! `synchronous=FULL`, so a commit is on disk before any answer (SYNC.md §7). Opening refuses a
//! file whose settings read back weaker (test S6).

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, TransactionBehavior};

use super::migrations::{self, Backend};
use super::{Mode, Row, Storage, Tx, Val};
use crate::{Error, Result};

/// Readers kept open (each request's token check and every pull read on one).
const READERS: usize = 16;

/// The SQLite backend.
pub struct Sqlite {
    path: std::path::PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").finish_non_exhaustive()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Db(e.to_string())
    }
}

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted content is overwritten in the file, not just unlinked (SECURITY.md PR-5).
    conn.pragma_update(None, "secure_delete", "ON")?;
    let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") || sync < 2 {
        return Err(Error::Durability(format!(
            "SQLite must run with journal_mode=WAL and synchronous=FULL (got {mode}, {sync})"
        )));
    }
    Ok(conn)
}

impl Sqlite {
    /// Opens (creating if needed) the database file at `path` and brings its schema to
    /// [`migrations::VERSION`], one transaction per migration.
    pub fn open(path: &Path) -> Result<Sqlite> {
        let mut writer = connect(path)?;
        loop {
            let tx = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let more = migrations::step(&mut SqliteTx(&tx), Backend::Sqlite)?;
            tx.commit()?;
            if !more {
                break;
            }
        }
        Ok(Sqlite {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(vec![]),
        })
    }
}

/// Rewrites `$N` placeholders to SQLite's `?N`.
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Val::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Val::Blob(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

struct SqliteTx<'a>(&'a rusqlite::Transaction<'a>);

impl Tx for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        super::check_params(params)?;
        let mut stmt = self.0.prepare_cached(&placeholders(sql))?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        super::check_params(params)?;
        let mut stmt = self.0.prepare_cached(&placeholders(sql))?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(match r.get_ref(i)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Real(v) => Val::Int(v as i64),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Val::Blob(b.to_vec()),
                });
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }
}

fn run_in(
    conn: &mut Connection,
    behavior: TransactionBehavior,
    f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(behavior)?;
    f(&mut SqliteTx(&tx))?;
    tx.commit()?;
    Ok(())
}

impl Storage for Sqlite {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn after_purge(&self) -> Result<()> {
        let writer = self.writer.lock().map_err(|_| Error::Db("writer poisoned".into()))?;
        // Copies a reader still holds back stay until the next checkpoint; a busy answer is fine.
        writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn transaction(&self, mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        match mode {
            Mode::Write => {
                let mut conn =
                    self.writer.lock().map_err(|_| Error::Db("writer poisoned".into()))?;
                run_in(&mut conn, TransactionBehavior::Immediate, f)
            }
            Mode::Read => {
                let pooled =
                    self.readers.lock().map_err(|_| Error::Db("pool poisoned".into()))?.pop();
                let mut conn = match pooled {
                    Some(c) => c,
                    None => connect(&self.path)?,
                };
                let out = run_in(&mut conn, TransactionBehavior::Deferred, f);
                let mut pool =
                    self.readers.lock().map_err(|_| Error::Db("pool poisoned".into()))?;
                if pool.len() < READERS {
                    pool.push(conn);
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_questions() {
        assert_eq!(
            placeholders("a = $1 AND b = $12 AND c = '$'"),
            "a = ?1 AND b = ?12 AND c = '$'"
        );
    }
}
