//! The real Kindred window under WebDriver: tauri-driver in front of Debian's WebKitWebDriver,
//! the debug app binary, a data folder of the test's own (`KINDRED_DATA_DIR`); and a real
//! program server process ([`ProgramServer`]) for the sync flows.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Where end-to-end screenshots are saved, relative to the workspace root.
pub const SCREENSHOT_DIR: &str = "artifacts/screenshots";

/// The app binary under test (`KINDRED_APP_BIN`, set by `cargo xtask test`).
pub fn app_binary() -> PathBuf {
    std::env::var_os("KINDRED_APP_BIN")
        .map(PathBuf::from)
        .expect("KINDRED_APP_BIN must name the built kindred-app (cargo xtask test sets it)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One running app with its WebDriver session.
pub struct App {
    driver: Child,
    pub client: Client,
    /// Milliseconds from session request to the first paint of `wait_for`'s selector.
    pub started_in: Duration,
}

impl App {
    /// Launches the app on `data_dir` and waits until `ready` (a CSS selector) is shown.
    pub async fn launch(data_dir: &Path, ready: &str) -> App {
        Self::launch_with(data_dir, ready, &[]).await
    }

    /// Like [`App::launch`], with extra environment variables for the app.
    pub async fn launch_with(data_dir: &Path, ready: &str, env: &[(&str, &Path)]) -> App {
        let port = free_port();
        let native = free_port();
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("KINDRED_DATA_DIR", data_dir)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("start tauri-driver (cargo xtask setup installs it)");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app_binary().to_string_lossy() }),
        );
        let t = Instant::now();
        // fantoccini's rustls and ours build with different crypto providers: name one (ring,
        // the app's) for the WebDriver client. The app itself passes its provider explicitly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("rustls client")
            .capabilities(caps)
            .connect(&format!("http://{addr}"))
            .await
            .expect("WebDriver session on the app");
        let mut app = App { driver, client, started_in: Duration::ZERO };
        app.wait(ready).await;
        app.started_in = t.elapsed();
        app
    }

    /// Waits up to 15 s for an element.
    pub async fn wait(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(el) => el,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let source = self.client.source().await.unwrap_or_default();
                let head: String = source.chars().take(3000).collect();
                panic!("element {css} did not appear: {e}\nurl: {url:?}\npage: {head}")
            }
        }
    }

    /// Text of the first element matching `css`, once it appears.
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.expect("element text")
    }

    /// Waits until the element's text satisfies `pred`, returning it.
    pub async fn text_until(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let t = self.text(css).await;
            if pred(&t) || Instant::now() > deadline {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the first element matching `css`. When the driver's own scrolling leaves it under
    /// the fixed header or bottom bar (WebKitWebDriver ignores `scroll-padding`), it is scrolled
    /// to the middle of the window and clicked again, as a person would scroll to it.
    pub async fn click(&self, css: &str) {
        let el = self.wait(css).await;
        if el.clone().click().await.is_ok() {
            return;
        }
        let arg = serde_json::to_value(&el).expect("element as json");
        self.client
            .execute("arguments[0].scrollIntoView({ block: 'center' });", vec![arg])
            .await
            .expect("scroll into view");
        el.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Goes to a destination by its `data-test="nav-<name>"` link: in the bottom bar, or on
    /// the "More" page when it is not in the bar.
    pub async fn nav(&self, name: &str) {
        let css = format!("[data-test=nav-{name}]");
        if self.count(&css).await == 0 {
            self.click("[data-test=nav-more]").await;
        }
        self.click(&css).await;
    }

    /// Types into a text field.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait(css).await.send_keys(text).await.expect("send keys");
    }

    /// Sets an input's value the way a date picker would, firing `input` and `change`.
    pub async fn set_value(&self, css: &str, value: &str) {
        let el = self.wait(css).await;
        let arg = serde_json::to_value(&el).expect("element as json");
        self.client
            .execute(
                "const [el, v] = arguments; el.value = v; \
                 el.dispatchEvent(new Event('input', { bubbles: true })); \
                 el.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![arg, json!(value)],
            )
            .await
            .expect("set value");
    }

    /// Number of elements matching `css` right now.
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// Saves a PNG of the window at `width`×`height` to [`SCREENSHOT_DIR`]/`name`.
    pub async fn screenshot(&self, name: &str, width: u32, height: u32) -> PathBuf {
        self.client.set_window_size(width, height).await.expect("resize window");
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
        let dir = root.join(SCREENSHOT_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }

    /// axe-core's violations on the window's page ([`crate::browser::axe`]).
    pub async fn axe(&self) -> Vec<String> {
        crate::browser::axe(&self.client).await
    }

    /// Ends the session (the app quits) and stops the driver.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for App {
    // Also runs when a test panics, so no driver (or app) outlives its test.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The program server binary: `KINDRED_SERVER_BIN`, else `kindred-server` next to the test
/// binary's folder (`target/debug`), else under `CARGO_TARGET_DIR` or the workspace `target`.
pub fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("KINDRED_SERVER_BIN") {
        return PathBuf::from(p);
    }
    let beside_deps = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("kindred-server")));
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("target")
    });
    beside_deps
        .into_iter()
        .chain([target.join("debug").join("kindred-server")])
        .find(|p| p.is_file())
        .expect("kindred-server must be built first (cargo build -p kindred-server)")
}

/// A real `kindred-server` on 127.0.0.1 over TLS (a certificate from a test CA made here) with
/// a SQLite file of its own; staff commands run against the same file. Killed on drop.
pub struct ProgramServer {
    child: Child,
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    tls: crate::tls::CertFiles,
    /// The server's SQLite file.
    pub db: PathBuf,
    _dir: tempfile::TempDir,
}

impl ProgramServer {
    /// Starts `serve --listen 127.0.0.1:0` and waits for its "listening on" line.
    pub fn start() -> ProgramServer {
        use std::io::{BufRead, BufReader};
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("server.sqlite3");
        let tls = crate::tls::TestCa::new().server_cert(dir.path(), "server");
        let mut child = Command::new(server_binary())
            .arg("--database")
            .arg(&db)
            .args(tls.args())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("KINDRED_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start kindred-server");
        let mut out = BufReader::new(child.stdout.take().expect("server stdout"));
        let mut line = String::new();
        let url = loop {
            line.clear();
            let n = out.read_line(&mut line).expect("read server stdout");
            assert!(n > 0, "kindred-server exited before listening");
            if let Some(a) = line.trim().strip_prefix("listening on ") {
                break a.to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        ProgramServer { child, url, db, tls, _dir: dir }
    }

    /// Runs a staff command on the server's database; returns its trimmed standard output.
    pub fn staff(&self, args: &[&str]) -> String {
        let out = Command::new(server_binary())
            .arg("--database")
            .arg(&self.db)
            .args(self.tls.args())
            .args(args)
            .env("KINDRED_LOG", "error")
            .output()
            .expect("run kindred-server");
        assert!(
            out.status.success(),
            "kindred-server {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// The pin (`sha256/<base64>`) of the server's key.
    pub fn pin(&self) -> String {
        self.tls.pin.to_string()
    }

    /// Live records of `entity` in the server's database.
    pub fn records(&self, entity: &str) -> i64 {
        let db = rusqlite::Connection::open(&self.db).unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        db.query_row(
            "SELECT count(*) FROM record WHERE entity = ?1 AND cl % 2 = 1",
            [entity],
            |r| r.get(0),
        )
        .unwrap()
    }
}

impl Drop for ProgramServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
