//! Installs what the build and tests need, only when it is missing. Nothing here downloads
//! binaries at run time: Debian packages, crates.io and npm only (TOOLCHAIN.md).

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::{output, root, run};

/// Debian packages for Tauri on Linux, the WebDriver end-to-end tests and headless screenshots.
const APT: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus-x11",
    // A real notification daemon and bus for the reminder end-to-end test.
    "dbus",
    "dunst",
    // The mentor's web pages in a real headless browser (MENTOR.md).
    "chromium",
    "chromium-driver",
];

/// Extra Debian packages for the Android compile check (a stand-in C sysroot).
const APT_ANDROID: &[&str] = &["clang", "libc6-dev-arm64-cross"];

/// tauri-driver, pinned.
const TAURI_DRIVER: &str = "2.1.0";
/// npm's binaryen (Debian's wasm-opt 108 breaks current wasm-bindgen output).
const BINARYEN: &str = "132.0.0";
/// npm's axe-core, the accessibility checker the browser tests inject into the mentor pages.
const AXE_CORE: &str = "4.14.1";

/// Everything for `build`, `run` and `test`.
pub fn all() -> Result<()> {
    apt(APT)?;
    wasm_tools()?;
    cargo_tool("tauri-driver", TAURI_DRIVER, true)?;
    if axe_core().is_none() {
        bail!("axe-core {AXE_CORE} could not be installed from npm");
    }
    Ok(())
}

/// Path of npm axe-core's `axe.min.js`, installing it when missing.
pub fn axe_core() -> Option<PathBuf> {
    let dir = tools_dir();
    let js = dir.join("node_modules/axe-core/axe.min.js");
    let pkg = dir.join("node_modules/axe-core/package.json");
    let current = std::fs::read_to_string(&pkg)
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_CORE}\"")));
    if current && js.exists() {
        return Some(js);
    }
    std::fs::create_dir_all(&dir).ok()?;
    eprintln!("xtask: installing axe-core {AXE_CORE} from npm");
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("axe-core@{AXE_CORE}"))
        .status()
        .ok()?;
    (status.success() && js.exists()).then_some(js)
}

/// The wasm target, the pinned wasm-bindgen CLI and wasm-opt.
pub fn wasm_tools() -> Result<()> {
    rustup_target("wasm32-unknown-unknown")?;
    cargo_tool("wasm-bindgen-cli", &wasm_bindgen_version()?, false)?;
    let _ = wasm_opt();
    Ok(())
}

/// Extra Debian packages for the window benchmarks (P2, P3): a Secret Service for the release
/// app's key, as a desktop has (the e2e test build keeps its secrets in a file instead).
const APT_GUI_BENCH: &[&str] = &["gnome-keyring", "dbus"];

/// What `cargo xtask bench P2 P3` needs beyond [`all`].
pub fn gui_bench() -> Result<()> {
    all()?;
    apt(APT_GUI_BENCH)
}

/// What the Android compile check needs.
pub fn android() -> Result<()> {
    apt(APT)?;
    apt(APT_ANDROID)?;
    rustup_target("aarch64-linux-android")
}

/// Builds the UI if `src-ui/dist` is missing (the shell's build embeds it).
pub fn ensure_ui_dist() -> Result<()> {
    if !root().join("src-ui/dist/index.html").exists() {
        wasm_tools()?;
        crate::ui::build(true)?;
    }
    Ok(())
}

fn installed(pkg: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", pkg])
        .is_some_and(|s| s.contains("install ok installed"))
}

fn apt(pkgs: &[&str]) -> Result<()> {
    let missing: Vec<&str> = pkgs.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    let is_root = output("id", &["-u"]).is_some_and(|s| s.trim() == "0");
    let sudo = |args: &[&str]| {
        let mut c = if is_root { Command::new(args[0]) } else { Command::new("sudo") };
        if is_root {
            c.args(&args[1..]);
        } else {
            c.args(args);
        }
        c.env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut sudo(&["apt-get", "update", "-qq"]))?;
    let mut install = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    run(&mut sudo(&install)).context("apt-get install failed")
}

fn rustup_target(target: &str) -> Result<()> {
    let have = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if have.lines().any(|l| l.trim() == target) {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", target]).current_dir(root()))
}

/// The wasm-bindgen version locked in Cargo.lock (the CLI must match it exactly).
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return Ok(v.trim_matches('"').to_owned());
            }
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

/// Installs `krate` at exactly `version` with `cargo install` unless it is already there.
fn cargo_tool(krate: &str, version: &str, locked: bool) -> Result<()> {
    let list = output("cargo", &["install", "--list"]).unwrap_or_default();
    if list.lines().any(|l| l.starts_with(&format!("{krate} v{version}:"))) {
        return Ok(());
    }
    eprintln!("xtask: installing {krate} {version} (cargo install, a few minutes once)");
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)
}

fn tools_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    home.join(".cache/kindred/npm")
}

/// Path of npm binaryen's wasm-opt, installing it when npm is available. `None` without npm:
/// the UI is then built without wasm-opt (bigger, still correct).
pub fn wasm_opt() -> Option<PathBuf> {
    let dir = tools_dir();
    let bin = dir.join("node_modules/.bin/wasm-opt");
    let major = BINARYEN.split('.').next().unwrap_or(BINARYEN);
    let ok = |b: &PathBuf| output(b.to_str()?, &["--version"]).filter(|v| v.contains(major));
    if ok(&bin).is_some() {
        return Some(bin);
    }
    output("npm", &["--version"])?;
    std::fs::create_dir_all(&dir).ok()?;
    eprintln!("xtask: installing binaryen {BINARYEN} from npm (wasm-opt)");
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("binaryen@{BINARYEN}"))
        .status()
        .ok()?;
    (status.success() && ok(&bin).is_some()).then_some(bin)
}
