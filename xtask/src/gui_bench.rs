//! P2 and P3 (PERF.md), the benchmarks of the real window: builds the release app and its
//! hello-world Tauri baseline (`bench/hello-tauri`) in one cargo run, so both get the same
//! Tauri build and release profile, then runs `kindred-gui-bench` under Xvfb in a D-Bus session
//! of its own with an unlocked gnome-keyring as the Secret Service, in a throwaway home folder
//! (the release app keeps its store's key there, as on a desktop; nothing touches the user's
//! own keyring).

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::util::{cargo, root, run, target_dir};
use crate::{setup, ui};

/// Builds what P2 and P3 run (once per bench run, before the first of them).
pub fn build() -> Result<()> {
    setup::gui_bench()?;
    ui::build(true)?;
    // One invocation: hello-tauri turns on tauri's custom-protocol for both (feature
    // unification), the release app's setting.
    cargo(&["build", "--release", "-p", "kindred-app", "-p", "hello-tauri"])?;
    cargo(&[
        "build",
        "--release",
        "-p",
        "kindred-tests",
        "--features",
        "gui",
        "--bin",
        "kindred-gui-bench",
    ])
}

/// Runs `id` (P2 or P3) with `runs` per side; returns its result.
pub fn run_one(id: &str, runs: usize, seed: u64, out: &Path) -> Result<Value> {
    let release = target_dir().join("release");
    let home = fresh_home(id)?;
    // gnome-keyring-daemon --unlock reads the (empty) password on stdin, creates and unlocks
    // the login keyring under $HOME and serves org.freedesktop.secrets on this session's bus.
    let script = "printf '' | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
                  && exec \"$0\" \"$@\"";
    let mut cmd = Command::new("xvfb-run");
    cmd.args(["-a", "-s", "-screen 0 1280x1024x24", "dbus-run-session", "--", "sh", "-c", script])
        .arg(release.join("kindred-gui-bench"))
        .arg(id.to_ascii_lowercase())
        .arg("--hello")
        .arg(release.join("hello-tauri"))
        .args(["--runs", &runs.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(out)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", &home)
        .env("KINDRED_APP_BIN", release.join("kindred-app"))
        .current_dir(root());
    let ran = run(&mut cmd);
    let _ = fs::remove_dir_all(&home);
    ran?;
    let text = fs::read_to_string(out).with_context(|| format!("read {}", out.display()))?;
    let _ = fs::remove_file(out);
    serde_json::from_str(&text).context("gui benchmark output")
}

/// A fresh folder for one run's home (mode 0700, as gnome-keyring wants its runtime folder).
fn fresh_home(id: &str) -> Result<std::path::PathBuf> {
    let dir = target_dir().join("bench").join(format!("home-{id}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join(".local/share"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}
