//! Sync test harness: the real server [`Service`] in-process behind a [`Transport`] that can
//! lose requests or responses and duplicate pushes (SYNC.md §16), seeded so a failure
//! reproduces by seed; plus readers that compare what each side shows.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use kindred_client::keys::{CredError, CredentialStore, MemoryCreds, ACCESS, REFRESH};
use kindred_client::sync::http::HttpTransport;
use kindred_client::sync::tls::{Https, Trust};
use kindred_client::sync::{Transport, TransportError};
use kindred_core::entity::{self, Class, Scope, Ty};
use kindred_core::sync::pin::Pin;
use kindred_core::sync::wire::{
    EnrolRequest, ErrorCode, HelloResponse, PullResponse, PushRequest, PushResponse, RefreshRequest,
};
use kindred_server::db::{self, Mode, Storage};
use kindred_server::service::DeviceAuth;
use kindred_server::{Error as ServerError, Service};

use crate::tls::{CertFiles, TestCa};
use serde_json::Value;

/// A settable server clock.
#[derive(Debug, Clone, Default)]
pub struct ServerClock(pub Arc<AtomicI64>);

impl ServerClock {
    pub fn at(ms: i64) -> Self {
        Self(Arc::new(AtomicI64::new(ms)))
    }
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl kindred_server::Clock for ServerClock {
    fn now_ms(&self) -> i64 {
        self.get()
    }
}

/// SplitMix64: a tiny seeded generator, so a failing seed replays exactly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A value in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        if xs.is_empty() {
            None
        } else {
            xs.get(self.below(xs.len() as u64) as usize)
        }
    }
}

fn to_transport(e: ServerError) -> TransportError {
    let restore_point_seq = match &e {
        ServerError::EpochChanged { restore_point_seq } => *restore_point_seq,
        _ => None,
    };
    TransportError::Http {
        status: e.status(),
        code: e.code(),
        retry_after_s: None,
        restore_point_seq,
    }
}

/// Fault rates of a [`SimTransport`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// The request never arrives.
    pub lose_request: f64,
    /// The server commits, the answer is lost.
    pub lose_response: f64,
    /// A push arrives twice (the second answer is the one returned).
    pub duplicate: f64,
    /// A push is held by the network (the device times out) and delivered later, after newer
    /// requests: reordering. Needs [`SimTransport::delayed`].
    pub delay: f64,
}

/// Pushes held back by the network, delivered later by the test.
pub type Delayed = std::cell::RefCell<Vec<(DeviceAuth, PushRequest)>>;

/// The in-process network between one device and the server.
pub struct SimTransport<'a> {
    pub svc: &'a Service,
    pub creds: &'a MemoryCreds,
    pub rng: &'a mut Rng,
    pub faults: Faults,
    pub delayed: Option<&'a Delayed>,
}

impl SimTransport<'_> {
    fn auth(&mut self) -> Result<DeviceAuth, TransportError> {
        let access = self.creds.get(ACCESS).ok().flatten().unwrap_or_default();
        match self.svc.authenticate(&access) {
            Err(ServerError::Unauthorized(ErrorCode::TokenExpired, _)) => {
                let refresh = self.creds.get(REFRESH).ok().flatten().unwrap_or_default();
                let pair = self
                    .svc
                    .refresh(&RefreshRequest { refresh_token: refresh })
                    .map_err(to_transport)?;
                kindred_client::sync::http::store_tokens(self.creds, &pair)?;
                self.svc.authenticate(&pair.access_token).map_err(to_transport)
            }
            other => other.map_err(to_transport),
        }
    }

    fn call<T>(
        &mut self,
        dup: bool,
        f: impl Fn(&Service, &DeviceAuth) -> Result<T, ServerError>,
    ) -> Result<T, TransportError> {
        if self.rng.chance(self.faults.lose_request) {
            return Err(TransportError::Network("request lost".into()));
        }
        let auth = self.auth()?;
        let mut out = f(self.svc, &auth).map_err(to_transport);
        if dup && self.rng.chance(self.faults.duplicate) {
            out = f(self.svc, &auth).map_err(to_transport);
        }
        if self.rng.chance(self.faults.lose_response) {
            return Err(TransportError::Network("response lost".into()));
        }
        out
    }
}

