//! The PostgreSQL backend, for a program that outgrows one machine: a small pool of blocking
//! `postgres` clients (the service runs storage work on blocking threads). Every transaction
//! commits with `synchronous_commit=on`; opening refuses a server configured weaker (test S6).
//! Per-scope order comes from the row lock on `sync_scope` that every write takes first.

use std::sync::{Condvar, Mutex};

use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, NoTls};

use super::{schema, Mode, Row, Storage, Tx, Val};
use crate::{Error, Result};

const POOL: usize = 8;

/// The PostgreSQL backend.
pub struct Pg {
    url: String,
    idle: Mutex<(Vec<Client>, usize)>,
    freed: Condvar,
}

impl std::fmt::Debug for Pg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pg").finish_non_exhaustive()
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Db(e.to_string())
    }
}

fn connect(url: &str) -> Result<Client> {
    let mut c = Client::connect(url, NoTls)?;
    let sc: String = c.query_one("SHOW synchronous_commit", &[])?.get(0);
    let fsync: String = c.query_one("SHOW fsync", &[])?.get(0);
    if sc == "off" || fsync != "on" {
        return Err(Error::Durability(format!(
            "PostgreSQL must run with synchronous_commit on and fsync on (got {sc}, {fsync})"
        )));
    }
    Ok(c)
}

impl Pg {
    /// Connects to `url`, checks durability settings and creates the schema.
    pub fn open(url: &str) -> Result<Pg> {
        let mut c = connect(url)?;
        let mut tx = c.transaction()?;
        // One schema creator at a time, even when several servers start together.
        tx.execute("SELECT pg_advisory_xact_lock(7261)", &[])?;
        tx.batch_execute(schema::POSTGRES)?;
        tx.commit()?;
        Ok(Pg { url: url.to_owned(), idle: Mutex::new((vec![c], 1)), freed: Condvar::new() })
    }

    fn take(&self) -> Result<Client> {
        let mut g = self.idle.lock().map_err(|_| Error::Db("pool poisoned".into()))?;
        loop {
            if let Some(c) = g.0.pop() {
                if !c.is_closed() {
                    return Ok(c);
                }
                g.1 -= 1;
                continue;
            }
            if g.1 < POOL {
                g.1 += 1;
                drop(g);
                return connect(&self.url).inspect_err(|_| {
                    if let Ok(mut g) = self.idle.lock() {
                        g.1 -= 1;
                    }
                });
            }
            let (next, timeout) = self
                .freed
                .wait_timeout(g, std::time::Duration::from_secs(5))
                .map_err(|_| Error::Db("pool poisoned".into()))?;
            if timeout.timed_out() && next.0.is_empty() {
                return Err(Error::Busy);
            }
            g = next;
        }
    }

    fn give(&self, c: Client) {
        if let Ok(mut g) = self.idle.lock() {
            if c.is_closed() {
                g.1 -= 1;
            } else {
                g.0.push(c);
            }
        }
        self.freed.notify_one();
    }
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Val::Int(v) => v.to_sql(ty, out),
            Val::Text(v) => v.as_str().to_sql(ty, out),
            Val::Blob(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

struct PgTx<'a, 'b>(&'a mut postgres::Transaction<'b>);

impl Tx for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        let p: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        Ok(self.0.execute(sql, &p)?)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        let p: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let rows = self.0.query(sql, &p)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let t = col.type_();
                let v = if *t == Type::INT8 {
                    r.get::<_, Option<i64>>(i).map_or(Val::Null, Val::Int)
                } else if *t == Type::INT4 {
                    r.get::<_, Option<i32>>(i).map_or(Val::Null, |v| Val::Int(v.into()))
                } else if *t == Type::BYTEA {
                    r.get::<_, Option<Vec<u8>>>(i).map_or(Val::Null, Val::Blob)
                } else {
                    r.get::<_, Option<String>>(i).map_or(Val::Null, Val::Text)
                };
                row.push(v);
            }
            out.push(Row(row));
        }
        Ok(out)
    }
}

impl Storage for Pg {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn transaction(&self, _mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let mut client = self.take()?;
        let out = (|| {
            let mut tx = client.transaction()?;
            f(&mut PgTx(&mut tx))?;
            tx.commit()?;
            Ok(())
        })();
        self.give(client);
        out
    }
}
