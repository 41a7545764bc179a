//! PostgreSQL for the server tests: the server named by `KINDRED_TEST_PG` (a URL to a
//! database the test may create databases from), else one on 127.0.0.1:5432. Each test gets a
//! fresh database, dropped afterwards. `cargo xtask test` makes sure a server runs and sets
//! `KINDRED_REQUIRE_PG=1`, so there a missing server fails instead of skipping.

use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A database created for one test.
pub struct PgDb {
    admin: String,
    name: String,
    base: String,
}

impl PgDb {
    /// Its URL.
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn admin_url() -> String {
    std::env::var("KINDRED_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database, or `None` (test skipped) when no server is reachable and none is
/// required.
pub fn fresh_database() -> Option<PgDb> {
    let admin = admin_url();
    let mut c = match postgres::Client::connect(&admin, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var_os("KINDRED_REQUIRE_PG").is_none(),
                "PostgreSQL required but unreachable: {e}"
            );
            eprintln!("PostgreSQL not reachable; skipping the PostgreSQL variant");
            return None;
        }
    };
    let name = format!("kindred_t_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    c.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
    let base = admin.rsplit_once('/').map_or(admin.clone(), |(b, _)| b.to_owned());
    Some(PgDb { admin, name, base })
}

/// The server databases to run a test on: a SQLite file in `dir`, and a fresh PostgreSQL
/// database when one is reachable, each as (name, database, what keeps it alive).
pub fn databases(dir: &std::path::Path) -> Vec<(&'static str, String, Option<PgDb>)> {
    let mut out = vec![("sqlite", dir.join("server.sqlite3").to_string_lossy().into_owned(), None)];
    if let Some(pg) = fresh_database() {
        out.push(("postgres", pg.url(), Some(pg)));
    }
    out
}
