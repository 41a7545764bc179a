//! Sync test harness: the real server [`Service`] in-process behind a [`Transport`] that can
//! lose requests or responses and duplicate pushes (SYNC.md §16), seeded so a failure
//! reproduces by seed; plus readers that compare what each side shows.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use kindred_client::sync::creds::{CredentialStore, MemoryCreds, ACCESS, REFRESH};
use kindred_client::sync::{Transport, TransportError};
use kindred_core::entity::{self, Scope, Ty};
use kindred_core::sync::wire::{
    EnrolRequest, HelloResponse, PullResponse, PushRequest, PushResponse, RefreshRequest,
};
use kindred_server::db::{self, Mode, Storage};
use kindred_server::service::DeviceAuth;
use kindred_server::{Error as ServerError, Service};
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

/// The HTTP status the real server gives an error (kept in step with `kindred_server::http`).
pub fn status_of(e: &ServerError) -> u16 {
    match e {
        ServerError::Db(_) | ServerError::Busy | ServerError::Durability(_) => 503,
        ServerError::Unauthorized(..) => 401,
        ServerError::Forbidden(..) => 403,
        ServerError::BadRequest(..) => 400,
        ServerError::TooLarge(..) => 413,
        ServerError::EpochChanged { .. } => 409,
        ServerError::NotFound(_) => 404,
        ServerError::Conflict(..) => 409,
    }
}

fn to_transport(e: ServerError) -> TransportError {
    let restore_point_seq = match &e {
        ServerError::EpochChanged { restore_point_seq } => *restore_point_seq,
        _ => None,
    };
    TransportError::Http {
        status: status_of(&e),
        code: e.code().into(),
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
}

/// The in-process network between one device and the server.
pub struct SimTransport<'a> {
    pub svc: &'a Service,
    pub creds: &'a MemoryCreds,
    pub rng: &'a mut Rng,
    pub faults: Faults,
}

impl SimTransport<'_> {
    fn auth(&mut self) -> Result<DeviceAuth, TransportError> {
        let access = self.creds.get(ACCESS).ok().flatten().unwrap_or_default();
        match self.svc.authenticate(&access) {
            Err(ServerError::Unauthorized("token_expired", _)) => {
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
        let mentee = svc.create_person(&program, "mentee", "M-1").expect("mentee");
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
            })
            .unwrap();
    }
}

/// Record id → visible synced fields (nulls dropped; booleans as 0/1; lists and objects as JSON).
pub type Visible = BTreeMap<String, BTreeMap<String, Value>>;

fn norm(v: &Value) -> Option<Value> {
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
    let conn =
        rusqlite::Connection::open_with_flags(db_file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut out = Visible::new();
    for e in entity::ALL.iter().filter(|e| e.scope == Scope::User) {
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
