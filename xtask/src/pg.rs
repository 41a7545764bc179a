//! PostgreSQL for the server's test suite: the server named by `KINDRED_TEST_PG`, else one
//! listening on 127.0.0.1:5432, else a private instance this command installs (Debian's
//! `postgresql` package) and starts on 127.0.0.1:55432 with trust auth in the target folder.
//! The README's two commands therefore need no database set-up.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::util::run;

const OWN_PORT: u16 = 55432;

fn reachable(host_port: &str) -> bool {
    host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

fn host_port(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    Some(rest.split('/').next()?.to_owned())
}

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .collect();
    dirs.sort();
    dirs.into_iter().rev().find(|d| d.join("initdb").exists())
}

fn as_postgres(program: PathBuf) -> Command {
    // PostgreSQL refuses to run as root.
    let root = crate::util::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Makes sure a PostgreSQL server is reachable; returns its admin URL.
pub fn ensure() -> Result<String> {
    if let Ok(url) = std::env::var("KINDRED_TEST_PG") {
        let hp = host_port(&url).context("KINDRED_TEST_PG is not a postgres:// URL")?;
        if !reachable(&hp) {
            bail!("KINDRED_TEST_PG names {hp}, which is not reachable");
        }
        return Ok(url);
    }
    if reachable("127.0.0.1:5432") {
        return Ok("postgres://postgres@127.0.0.1:5432/postgres".into());
    }
    let own = format!("postgres://postgres@127.0.0.1:{OWN_PORT}/postgres");
    if reachable(&format!("127.0.0.1:{OWN_PORT}")) {
        return Ok(own);
    }
    if pg_bin().is_none() {
        let mut apt = Command::new("apt-get");
        apt.args(["install", "-y", "-q", "postgresql"]).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut apt).context("installing PostgreSQL")?;
    }
    let bin = pg_bin().context("PostgreSQL binaries not found after install")?;
    // Not under the target folder: PostgreSQL runs as its own user, which may not reach $HOME.
    let data = std::env::temp_dir().join("kindred-pg");
    if !data.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&data)?;
        let _ = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&data).status();
        run(as_postgres(bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(&data))?;
    }
    let opts = format!("-p {OWN_PORT} -k /tmp -c listen_addresses=127.0.0.1");
    run(as_postgres(bin.join("pg_ctl"))
        .args(["-w", "-D"])
        .arg(&data)
        .args(["-o", &opts, "-l"])
        .arg(data.join("log"))
        .arg("start"))?;
    Ok(own)
}