impl Transport for SimTransport<'_> {
    fn hello(&mut self) -> Result<HelloResponse, TransportError> {
        self.call(false, |s, _| Ok(s.hello()))
    }
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        if let Some(stash) = self.delayed {
            if self.rng.chance(self.faults.delay) {
                let auth = self.auth()?;
                stash.borrow_mut().push((auth, req.clone()));
                return Err(TransportError::Network("held by the network".into()));
            }
        }
        self.call(true, |s, a| s.push(a, req))
    }
    fn pull(
        &mut self,
        scope: &str,
        after: i64,
        limit: u32,
        epoch: &str,
    ) -> Result<PullResponse, TransportError> {
        self.call(false, |s, a| s.pull(a, scope, after, Some(i64::from(limit)), epoch))
    }
    fn disclosures(
        &mut self,
        after_at: i64,
        after_id: &str,
    ) -> Result<Option<kindred_core::sync::account::DisclosurePage>, TransportError> {
        self.call(false, |s, a| s.disclosures(a, after_at, after_id, 500)).map(Some)
    }
}

/// A program with one mentee on a fresh server.
#[derive(Debug, Clone)]
pub struct Program {
    pub program: String,
    pub mentee: String,
}

impl Program {
    pub fn create(svc: &Service) -> Program {
        let program = svc.create_program("Test program").expect("program");
        let mentee =
            svc.create_person(&program, kindred_server::PersonRole::Mentee, "M-1").expect("mentee");
        Program { program, mentee }
    }

    pub fn user_scope(&self) -> String {
        format!("user:{}", self.mentee)
    }

    /// Enrols a device directly through the service, storing its tokens in `creds` and the
    /// enrolment in the device's store.
    pub fn enrol(
        &self,
        svc: &Service,
        k: &std::sync::Mutex<kindred_client::Kindred>,
        creds: &MemoryCreds,
    ) {
        let code = svc.invite(&self.mentee, 3_600_000).expect("invite");
        let device_id = k.lock().unwrap().device_id().unwrap();
        let e = svc
            .enrol(&EnrolRequest { code, device_id, app_version: "test".into() })
            .expect("enrol");
        kindred_client::sync::http::store_tokens(creds, &e.tokens).unwrap();
        k.lock()
            .unwrap()
            .set_enrolment(&kindred_client::store::sync::Enrolled {
                server_url: "sim://".into(),
                user_scope: e.user_scope,
                program_scope: e.program_scope,
                program_name: e.program_name,
                pins: Vec::new(),
            })
            .unwrap();
    }
}

/// Record id → visible synced fields (nulls dropped; booleans as 0/1; lists and objects as JSON).
pub type Visible = BTreeMap<String, BTreeMap<String, Value>>;

/// A value as both sides compare it: nulls dropped, booleans as 0/1 (the device stores them so).
pub fn norm(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(Value::from(i64::from(*b))),
        other => Some(other.clone()),
    }
}

/// What the server shows for `scope` (user-scope entities only), read through the storage trait.
pub fn server_visible(db: &dyn Storage, scope: &str) -> Visible {
    let rows = db::run(db, Mode::Read, |tx| {
        tx.query(
            "SELECT id, fields FROM record WHERE scope_id = $1 AND has_create = 1 AND cl % 2 = 1",
            &[scope.into()],
        )
    })
    .expect("read server");
    let mut out = Visible::new();
    for r in rows {
        let id = r.text(0).unwrap();
        let fields: BTreeMap<String, Value> =
            serde_json::from_str(&r.opt_text(1).unwrap().unwrap_or_default()).unwrap();
        out.insert(
            id,
            fields.iter().filter_map(|(k, f)| norm(&f["value"]).map(|v| (k.clone(), v))).collect(),
        );
    }
    out
}

/// What a device shows: every live row of every user-scope entity, synced fields only.
pub fn device_visible(db_file: &Path) -> Visible {
    let conn = crate::device_connection(db_file);
    let mut out = Visible::new();
    // Server-authored user records (assignment, messages) live in `program_record`.
    for e in entity::ALL.iter().filter(|e| e.scope == Scope::User && e.class != Class::Server) {
        let fields: Vec<_> = e.synced_fields().collect();
        let cols: Vec<&str> = fields.iter().map(|f| f.name).collect();
        let sql = format!("SELECT id, {} FROM {} WHERE cl % 2 = 1", cols.join(", "), e.name);
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let id: String = r.get(0).unwrap();
            let mut m = BTreeMap::new();
            for (i, f) in fields.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(i + 1).unwrap();
                let j = match v {
                    rusqlite::types::Value::Null => continue,
                    rusqlite::types::Value::Integer(n) => Value::from(n),
                    rusqlite::types::Value::Real(x) => Value::from(x),
                    rusqlite::types::Value::Text(t) if matches!(f.ty, Ty::List | Ty::Object) => {
                        serde_json::from_str(&t).unwrap_or(Value::String(t))
                    }
                    rusqlite::types::Value::Text(t) => Value::String(t),
                    rusqlite::types::Value::Blob(_) => continue,
                };
                m.insert(f.name.to_owned(), j);
            }
            out.insert(id, m);
        }
    }
    out
}

