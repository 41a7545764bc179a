//! HTTPS and key pins with the real server process under a test CA made in the test
//! (SECURITY.md NW-1, NW-2, NW-4): a typed code goes only to the key its server check names,
//! a QR invite's pins are checked from the first byte, an impostor at the phone's server
//! address gets nothing, a rotation to the backup key keeps phones syncing, `http://`, TLS 1.1
//! and plain listeners off loopback are refused, and a hostile server can neither redirect the
//! phone nor flood it with a gzip bomb.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kindred_client::keys::{CredentialStore, MemoryCreds, ACCESS};
use kindred_client::sync::http::HttpTransport;
use kindred_client::sync::tls::{Https, Trust};
use kindred_client::sync::{connect, sync_once, ConnectError, Status, Transport, TransportError};
use kindred_client::Kindred;
use kindred_core::ipc::LogCravingReq;
use kindred_tests::sync::{real_device, ServerProc};
use kindred_tests::tls::{self, CertFiles, HostileServer, TestCa};

struct Site {
    server: ServerProc,
    mentee: String,
    _dir: tempfile::TempDir,
}

fn site_with(tls: Option<CertFiles>, extra: &[&str]) -> Site {
    site_in(tempfile::tempdir().unwrap(), tls, extra)
}

fn site_in(dir: tempfile::TempDir, tls: Option<CertFiles>, extra: &[&str]) -> Site {
    let db = dir.path().join("server.sqlite3");
    let server = ServerProc::start_with(
        &db.to_string_lossy(),
        &dir.path().join("mac.key"),
        0,
        tls,
        extra,
        &[],
    );
    let program = server.staff(&["program", "create", "Riverside"]);
    let mentee = server.staff(&["mentee", "create", "--program", &program, "M-3"]);
    Site { server, mentee, _dir: dir }
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let cert = TestCa::new().server_cert(dir.path(), "server");
    site_in(dir, Some(cert), &[])
}

fn phone() -> (tempfile::TempDir, Mutex<Kindred>, Arc<MemoryCreds>) {
    let dir = tempfile::tempdir().unwrap();
    let k = real_device(dir.path());
    (dir, k, Arc::new(MemoryCreds::default()))
}

fn pins_of(k: &Mutex<Kindred>) -> Vec<String> {
    let e = k.lock().unwrap().enrolment().unwrap().expect("enrolled");
    e.pins.iter().map(ToString::to_string).collect()
}

fn strings(pins: &[kindred_core::sync::pin::Pin]) -> Vec<String> {
    pins.iter().map(ToString::to_string).collect()
}

/// Rebuilds a QR payload with other pins.
fn with_pins(payload: &str, pins: &[String]) -> String {
    let url = reqwest::Url::parse(payload).unwrap();
    let mut out = reqwest::Url::parse("kindred://enrol").unwrap();
    {
        let mut q = out.query_pairs_mut();
        for (k, v) in url.query_pairs().filter(|(k, _)| k != "pin") {
            q.append_pair(&k, &v);
        }
        for p in pins {
            q.append_pair("pin", p);
        }
    }
    out.to_string()
}

fn requests_seen(server: &ServerProc) -> usize {
    std::fs::read_to_string(&server.stderr).unwrap_or_default().matches("request").count()
}

#[test]
fn a_typed_code_goes_only_to_the_key_its_check_names() {
    let real = site();
    let code = real.server.staff(&["invite", "--mentee", &real.mentee]);
    // An impostor (a real kindred-server with a self-signed certificate) at another address.
    let idir = tempfile::tempdir().unwrap();
    let impostor = site_with(Some(tls::self_signed(idir.path(), "impostor")), &[]);
    let (_d, k, creds) = phone();
    let err = connect(&k, &*creds, &impostor.server.url(), &code, "test").unwrap_err();
    assert_eq!(err, ConnectError::Untrusted);
    assert!(err.to_string().contains("didn't send your code"), "{err}");
    assert_eq!(requests_seen(&impostor.server), 0, "the impostor got no request at all");
    assert_eq!(creds.get(ACCESS).unwrap(), None);
    assert_eq!(k.lock().unwrap().enrolment().unwrap(), None);
    // The code was not spent: it still works at the real server, and the phone keeps its pins.
    connect(&k, &*creds, &real.server.url(), &code, "test").unwrap();
    assert_eq!(pins_of(&k), strings(&real.server.pins()));
    let mut t = real.server.transport(creds.clone());
    assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok);
}

