//! What the independent hostile client found, each fixed and checked here against the real
//! server process on both backends, which must answer alike: a NUL in a pushed record id (in
//! a batch with valid changes) or in the app version, a value nested past what a phone can
//! pull, a broken gzip body, 405/415/408 answers without the JSON body, and SIGTERM on
//! PostgreSQL ending in a panic.

use std::io::{Read, Write};
use std::time::Duration;

use kindred_client::keys::{CredentialStore, MemoryCreds, ACCESS};
use kindred_client::sync::{sync_once, Status};
use kindred_tests::sync::{real_device, ServerProc};
use serde_json::{json, Value};

/// `(status, body)` of every answer, compared across backends.
type Answers = Vec<(String, u16, Value)>;

fn id(n: u128) -> String {
    uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n).to_string()
}

fn craving(n: u128, triggers: Value) -> Value {
    json!({"change_id": id(1000 + n), "entity": "craving", "entity_version": 1, "record_id": id(n),
           "op": "create", "cl": 1, "hlc": 1, "base_row_seq": null,
           "fields": {"started_at": 1_700_000_000_000i64, "tz": "UTC", "intensity": 4,
                      "triggers": triggers, "tags": [], "coping": []}})
}

fn nested(depth: usize) -> Value {
    (0..depth).fold(json!("x"), |v, _| json!([v]))
}

/// Runs every hostile request against one backend; what came back.
fn hostile(name: &str, database: &str, dir: &std::path::Path) -> Answers {
    let key = dir.join(format!("mac-{name}"));
    let mut server = ServerProc::start(database, &key, 0, &["--request-timeout-secs", "2"]);
    let program = server.staff(&["program", "create", "P"]);
    let mentee = server.staff(&["mentee", "create", "--program", &program, "M-1"]);
    let pdir = tempfile::tempdir().unwrap();
    let k = real_device(pdir.path());
    let creds = std::sync::Arc::new(MemoryCreds::default());
    server.enrol(&mentee, &k, &*creds);
    let token = creds.get(ACCESS).unwrap().unwrap();
    let device = k.lock().unwrap().device_id().unwrap();
    let http = server.client();
    let url = |p: &str| format!("{}{p}", server.url());
    let epoch: Value =
        http.get(url("/sync/v1/hello")).bearer_auth(&token).send().unwrap().json().unwrap();
    let epoch = epoch["epoch"].as_str().unwrap().to_owned();
    let mut out = Answers::new();
    let mut note = |what: &str, r: reqwest::blocking::Response| {
        let status = r.status().as_u16();
        let json = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let body: Value = r.json().unwrap_or(Value::Null);
        if status >= 400 {
            assert!(
                json && body["error"].is_string() && body["message"].is_string(),
                "{name} {what}: {status} {body}"
            );
        }
        out.push((what.to_owned(), status, body));
    };
    // A NUL in a record id, beside valid changes: refused alone, the others applied.
    let mut bad = craving(1, json!([]));
    bad["record_id"] = json!("0190\u{0}bad");
    let batch = json!({"device_id": device, "epoch": epoch,
                       "changes": [craving(2, json!([])), bad, craving(3, json!([]))]});
    let push = |body: &Value| {
        http.post(url("/sync/v1/push")).bearer_auth(&token).json(body).send().unwrap()
    };
    note("nul record id", push(&batch));
    // Shapes a phone couldn't read: a nested list, an object nested past the cap.
    let contact = |n: u128, hours: Value| {
        json!({"change_id": id(1000 + n), "entity": "mentor_contact", "entity_version": 1,
               "record_id": id(n), "op": "create", "cl": 1, "hlc": 1, "base_row_seq": null,
               "fields": {"role": "backup", "name": "Sam", "hours": hours}})
    };
    let deep_object = (0..5).fold(json!("x"), |v, _| json!({"a": v}));
    let deep = json!({"device_id": device, "epoch": epoch,
                      "changes": [craving(4, json!(["hungry", "a_trigger_from_the_future"])),
                                  craving(5, nested(3)),
                                  contact(6, deep_object)]});
    note("nesting", push(&deep));
    // A NUL in the app version at enrolment.
    let code = server.staff(&["invite", "--mentee", &mentee]);
    let secret = kindred_core::sync::pin::split_typed(&code).unwrap().0;
    let enrol = json!({"code": secret, "device_id": id(77), "app_version": "1.0\u{0}"});
    note("nul app version", http.post(url("/enrol/v1")).json(&enrol).send().unwrap());
    // A broken gzip body.
    let r = http
        .post(url("/sync/v1/push"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(vec![0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02])
        .send()
        .unwrap();
    note("broken gzip", r);
    // Wrong method, unknown encoding.
    note("405", http.get(url("/sync/v1/push")).bearer_auth(&token).send().unwrap());
    let r = http
        .post(url("/sync/v1/push"))
        .bearer_auth(&token)
        .header("content-encoding", "compress")
        .body("{}")
        .send()
        .unwrap();
    note("415", r);
    // A body that stops arriving: 408 with the JSON body.
    let (st, body) = stalled_push(database, &key, &token);
    assert!(body["error"].is_string(), "{name}: 408 body {body}");
    out.push(("408".into(), st, body));
    // The phone pulls what the server accepted.
    let mut t = server.transport(creds.clone());
    assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok, "{name}: pullable");
    // A trigger this app doesn't know is left out of the view, not an error.
    let c = k.lock().unwrap().craving_detail(kindred_core::ipc::CravingRef { id: id(4) });
    let c = c.unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(c.triggers, vec![kindred_core::model::craving::Trigger::Hungry], "{name}");
    // SIGTERM: a clean exit.
    server.signal("TERM");
    let status = server.wait().expect("exit status");
    assert!(status.success(), "{name}: SIGTERM exit {status:?}");
    let log = std::fs::read_to_string(&server.stderr).unwrap();
    assert!(!log.contains("panicked"), "{name}: {log}");
    out
}

/// Sends a push whose body never finishes to a plain loopback listener of the same server (a
/// TLS proxy's view) with a 2 s request timeout; the status line and the body.
fn stalled_push(database: &str, key: &std::path::Path, token: &str) -> (u16, Value) {
    let plain =
        ServerProc::start_with(database, key, 0, None, &["--request-timeout-secs", "2"], &[]);
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", plain.port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        tcp,
        "POST /sync/v1/push HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"device_id\":"
    )
    .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\"message\"") {
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.find("{").map_or(Value::Null, |i| {
        serde_json::from_str(text[i..].trim_end_matches(|c| c != '}')).unwrap_or(Value::Null)
    });
    (status, body)
}

