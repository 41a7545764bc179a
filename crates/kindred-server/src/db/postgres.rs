//! The PostgreSQL backend, for a program that outgrows one machine: a small pool of blocking
//! `postgres` clients (the service runs storage work on blocking threads). Every transaction
//! commits with `synchronous_commit=on`; opening refuses a server configured weaker (test S6).
//! Per-scope order comes from the row lock on `sync_scope` that every write takes first.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{NoTls, Statement};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use super::migrations::{self, Backend};
use super::{Mode, Row, Storage, Tx, Val};
use crate::{Error, Result};

const POOL: usize = 8;

/// A pooled connection with its prepared statements (named, server-side, reused across
/// transactions: one round trip per statement instead of two).
struct Client {
    inner: postgres::Client,
    stmts: HashMap<String, Statement>,
}

impl Client {
    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

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

/// Where to connect, and with which TLS: libpq's `sslmode=verify-full&sslrootcert=FILE` is
/// taken out of the URL (the driver knows only disable/prefer/require) and becomes rustls
/// with the server's certificate chain and host name checked against that CA file.
struct Target {
    url: String,
    tls: Option<rustls::ClientConfig>,
}

fn bad_url(why: &str) -> Error {
    Error::Config(format!("the PostgreSQL URL: {why}"))
}

fn target(url: &str) -> Result<Target> {
    let mut parsed = url::Url::parse(url).map_err(|_| bad_url("not a valid URL"))?;
    let (mut mode, mut root, mut rest) = (None, None, Vec::new());
    for (k, v) in parsed.query_pairs() {
        match &*k {
            "sslmode" => mode = Some(v.into_owned()),
            "sslrootcert" => root = Some(v.into_owned()),
            _ => rest.push((k.into_owned(), v.into_owned())),
        }
    }
    let tls = match mode.as_deref() {
        Some("verify-full") => {
            let root =
                root.ok_or_else(|| bad_url("sslmode=verify-full needs sslrootcert=<CA file>"))?;
            let mut store = rustls::RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(&root)
                .map_err(|_| bad_url("sslrootcert can't be read"))?;
            for cert in certs {
                let cert =
                    cert.map_err(|_| bad_url("sslrootcert is not a PEM certificate file"))?;
                store
                    .add(cert)
                    .map_err(|_| bad_url("sslrootcert holds an unusable certificate"))?;
            }
            let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .map_err(|_| bad_url("TLS set-up failed"))?
                .with_root_certificates(store)
                .with_no_client_auth();
            rest.push(("sslmode".into(), "require".into()));
            Some(config)
        }
        Some("verify-ca") => {
            return Err(bad_url("use sslmode=verify-full (the host name is checked too)"))
        }
        Some(m) => {
            rest.push(("sslmode".into(), m.to_owned()));
            None
        }
        None => None,
    };
    if tls.is_none() {
        // Nothing taken out: the URL goes to the driver as given.
        return Ok(Target { url: url.to_owned(), tls });
    }
    // Percent-encoded (the driver reads `%20`, not a form's `+`).
    let enc = |v: &str| {
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let query: Vec<String> = rest.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    parsed.set_query(Some(&query.join("&")));
    Ok(Target { url: parsed.to_string(), tls })
}

fn connect(url: &str) -> Result<Client> {
    let t = target(url)?;
    let mut c = match t.tls {
        Some(config) => postgres::Client::connect(
            &t.url,
            tokio_postgres_rustls::MakeRustlsConnect::new(config),
        )?,
        None => postgres::Client::connect(&t.url, NoTls)?,
    };
    let sc: String = c.query_one("SHOW synchronous_commit", &[])?.get(0);
    let fsync: String = c.query_one("SHOW fsync", &[])?.get(0);
    if sc == "off" || fsync != "on" {
        return Err(Error::Durability(format!(
            "PostgreSQL must run with synchronous_commit on and fsync on (got {sc}, {fsync})"
        )));
    }
    Ok(Client { inner: c, stmts: HashMap::new() })
}

impl Pg {
    /// Connects to `url`, checks durability settings and brings the schema to
    /// [`migrations::VERSION`], one transaction per migration.
    pub fn open(url: &str) -> Result<Pg> {
        let mut c = connect(url)?;
        loop {
            let mut tx = c.inner.transaction()?;
            // One schema writer at a time, even when several servers start together.
            tx.execute("SELECT pg_advisory_xact_lock(7261)", &[])?;
            // Statements prepared here are not kept: the schema may change under them.
            let mut stmts = HashMap::new();
            let more =
                migrations::step(&mut PgTx { tx: &mut tx, stmts: &mut stmts }, Backend::Postgres)?;
            tx.commit()?;
            if !more {
                break;
            }
        }
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

struct PgTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    stmts: &'a mut HashMap<String, Statement>,
}

impl PgTx<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.stmts.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.stmts.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Tx for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64> {
        super::check_params(params)?;
        let st = self.statement(sql)?;
        let p: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        Ok(self.tx.execute(&st, &p)?)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>> {
        super::check_params(params)?;
        let st = self.statement(sql)?;
        let p: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let rows = self.tx.query(&st, &p)?;
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

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.tx.batch_execute(sql)?)
    }
}

impl Storage for Pg {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn transaction(&self, _mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let mut client = self.take()?;
        let out = (|| {
            let Client { inner, stmts } = &mut client;
            if stmts.len() > 256 {
                stmts.clear(); // dynamic SQL (batch sizes) stays bounded
            }
            let mut tx = inner.transaction()?;
            f(&mut PgTx { tx: &mut tx, stmts })?;
            tx.commit()?;
            Ok(())
        })();
        self.give(client);
        out
    }
}