#[test]
fn a_qr_invite_is_pinned_from_the_first_byte_and_http_is_refused() {
    let s = site();
    let (code, payload) = s.server.invite(&s.mentee);
    let (_d, k, creds) = phone();
    // A pin that isn't this server's: refused before the code is sent.
    let odir = tempfile::tempdir().unwrap();
    let other = TestCa::new().server_cert(odir.path(), "other").pin.to_string();
    let wrong = with_pins(&payload, &[other]);
    let before = requests_seen(&s.server);
    assert_eq!(connect(&k, &*creds, &wrong, "", "test").unwrap_err(), ConnectError::Untrusted);
    assert_eq!(requests_seen(&s.server), before);
    // http:// is refused with a clear message, typed or in a payload; nothing is sent.
    let plain = s.server.url().replace("https://", "http://");
    for (server, code) in
        [(plain.clone(), code.clone()), (payload.replace("https", "http"), "".into())]
    {
        match connect(&k, &*creds, &server, &code, "test").unwrap_err() {
            ConnectError::BadAddress(m) => assert!(m.contains("must start with https://"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(requests_seen(&s.server), before);
    // The transport and the HTTPS client refuse http:// and a missing pin set outright.
    let pins = s.server.pins();
    assert_eq!(
        HttpTransport::new(&plain, pins.clone(), creds.clone()).err(),
        Some(TransportError::Insecure)
    );
    assert_eq!(
        HttpTransport::new(&s.server.url(), vec![], creds.clone()).err(),
        Some(TransportError::Insecure)
    );
    let https = Https::new(Trust::Pins(pins)).unwrap();
    let got = https.send(https.client.get(format!("{plain}/healthz"))).unwrap_err();
    assert_eq!(got, TransportError::Insecure);
    // The real payload connects, with its pins kept.
    connect(&k, &*creds, &payload, "", "test").unwrap();
    assert_eq!(pins_of(&k), strings(&s.server.pins()));
}

#[test]
fn a_pinned_phone_sends_nothing_to_an_impostor_at_its_servers_address() {
    let mut s = site();
    let (_d, k, creds) = phone();
    s.server.enrol(&s.mentee, &k, &*creds);
    let mut t = s.server.transport(creds.clone());
    assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok);
    k.lock().unwrap().log_craving(LogCravingReq { intensity: 7 }).unwrap();
    // The real server goes away; an impostor takes its port.
    let port = s.server.port;
    s.server.kill9();
    let idir = tempfile::tempdir().unwrap();
    let fake = tls::self_signed(idir.path(), "fake");
    let db = idir.path().join("fake.sqlite3");
    let mut impostor = ServerProc::start_with(
        &db.to_string_lossy(),
        &idir.path().join("mac.key"),
        port,
        Some(fake),
        &[],
        &[],
    );
    let report = sync_once(&k, &mut t, true).unwrap();
    assert_eq!(report.status, Status::Untrusted);
    assert_eq!(report.pushed, 0);
    let view = k.lock().unwrap().sync_view().unwrap();
    assert_eq!(view.pending, 1, "the craving waits on the phone");
    assert!(view.status.message().unwrap().contains("sent nothing"));
    assert_eq!(requests_seen(&impostor), 0);
    impostor.kill9();
    // The real server is back: the phone syncs the craving.
    s.server.restart();
    let report = sync_once(&k, &mut t, true).unwrap();
    assert_eq!((report.status, report.pushed), (Status::Ok, 1));
}

/// Waits until the server at `url` presents the key of `pin`.
fn wait_for_key(url: &str, pin: kindred_core::sync::pin::Pin) {
    let https = Https::new(Trust::Pins(vec![pin])).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while https.send(https.client.get(format!("{url}/healthz"))).is_err() {
        assert!(Instant::now() < deadline, "the server never presented the new key");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_rotation_to_the_backup_key_keeps_phones_syncing_and_brings_the_next_pin() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let (a, b, c) = (
        ca.server_cert(dir.path(), "a"),
        ca.server_cert(dir.path(), "b"),
        ca.server_cert(dir.path(), "c"),
    );
    let pin_b = b.pin.to_string();
    let mut s = site_with(Some(a.clone()), &["--tls-backup-pin", &pin_b]);
    let (_d, k, creds) = phone();
    s.server.enrol(&s.mentee, &k, &*creds);
    assert_eq!(pins_of(&k), strings(&[a.pin, b.pin]));
    let mut t = s.server.transport(creds.clone());
    assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok);
    // The certificate files are replaced with the backup key's and the server told (SIGHUP).
    std::fs::copy(&b.cert, &a.cert).unwrap();
    std::fs::copy(&b.key, &a.key).unwrap();
    s.server.signal("HUP");
    wait_for_key(&s.server.url(), b.pin);
    k.lock().unwrap().log_craving(LogCravingReq { intensity: 3 }).unwrap();
    let report = sync_once(&k, &mut t, true).unwrap();
    assert_eq!((report.status, report.pushed), (Status::Ok, 1));
    // Restarted with the next spare key's pin: a new connection's hello brings [b, c].
    let pin_c = c.pin.to_string();
    s.server.restart_with(Some(a.clone()), &["--tls-backup-pin", &pin_c]);
    let mut t = HttpTransport::new(&s.server.url(), vec![a.pin, b.pin], creds.clone()).unwrap();
    assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok);
    assert_eq!(pins_of(&k), strings(&[b.pin, c.pin]));
    // A set that leaves out the key of the connection is never adopted.
    assert_eq!(t.adopt_pins(&[c.pin.to_string()]), None);
}

/// A TLS 1.1 ClientHello (no extensions, two cipher suites).
fn tls11_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02];
    body.extend([0u8; 32]);
    body.extend([0x00, 0x00, 0x04, 0xc0, 0x13, 0x00, 0x2f, 0x01, 0x00]);
    let mut hs = vec![0x01, 0x00, 0x00, body.len() as u8];
    hs.extend(body);
    let mut rec = vec![0x16, 0x03, 0x01, 0x00, hs.len() as u8];
    rec.extend(hs);
    rec
}