/// Test-only credentials in a JSON file, so a helper process can be killed and restarted with
/// its sign-in (the app itself keeps them in the OS keystore).
#[derive(Debug)]
pub struct FileCreds(pub std::path::PathBuf);

impl FileCreds {
    fn load(&self) -> BTreeMap<String, String> {
        std::fs::read(&self.0)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Replaces the file atomically (write beside, then rename).
    fn save(&self, m: &BTreeMap<String, String>) -> Result<(), CredError> {
        let tmp = self.0.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(m).unwrap())
            .and_then(|()| std::fs::rename(&tmp, &self.0))
            .map_err(|e| CredError(e.to_string()))
    }
}

impl CredentialStore for FileCreds {
    fn get(&self, key: &str) -> Result<Option<String>, CredError> {
        Ok(self.load().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), CredError> {
        let mut m = self.load();
        m.insert(key.into(), value.into());
        self.save(&m)
    }
    fn delete(&self, key: &str) -> Result<(), CredError> {
        let mut m = self.load();
        m.remove(key);
        self.save(&m)
    }
}

/// A phone on the real clock and id source, its store in `dir` (UTC).
pub fn real_device(dir: &Path) -> std::sync::Mutex<kindred_client::Kindred> {
    let k = crate::open_device(dir, crate::real_options(chrono_tz::UTC))
        .expect("open the device store");
    std::sync::Mutex::new(k)
}

/// The `kindred-server` binary: `KINDRED_SERVER_BIN`, else next to the test executables.
pub fn server_bin() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("KINDRED_SERVER_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> or target/<profile>/<bin>
    let mut dir = exe.parent().unwrap().to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join("kindred-server");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p kindred-server` (cargo xtask test does)",
        bin.display()
    );
    bin
}

/// A real `kindred-server` process on 127.0.0.1, speaking TLS with a certificate from a test
/// CA made for it (or plain HTTP on loopback, for the tests of that refusal).
#[derive(Debug)]
pub struct ServerProc {
    pub database: String,
    pub port: u16,
    child: Option<std::process::Child>,
    key: std::path::PathBuf,
    pub stderr: std::path::PathBuf,
    /// The serving certificate; `None`: plain HTTP.
    pub tls: Option<CertFiles>,
    /// Extra `serve` arguments (kept for restarts).
    extra: Vec<String>,
    /// Extra environment for the process.
    env: Vec<(String, String)>,
}

impl ServerProc {
    /// Starts `serve` over TLS on `database` (a SQLite path or postgres URL), on `port` (0: any
    /// free), with a fresh test CA and server certificate next to the key file.
    pub fn start(database: &str, key: &Path, port: u16, extra: &[&str]) -> ServerProc {
        let name = key.file_name().unwrap().to_string_lossy().into_owned();
        let tls = TestCa::new().server_cert(key.parent().unwrap(), &format!("{name}-server"));
        ServerProc::start_with(database, key, port, Some(tls), extra, &[])
    }

    /// Starts `serve` with the given certificate (`None`: plain HTTP) and environment.
    pub fn start_with(
        database: &str,
        key: &Path,
        port: u16,
        tls: Option<CertFiles>,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> ServerProc {
        let mut me = ServerProc {
            database: database.into(),
            port,
            child: None,
            key: key.into(),
            stderr: key.with_extension(format!("stderr.{port}.log")),
            tls,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        };
        me.spawn().unwrap_or_else(|e| panic!("server did not start: {e}"));
        me
    }

    /// The `serve` command line, for a test that expects it to refuse to start.
    pub fn try_start(
        database: &str,
        key: &Path,
        listen: &str,
        tls: Option<&CertFiles>,
    ) -> std::process::Output {
        let mut cmd = std::process::Command::new(server_bin());
        cmd.args(["--database", database, "--key-file"]).arg(key);
        if let Some(t) = tls {
            cmd.args(t.args());
        }
        cmd.args(["serve", "--listen", listen]);
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start kindred-server");
        // A server that did start is stopped after its first line.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait_with_output().unwrap()
    }

    fn common_args(&self, cmd: &mut std::process::Command) {
        cmd.args(["--database", &self.database, "--key-file"]).arg(&self.key);
        if let Some(t) = &self.tls {
            cmd.args(t.args());
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let stderr = self.key.with_extension(format!("stderr.{}.log", self.port));
        let mut cmd = std::process::Command::new(server_bin());
        self.common_args(&mut cmd);
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .args(&self.extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::OpenOptions::new().create(true).append(true).open(&stderr).unwrap());
        let mut child = cmd.spawn().map_err(|e| e.to_string())?;
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port =
            line.trim().rsplit(':').next().and_then(|p| p.parse().ok()).ok_or_else(|| {
                format!("{line:?} {}", std::fs::read_to_string(&stderr).unwrap_or_default())
            })?;
        self.port = port;
        self.stderr = stderr;
        self.child = Some(child);
        Ok(())
    }

    /// The base URL.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The pins a phone gets for this server.
    pub fn pins(&self) -> Vec<Pin> {
        self.tls.iter().map(|t| t.pin).collect()
    }

    /// An HTTPS client that trusts this server's key (the phone's own client), for raw requests.
    pub fn client(&self) -> reqwest::blocking::Client {
        Https::new(Trust::Pins(self.pins())).expect("https client").client
    }

    /// A transport for a phone enrolled here, with its credentials.
    pub fn transport(&self, creds: Arc<dyn CredentialStore>) -> HttpTransport {
        HttpTransport::new(&self.url(), self.pins(), creds).expect("transport")
    }

    /// Runs a staff command against the same database; returns its stdout's first line.
    pub fn staff(&self, args: &[&str]) -> String {
        self.staff_lines(args).into_iter().next().unwrap_or_default()
    }

    /// Runs a staff command; returns its stdout's lines.
    pub fn staff_lines(&self, args: &[&str]) -> Vec<String> {
        let mut cmd = std::process::Command::new(server_bin());
        self.common_args(&mut cmd);
        let out = cmd.args(args).output().expect("staff command");
        assert!(
            out.status.success(),
            "staff {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().to_owned()).collect()
    }

    /// A fresh invite for `mentee`: the code as typed (with the server check) and the QR
    /// payload.
    pub fn invite(&self, mentee: &str) -> (String, String) {
        let lines = self.staff_lines(&["invite", "--mentee", mentee, "--server", &self.url()]);
        (lines[0].clone(), lines[1].clone())
    }

    /// Connects the phone `k` to `mentee` on this server with a fresh invite code, typed the way
    /// people type it (lower case, spaces for dashes).
    pub fn enrol(
        &self,
        mentee: &str,
        k: &std::sync::Mutex<kindred_client::Kindred>,
        creds: &dyn CredentialStore,
    ) {
        let code = self.staff(&["invite", "--mentee", mentee]);
        let typed = code.to_lowercase().replace('-', " ");
        kindred_client::sync::connect(k, creds, &self.url(), &typed, "test").expect("connect");
    }

    /// kill -9.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// Starts it again on the same port, database and certificate.
    pub fn restart(&mut self) {
        self.kill9();
        self.spawn().unwrap_or_else(|e| panic!("server did not restart: {e}"));
    }

    /// Starts it again on the same port, database and MAC key with another certificate and
    /// `serve` arguments.
    pub fn restart_with(&mut self, tls: Option<CertFiles>, extra: &[&str]) {
        self.kill9();
        self.tls = tls;
        self.extra = extra.iter().map(|s| (*s).to_owned()).collect();
        self.spawn().unwrap_or_else(|e| panic!("server did not restart: {e}"));
    }

    /// Sends a signal (e.g. `HUP`, `TERM`) to the process.
    pub fn signal(&self, name: &str) {
        if let Some(c) = &self.child {
            let ok = std::process::Command::new("kill")
                .args([&format!("-{name}"), &c.id().to_string()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "kill -{name}");
        }
    }

    /// Waits for the process to end; its exit status.
    pub fn wait(&mut self) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        c.wait().ok()
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        self.kill9();
    }
}
