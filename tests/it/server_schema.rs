//! The versioned server schema (`kindred_server::db::migrations`) on SQLite and PostgreSQL: a
//! database built from the frozen pre-versioning DDL (`tests/fixtures/server_schema_v1.*.sql`)
//! and filled with a program, a mentee, a device with tokens, an invite, records, a tombstone
//! and change-log rows is recognised as version 1 and upgraded without losing or breaking any of
//! it; a database written by a newer binary is refused with a clear message and left as it was.

use std::collections::BTreeMap;
use std::sync::Arc;

use kindred_core::ids::ChangeId;
use kindred_core::sync::hlc::Hlc;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{
    canonical_json, digest_term, EnrolRequest, PulledField, PushOutcome, PushRequest, WireChange,
};
use kindred_server::db::migrations::{MIGRATIONS, VERSION};
use kindred_server::db::{self, Mode, Storage};
use kindred_server::{secrets, Error, Service, StaffId};
use kindred_tests::sync::ServerClock;
use serde_json::{json, Map, Value};

const NOW: i64 = 1_790_000_000_000;
const KEY: [u8; 32] = [9; 32];
const EPOCH: &str = "0190aaaa-0000-4000-8000-00000000e90c";
const PROGRAM: &str = "0190aaaa-0000-7000-8000-000000000001";
const MENTEE: &str = "0190aaaa-0000-7000-8000-000000000002";
const DEVICE: &str = "0190aaaa-0000-7000-8000-000000000003";
const GOAL: &str = "0190aaaa-0000-7000-8000-000000000004";
const GONE: &str = "0190aaaa-0000-7000-8000-000000000005";
const HELP: &str = "0190aaaa-0000-7000-8000-000000000006";
const ACCESS: &str = "ka_fixture_access_token";
const REFRESH: &str = "kr_fixture_refresh_token";
const INVITE: &str = "ABCD-EFGH-JKMN-PQRS";

const SQLITE_V1: &str = include_str!("../fixtures/server_schema_v1.sqlite.sql");
const POSTGRES_V1: &str = include_str!("../fixtures/server_schema_v1.postgres.sql");

fn hlc(ms: i64) -> Hlc {
    Hlc::new(ms as u64, 0)
}

/// The fixture's one live goal, as its device pushed it.
fn goal_create() -> WireChange {
    WireChange {
        change_id: "0190aaaa-0000-7000-8000-000000000011".parse::<ChangeId>().unwrap(),
        entity: "goal".into(),
        entity_version: 1,
        record_id: GOAL.into(),
        op: Op::Create,
        cl: 1,
        hlc: hlc(NOW - 60_000),
        base_row_seq: None,
        fields: json!({"text": "Walk daily", "status": "active"}).as_object().cloned().unwrap(),
    }
}

fn fields_json(c: &WireChange, node: &str) -> String {
    let m: BTreeMap<&String, PulledField> = c
        .fields
        .iter()
        .map(|(k, v)| {
            let f = PulledField {
                value: v.clone(),
                hlc: c.hlc,
                node: node.into(),
                change_id: c.change_id,
            };
            (k, f)
        })
        .collect();
    serde_json::to_string(&m).unwrap()
}

