//! Storage behind one trait (SYNC.md §7): [`Storage`] runs a closure in one transaction on a
//! [`Tx`] that executes SQL with `$1, $2, …` placeholders. The SQL text is shared by both
//! backends; [`sqlite`] (embedded, the default) and [`postgres`] implement it, and
//! [`migrations`] holds the versioned DDL of each, applied when a database is opened.
//!
//! Values cross the trait as [`Val`]: integers are `BIGINT`, text is `TEXT`, bytes are
//! `BLOB`/`BYTEA`, so one query reads the same on both.

pub mod migrations;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use crate::{Error, Result};

/// A SQL value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(v.clone())
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Blob(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    fn at(&self, i: usize) -> Result<&Val> {
        self.0.get(i).ok_or_else(|| Error::Db(format!("no column {i}")))
    }
    /// An integer column (NULL is an error).
    pub fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| Error::Db(format!("column {i} is null")))
    }
    /// A nullable integer column.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            Val::Int(v) => Ok(Some(*v)),
            other => Err(Error::Db(format!("column {i}: expected int, got {other:?}"))),
        }
    }
    /// A text column (NULL is an error).
    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| Error::Db(format!("column {i} is null")))
    }
    /// A nullable text column.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            Val::Text(v) => Ok(Some(v.clone())),
            _ => Err(Error::Db(format!("column {i}: expected text"))),
        }
    }
    /// A bytes column (NULL is an error).
    pub fn blob(&self, i: usize) -> Result<Vec<u8>> {
        match self.at(i)? {
            Val::Blob(v) => Ok(v.clone()),
            _ => Err(Error::Db(format!("column {i}: expected bytes"))),
        }
    }
}

/// Refuses text parameters with a NUL character, on both backends alike: PostgreSQL can't store
/// one (it would answer "will be retried" forever), SQLite could. Input is checked before it
/// gets here; this is the last line, answered as a clear 400.
pub(crate) fn check_params(params: &[Val]) -> Result<()> {
    if params.iter().any(|v| matches!(v, Val::Text(t) if t.contains('\0'))) {
        return Err(Error::BadRequest(
            kindred_core::sync::wire::ErrorCode::Invalid,
            "Text with a NUL character can't be stored.".into(),
        ));
    }
    Ok(())
}

/// One open transaction.
pub trait Tx {
    /// Runs a statement; returns the number of rows changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64>;
    /// Runs a query; returns every row.
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>>;
    /// Runs statements without parameters, separated by `;` (schema migrations).
    fn batch(&mut self, sql: &str) -> Result<()>;
}

impl dyn Tx + '_ {
    /// The first row of a query, if any.
    pub fn one(&mut self, sql: &str, params: &[Val]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// Whether a transaction writes (SQLite takes the write lock at its start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

/// A database the server keeps its state in.
pub trait Storage: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Runs `f` in one transaction: committed (durably) when it returns `Ok`, rolled back
    /// otherwise.
    fn transaction(&self, mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    /// After content was deleted: let go of copies the engine still keeps in its files where
    /// it can (SQLite truncates its WAL). Best effort; the delete itself has committed.
    fn after_purge(&self) -> Result<()> {
        Ok(())
    }
}

/// Runs `f` in one transaction of `db` and returns its value.
pub fn run<T>(db: &dyn Storage, mode: Mode, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
    let mut f = Some(f);
    let mut out = None;
    db.transaction(mode, &mut |tx| {
        let f = f.take().ok_or_else(|| Error::Db("transaction body ran twice".into()))?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| Error::Db("transaction body did not run".into()))
}

/// Whether `url` names a PostgreSQL database (else it is a SQLite file).
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Whether the database holds any change yet (a MAC key may only be made before it does).
pub fn has_data(db: &dyn Storage) -> Result<bool> {
    run(db, Mode::Read, |tx| {
        Ok(tx.one("SELECT count(*) FROM change_log", &[])?.map_or(Ok(0), |r| r.int(0))? > 0)
    })
}

/// Opens the database named by `url`: `postgres://…` / `postgresql://…`, or a SQLite file path
/// (optionally `sqlite://path`). Checks durability settings, then creates or upgrades the
/// schema ([`migrations`]); refuses a database written by a newer binary, changing nothing.
pub fn open(url: &str) -> Result<Arc<dyn Storage>> {
    if is_postgres(url) {
        Ok(Arc::new(postgres::Pg::open(url)?))
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Ok(Arc::new(sqlite::Sqlite::open(std::path::Path::new(path))?))
    }
}