#[test]
fn tls_1_1_and_plain_listeners_off_loopback_are_refused() {
    let s = site();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", s.server.port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(&tls11_client_hello()).unwrap();
    let mut answer = [0u8; 7];
    tcp.read_exact(&mut answer).unwrap();
    assert_eq!(answer[0], 0x15, "an alert, not a ServerHello: {answer:?}");
    assert!(matches!(answer[6], 70 | 40), "protocol_version or handshake_failure: {answer:?}");
    // A plain listener is refused off loopback, and allowed on it (a TLS proxy on the host).
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plain.sqlite3").to_string_lossy().into_owned();
    let out = ServerProc::try_start(&db, &dir.path().join("k"), "0.0.0.0:0", None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Refusing plain HTTP") && err.contains("--tls-cert"), "{err}");
    let plain = site_with(None, &[]);
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", plain.server.port)).unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    tcp.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[test]
fn a_hostile_server_can_neither_redirect_the_phone_nor_flood_it() {
    let dir = tempfile::tempdir().unwrap();
    let cert = TestCa::new().server_cert(dir.path(), "hostile");
    let creds = Arc::new(MemoryCreds::default());
    creds.set(ACCESS, "ka_x").unwrap();
    let redirect = HostileServer::start(
        &cert,
        b"HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    );
    let mut t = HttpTransport::new(&redirect.url(), vec![cert.pin], creds.clone()).unwrap();
    match t.hello() {
        Err(TransportError::Http { status: 302, .. }) => {}
        other => panic!("a redirect is not followed: {other:?}"),
    }
    // 64 MiB of zeros in ~64 KiB of gzip.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let gz = enc.finish().unwrap();
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\
         Content-Length: {}\r\n\r\n",
        gz.len()
    )
    .into_bytes();
    answer.extend(gz);
    let bomb = HostileServer::start(&cert, answer);
    let mut t = HttpTransport::new(&bomb.url(), vec![cert.pin], creds).unwrap();
    let started = Instant::now();
    assert_eq!(t.hello().unwrap_err(), TransportError::Network("the answer was too large".into()));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn postgres_connections_are_verified_with_sslmode_verify_full() {
    let Some(pg) = crate::pg::fresh_database() else { return };
    let url = pg.url();
    let with = |host: &str, root: &str| {
        let u = url.replacen("@127.0.0.1", &format!("@{host}"), 1);
        format!("{u}?sslmode=verify-full&sslrootcert={root}")
    };
    // A CA that did not sign the database's certificate is refused, as is no CA file at all.
    let dir = tempfile::tempdir().unwrap();
    let other = TestCa::new().server_cert(dir.path(), "other");
    let err = kindred_server::db::open(&with("localhost", &other.cert.to_string_lossy()));
    assert!(err.is_err(), "an unknown CA is refused");
    let err = kindred_server::db::open(&format!("{url}?sslmode=verify-full")).err().unwrap();
    assert!(err.to_string().contains("sslrootcert"), "{err}");
    assert!(kindred_server::db::open(&format!("{url}?sslmode=verify-ca")).is_err());
    // Where the database serves its (Debian) snakeoil certificate for "localhost", that file as
    // the CA verifies, and the wrong host name does not.
    let snakeoil = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let ssl: String = c.query_one("SHOW ssl", &[]).unwrap().get(0);
    let cert: String = c.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0);
    if ssl != "on" || cert != snakeoil || !std::path::Path::new(snakeoil).exists() {
        eprintln!("PostgreSQL serves no snakeoil certificate here; the positive case is skipped");
        return;
    }
    let db = kindred_server::db::open(&with("localhost", snakeoil)).expect("verified TLS");
    drop(db);
    assert!(kindred_server::db::open(&with("127.0.0.1", snakeoil)).is_err(), "name mismatch");
}

#[test]
fn a_client_trickling_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let cert = ca.server_cert(dir.path(), "slow");
    let s = site_in(dir, Some(cert), &["--request-timeout-secs", "2"]);
    let tcp = std::net::TcpStream::connect(("127.0.0.1", s.server.port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(ca.client_config(), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // Half a request, then nothing: the server closes the connection after the timeout.
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = tls.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(15), "{waited:?}");
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"), "no answer to half a request");
    // Whole requests are still served.
    let ok = s.server.client().get(format!("{}/healthz", s.server.url())).send().unwrap();
    assert_eq!(ok.status(), 200);
}