fn mac_of(c: &WireChange) -> String {
    let v = serde_json::to_value(c).unwrap();
    hex(&secrets::mac(&KEY, canonical_json(&v).as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Rows as a server before versioning wrote them; `bytes(hex)` spells a bytes literal.
fn v1_data(bytes: impl Fn(&str) -> String) -> String {
    let goal = goal_create();
    let user = format!("user:{MENTEE}");
    let program = format!("program:{PROGRAM}");
    let user_digest = digest_term(GOAL, 1).wrapping_add(digest_term(GONE, 3)) as i64;
    let help_fields = json!({"label": "Program line", "phone": "+15550001111", "position": 1});
    let help = WireChange {
        change_id: "0190aaaa-0000-7000-8000-000000000014".parse::<ChangeId>().unwrap(),
        entity: "help_number".into(),
        entity_version: 1,
        record_id: HELP.into(),
        op: Op::Create,
        cl: 1,
        hlc: hlc(NOW - 90_000),
        base_row_seq: None,
        fields: help_fields.as_object().cloned().unwrap(),
    };
    let log = |id: &str,
               scope: &str,
               seq: i64,
               device: &str,
               actor: &str,
               c: (&str, &str, &str)| {
        let (entity, record, op) = c;
        format!(
            "INSERT INTO change_log (change_id, scope_id, seq, device_id, actor, entity, record_id,
               op, payload_mac, payload, hlc_in, hlc_eff, base_row_seq, outcome, received_at)
             VALUES ({}, {}, {seq}, {device}, {}, {}, {}, {}, {}, NULL, {h}, {h}, NULL, 'applied', {t});",
            q(id),
            q(scope),
            q(actor),
            q(entity),
            q(record),
            q(op),
            bytes(&hex(&[seq as u8; 32])),
            h = hlc(NOW - 50_000 + seq).to_i64(),
            t = NOW - 50_000,
        )
    };
    let d = q(DEVICE);
    [
        format!("INSERT INTO server_meta (k, v) VALUES ('epoch', {});", q(EPOCH)),
        format!("INSERT INTO program (id, name, created_at) VALUES ({}, 'Riverside', {});", q(PROGRAM), NOW - 100_000),
        format!(
            "INSERT INTO person (id, program_id, role, label, created_at) VALUES ({}, {}, 'mentee', 'M-7', {});",
            q(MENTEE), q(PROGRAM), NOW - 100_000
        ),
        format!(
            "INSERT INTO invite (code_hash, mentee_id, expires_at) VALUES ({}, {}, {});",
            q(&secrets::hash(&secrets::normalize_code(INVITE))), q(MENTEE), NOW + 3_600_000
        ),
        format!(
            "INSERT INTO device (device_id, user_id, created_at, last_seen_at, app_version) VALUES ({d}, {}, {}, {}, 't');",
            q(MENTEE), NOW - 80_000, NOW - 70_000
        ),
        format!(
            "INSERT INTO token (hash, device_id, kind, expires_at) VALUES ({}, {d}, 'access', {});",
            q(&secrets::hash(ACCESS)), NOW + 600_000
        ),
        format!(
            "INSERT INTO token (hash, device_id, kind, expires_at) VALUES ({}, {d}, 'refresh', {});",
            q(&secrets::hash(REFRESH)), NOW + 86_400_000
        ),
        format!("INSERT INTO sync_scope (scope_id, seq, digest) VALUES ({}, 3, {user_digest});", q(&user)),
        format!(
            "INSERT INTO sync_scope (scope_id, seq, digest) VALUES ({}, 1, {});",
            q(&program), digest_term(HELP, 1) as i64
        ),
        format!(
            "INSERT INTO record (scope_id, id, entity, cl, has_create, row_seq, fields) VALUES ({}, {}, 'goal', 1, 1, 1, {});",
            q(&user), q(GOAL), q(&fields_json(&goal, &format!("d:{DEVICE}")))
        ),
        format!(
            "INSERT INTO record (scope_id, id, entity, cl, has_create, row_seq, fields) VALUES ({}, {}, 'goal', 2, 1, 3, NULL);",
            q(&user), q(GONE)
        ),
        format!(
            "INSERT INTO record (scope_id, id, entity, cl, has_create, row_seq, fields) VALUES ({}, {}, 'help_number', 1, 1, 1, {});",
            q(&program), q(HELP), q(&fields_json(&help, "s:staff"))
        ),
        format!(
            "INSERT INTO change_log (change_id, scope_id, seq, device_id, actor, entity, record_id,
               op, payload_mac, payload, hlc_in, hlc_eff, base_row_seq, outcome, received_at)
             VALUES ({}, {}, 1, {d}, 'device', 'goal', {}, 'create', {}, {}, {h}, {h}, NULL, 'applied', {});",
            q(&goal.change_id.to_string()),
            q(&user),
            q(GOAL),
            bytes(&mac_of(&goal)),
            q(&canonical_json(&Value::Object(goal.fields.clone()))),
            NOW - 60_000,
            h = goal.hlc.to_i64(),
        ),
        log("0190aaaa-0000-7000-8000-000000000012", &user, 2, &d, "device", ("goal", GONE, "create")),
        log("0190aaaa-0000-7000-8000-000000000013", &user, 3, &d, "device", ("goal", GONE, "delete")),
        log(&help.change_id.to_string(), &program, 1, "NULL", "staff", ("help_number", HELP, "create")),
        format!("INSERT INTO security_event (at, kind, device_id) VALUES ({}, 'enrol_failed', NULL);", NOW - 90_000),
    ]
    .join("\n")
}

/// The DDL of a fixture, without its header comment.
fn ddl(fixture: &str) -> &str {
    let start = fixture.find("CREATE").unwrap();
    &fixture[start..]
}

/// A database in the pre-versioning format with data: SQLite file, or PostgreSQL URL.
fn legacy_sqlite(dir: &std::path::Path) -> String {
    let path = dir.join("v1.sqlite3");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(ddl(SQLITE_V1)).unwrap();
    c.execute_batch(&v1_data(|h| format!("X'{h}'"))).unwrap();
    path.to_str().unwrap().to_owned()
}

fn legacy_postgres(url: &str) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute(ddl(POSTGRES_V1)).unwrap();
    c.batch_execute(&v1_data(|h| format!("decode('{h}', 'hex')"))).unwrap();
}

