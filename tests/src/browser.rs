//! A real headless Chromium (Debian's `chromium` and `chromedriver`) for the mentor's web
//! pages: phone-size (390×844), trusting only the test server's key (its SPKI pin, no CA),
//! a fresh profile each time; screenshots to [`crate::gui::SCREENSHOT_DIR`] and axe-core
//! checks (npm's `axe.min.js`, `KINDRED_AXE_JS`, installed by `cargo xtask test`).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// One browser session.
pub struct Browser {
    driver: Child,
    pub client: Client,
    _profile: tempfile::TempDir,
}

fn axe_js() -> PathBuf {
    std::env::var_os("KINDRED_AXE_JS").map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        home.join(".cache/kindred/npm/node_modules/axe-core/axe.min.js")
    })
}

impl Browser {
    /// Starts chromedriver and a phone-size Chromium that trusts the key with `pin`
    /// (`sha256/<base64>`).
    pub async fn launch(pin: &str) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (cargo xtask test installs Debian's chromium-driver)");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let spki = pin.strip_prefix("sha256/").unwrap_or(pin);
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=390,844", "--force-device-scale-factor=1",
                    format!("--ignore-certificate-errors-spki-list={spki}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0 } },
            }),
        );
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("rustls client")
            .capabilities(caps)
            .connect(&format!("http://{addr}"))
            .await
            .expect("WebDriver session on Chromium");
        Browser { driver, client, _profile: profile }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Waits up to 10 s for `css`.
    pub async fn wait(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                return e;
            }
            if Instant::now() > deadline {
                let html = self.client.source().await.unwrap_or_default();
                let body: String =
                    html.chars().skip(html.find("<main").unwrap_or(0)).take(1500).collect();
                panic!("{css} did not appear on {}: {body}", self.url().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to 10 s until the page's address contains `part` (the next page loaded).
    pub async fn wait_url(&self, part: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.url().await.contains(part) {
            assert!(Instant::now() < deadline, "{} never held {part}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens a mentor's set-up link; answers the authenticator key it shows.
    pub async fn open_setup(&self, link: &str) -> String {
        self.goto(link).await;
        self.wait("#password").await;
        crate::mentor::setup_key(&self.html().await)
    }

    /// Completes the open set-up page with `password` and the current code for `key`, and
    /// waits for the caseload.
    pub async fn finish_setup(&self, key: &str, password: &str) {
        self.fill("#password", password).await;
        self.fill("#again", password).await;
        self.fill("#code", &crate::mentor::totp(key, 0)).await;
        self.click("button.primary").await;
        self.wait("ul.cards").await;
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.wait(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Clicks `css` (a form's button: the page then loads).
    pub async fn click(&self, css: &str) {
        self.wait(css).await.click().await.unwrap();
    }

    pub async fn html(&self) -> String {
        self.client.source().await.unwrap()
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// Saves a screenshot as `<name>.png` in the screenshot folder; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let root =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(crate::gui::SCREENSHOT_DIR);
        std::fs::create_dir_all(&root).unwrap();
        let path = root.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// axe-core's violations on the page ([`axe`]).
    pub async fn axe(&self) -> Vec<String> {
        axe(&self.client).await
    }

    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// axe-core's violations on the session's page (WCAG 2.0, 2.1 and 2.2 A and AA, and best
/// practice), as `rule: nodes` lines; empty when there are none.
pub async fn axe(client: &Client) -> Vec<String> {
    let path = axe_js();
    let src = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} (cargo xtask test installs axe-core): {e}", path.display()));
    client.execute(&src, vec![]).await.expect("inject axe-core");
    let r = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                           'best-practice'] })
               .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.length + ' ' +
                   v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    serde_json::from_value(r).unwrap_or_default()
}