#[test]
fn hostile_inputs_are_refused_alike_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let answers = hostile(name, &database, dir.path());
        let get = |what: &str| answers.iter().find(|(w, ..)| w == what).cloned().unwrap();
        let (_, st, body) = get("nul record id");
        assert_eq!(st, 200, "{name}: {body}");
        let outcomes: Vec<_> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["outcome"].clone(), r["code"].clone()))
            .collect();
        assert_eq!(outcomes[0].0, "applied", "{name}: {outcomes:?}");
        assert_eq!(outcomes[1], (json!("rejected"), json!("bad_id")), "{name}");
        assert_eq!(outcomes[2].0, "applied", "{name}");
        let (_, st, body) = get("nesting");
        assert_eq!(st, 200);
        assert_eq!(body["results"][0]["outcome"], "applied", "{name}: {body}");
        assert_eq!(body["results"][1]["code"], "wrong_type", "{name}: {body}");
        assert_eq!(body["results"][2]["code"], "too_long", "{name}: {body}");
        let code = |what: &str| {
            let (_, st, b) = get(what);
            (st, b["error"].as_str().unwrap_or_default().to_owned())
        };
        assert_eq!(code("nul app version"), (400, "bad_app_version".into()), "{name}");
        assert_eq!(code("broken gzip"), (400, "bad_encoding".into()), "{name}");
        assert_eq!(code("405"), (405, "method_not_allowed".into()), "{name}");
        assert_eq!(code("415"), (415, "unsupported_media_type".into()), "{name}");
        assert_eq!(code("408"), (408, "timeout".into()), "{name}");
        // Server-minted parts (hlc, seq) differ; statuses and codes must not.
        all.push(
            answers
                .into_iter()
                .map(|(w, st, b)| {
                    (
                        w,
                        st,
                        b["error"].clone(),
                        b["results"]
                            .as_array()
                            .map(|r| r.iter().map(|x| x["code"].clone()).collect::<Vec<_>>()),
                    )
                })
                .collect::<Vec<_>>(),
        );
    }
    if all.len() == 2 {
        assert_eq!(all[0], all[1], "SQLite and PostgreSQL answer alike");
    }
}

#[test]
fn depth_is_counted_without_recursion() {
    assert_eq!(kindred_core::entity::depth(&nested(1000)), 1000);
    assert_eq!(kindred_core::entity::depth(&json!({"a": [1, {"b": []}]})), 3);
    assert_eq!(kindred_core::entity::depth(&json!(5)), 0);
}