fn versions(db: &dyn Storage) -> Vec<i64> {
    db::run(db, Mode::Read, |tx| {
        tx.query("SELECT version FROM schema_version ORDER BY version", &[])?
            .iter()
            .map(|r| r.int(0))
            .collect()
    })
    .unwrap()
}

/// Everything the fixture holds is still there and works after the upgrade.
fn check_upgraded(name: &str, open: &dyn Fn() -> Arc<dyn Storage>) {
    let db = open();
    assert_eq!(versions(&*db), (1..=VERSION).collect::<Vec<_>>(), "{name}: every step recorded");
    let clock = ServerClock::at(NOW);
    let svc = Service::open(db.clone(), Arc::new(clock.clone()), KEY).unwrap();
    assert_eq!(svc.epoch(), EPOCH, "{name}: the epoch is kept");
    assert!(
        svc.hello().server_hlc > hlc(NOW - 50_000 + 3),
        "{name}: the server clock starts above every stamp in the log"
    );
    // The device's tokens still work; its scopes hold what they held.
    let auth = svc.authenticate(ACCESS).unwrap();
    assert_eq!((auth.device_id.as_str(), auth.user_id.as_str()), (DEVICE, MENTEE), "{name}");
    let user = svc.pull(&auth, &auth.user_scope(), 0, None, EPOCH).unwrap();
    let ids: Vec<(&str, u32, i64)> =
        user.rows.iter().map(|r| (r.id.as_str(), r.cl, r.row_seq)).collect();
    assert_eq!(ids, vec![(GOAL, 1, 1), (GONE, 2, 3)], "{name}: the record and the tombstone");
    assert_eq!(user.rows[0].fields.as_ref().unwrap()["text"].value, json!("Walk daily"));
    assert!(user.rows[1].fields.is_none(), "{name}: deleted content stays gone");
    let digest = digest_term(GOAL, 1).wrapping_add(digest_term(GONE, 3));
    assert_eq!((user.scope_seq, user.digest), (Some(3), Some(digest)), "{name}");
    let content = svc.pull(&auth, &auth.program_scope(), 0, None, EPOCH).unwrap();
    assert_eq!(content.rows.len(), 1);
    assert_eq!(content.rows[0].fields.as_ref().unwrap()["label"].value, json!("Program line"));
    // An old change replayed is a duplicate (its MAC survived); a new edit applies after it.
    let push = |changes| {
        svc.push(&auth, &PushRequest { device_id: DEVICE.into(), epoch: EPOCH.into(), changes })
            .unwrap()
    };
    let replay = push(vec![goal_create()]);
    assert_eq!(
        (replay.results[0].outcome, replay.results[0].seq),
        (PushOutcome::Duplicate, Some(1)),
        "{name}"
    );
    let mut edit = goal_create();
    edit.change_id = "0190aaaa-0000-7000-8000-000000000021".parse().unwrap();
    edit.op = Op::Set;
    edit.hlc = hlc(NOW);
    edit.fields = json!({"status": "done"}).as_object().cloned().unwrap();
    let r = push(vec![edit]);
    assert_eq!((r.results[0].outcome, r.results[0].seq), (PushOutcome::Applied, Some(4)), "{name}");
    let after = svc.pull(&auth, &auth.user_scope(), 3, None, EPOCH).unwrap();
    let f = after.rows[0].fields.as_ref().unwrap();
    assert_eq!(
        (f["text"].value.clone(), f["status"].value.clone()),
        (json!("Walk daily"), json!("done"))
    );
    // Refresh rotates the old refresh token; the unused invite enrols a second phone.
    assert!(svc
        .refresh(&kindred_core::sync::wire::RefreshRequest { refresh_token: REFRESH.into() })
        .is_ok());
    let second = svc.enrol(&EnrolRequest {
        code: INVITE.into(),
        device_id: "0190aaaa-0000-7000-8000-000000000031".into(),
        app_version: "t".into(),
    });
    assert!(second.is_ok(), "{name}: {second:?}");
    assert_eq!(svc.devices(MENTEE).unwrap().len(), 2);
    // A named staff member's write is recorded as theirs; older rows name nobody.
    let kim = Service::open(db.clone(), Arc::new(clock), KEY)
        .unwrap()
        .with_staff(StaffId::parse("kim").unwrap());
    let mut h = Map::new();
    h.insert("label".into(), json!("Night line"));
    h.insert("position".into(), json!(2));
    let scope = kim.program_scope(PROGRAM).unwrap();
    let id = kim.staff_write(&scope, "help_number", None, Op::Create, h).unwrap();
    let actors = db::run(&*db, Mode::Read, |tx| {
        tx.query(
            "SELECT record_id, actor, actor_id FROM change_log WHERE scope_id = $1 ORDER BY seq",
            &[scope.as_str().into()],
        )
    })
    .unwrap();
    let actors: Vec<(String, String, Option<String>)> = actors
        .iter()
        .map(|r| (r.text(0).unwrap(), r.text(1).unwrap(), r.opt_text(2).unwrap()))
        .collect();
    assert_eq!(
        actors,
        vec![
            (HELP.to_owned(), "staff".to_owned(), None),
            (id, "staff".to_owned(), Some("kim".to_owned()))
        ],
        "{name}"
    );
    drop((svc, kim, db));
    // Opening again changes nothing.
    let db = open();
    assert_eq!(versions(&*db), (1..=VERSION).collect::<Vec<_>>(), "{name}: opened twice");
}

#[test]
fn migration_1_is_the_frozen_pre_versioning_schema() {
    assert_eq!(MIGRATIONS[0].sqlite.trim(), ddl(SQLITE_V1).trim());
    assert_eq!(MIGRATIONS[0].postgres.trim(), ddl(POSTGRES_V1).trim());
}

#[test]
fn a_pre_versioning_database_with_data_upgrades_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let path = legacy_sqlite(dir.path());
    check_upgraded("sqlite", &|| db::open(&path).unwrap());
    if let Some(pg) = crate::pg::fresh_database() {
        legacy_postgres(&pg.url());
        check_upgraded("postgres", &|| db::open(&pg.url()).unwrap());
    }
}

/// What a database holds, for "nothing was changed": its tables and columns, and its
/// recorded versions.
fn fingerprint_sqlite(path: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name",
        "SELECT version || ' ' || name FROM schema_version ORDER BY version",
    ] {
        let mut st = c.prepare(sql).unwrap();
        let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn fingerprint_postgres(url: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT (table_name || ' ' || column_name || ' ' || data_type)::text FROM information_schema.columns
         WHERE table_schema = current_schema() ORDER BY 1",
        "SELECT version || ' ' || name FROM schema_version ORDER BY version",
    ] {
        out.extend(c.query(sql, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)));
    }
    out
}

const FUTURE: &str = "CREATE TABLE future_only (x TEXT);";

fn future_row() -> String {
    format!(
        "INSERT INTO schema_version (version, name) VALUES ({}, 'from the future');",
        VERSION + 1
    )
}

fn assert_refused(name: &str, r: Result<Arc<dyn Storage>, Error>) {
    let err = r.map(|_| ()).expect_err("a newer database must be refused");
    assert!(
        matches!(err, Error::SchemaTooNew { found, known } if found == VERSION + 1 && known == VERSION),
        "{name}: {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "This database was written by a newer kindred-server (schema {}; this binary knows {VERSION}). Nothing was changed.",
            VERSION + 1
        ),
        "{name}"
    );
}

#[test]
fn a_database_from_a_newer_binary_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3").to_str().unwrap().to_owned();
    drop(db::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&(FUTURE.to_owned() + &future_row()))
        .unwrap();
    let before = fingerprint_sqlite(&path);
    assert_refused("sqlite", db::open(&path));
    assert_eq!(fingerprint_sqlite(&path), before, "sqlite: nothing changed");
    // The binary says so and does not start.
    let key = dir.path().join("k.key");
    let cmd = std::process::Command::new(kindred_tests::sync::server_bin())
        .args(["--database", &path, "--key-file"])
        .arg(&key)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = cmd.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(cmd.wait_with_output().unwrap()));
    let Ok(out) = wait.recv_timeout(std::time::Duration::from_secs(120)) else {
        let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
        panic!("the server started on a newer database");
    };
    let (status, stderr) = (out.status, String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(!status.success());
    assert!(stderr.contains("written by a newer kindred-server"), "{stderr}");
    assert_eq!(fingerprint_sqlite(&path), before, "sqlite: the binary changed nothing either");
    if let Some(pg) = crate::pg::fresh_database() {
        drop(db::open(&pg.url()).unwrap());
        let mut c = postgres::Client::connect(&pg.url(), postgres::NoTls).unwrap();
        c.batch_execute(&(FUTURE.to_owned() + &future_row())).unwrap();
        let before = fingerprint_postgres(&pg.url());
        assert_refused("postgres", db::open(&pg.url()));
        assert_eq!(fingerprint_postgres(&pg.url()), before, "postgres: nothing changed");
    }
}

#[test]
fn a_new_database_starts_at_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::open(dir.path().join("n.sqlite3").to_str().unwrap()).unwrap();
    assert_eq!(versions(&*sqlite), (1..=VERSION).collect::<Vec<_>>());
    if let Some(pg) = crate::pg::fresh_database() {
        let db = db::open(&pg.url()).unwrap();
        assert_eq!(versions(&*db), (1..=VERSION).collect::<Vec<_>>());
    }
}
