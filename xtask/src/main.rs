//! `cargo xtask`: every project script, in Rust.
//!
//! - `setup` installs what is missing (Debian packages, the wasm target, the wasm-bindgen CLI
//!   pinned to the version in Cargo.lock, tauri-driver, npm's binaryen for wasm-opt);
//! - `ui` builds the Leptos UI into `src-ui/dist` (cargo for wasm32 + wasm-bindgen + wasm-opt);
//! - `build [--release]` builds the UI and the desktop app;
//! - `run [--release]` builds and opens the Kindred window;
//! - `test` (also `ci`) runs every check and test, including the end-to-end tests on the real
//!   window under Xvfb;
//! - `tidy` checks project rules (module docs, capabilities, CSP, banned APIs);
//! - `android-check` type-checks the app for aarch64-linux-android without an NDK;
//! - `icons` regenerates `src-tauri/icons` from `assets/icon.svg` (npm's Tauri CLI);
//! - `soak [seeds]` runs the sync convergence simulation over many seeds (SYNC.md S20);
//! - `bench [P5 ...] [--quick] [--check]` runs the PERF.md benchmarks and writes
//!   `target/bench/<utc-time>.json`, `bench/history.jsonl` and `BENCHMARKS.md`.
//!
//! Every step is idempotent and cheap when nothing changed.

mod bench;
mod gui_bench;
mod p4;
mod pg;
mod setup;
mod tidy;
mod ui;
mod util;
mod wasm_size;

use anyhow::{bail, Result};

use util::{cargo, root, run, target_dir};

fn main() {
    if let Err(e) = real_main() {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let release = args.iter().any(|a| a == "--release");
    match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("ui") => {
            setup::wasm_tools()?;
            ui::build(!args.iter().any(|a| a == "--debug")).map(drop)
        }
        Some("build") => {
            setup::all()?;
            build_app(release)
        }
        Some("run") => run_app(release),
        Some("test" | "ci") => test(),
        Some("soak") => soak(&args[1..]),
        Some("tidy") => tidy::check(),
        Some("android-check") => android_check(),
        Some("icons") => icons(),
        Some("bench") => bench::run_benches(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|ui|build|run|test|tidy|android-check|icons|bench|soak> [--release]\n\
                 run:   build and open the Kindred window\n\
                 test:  every check and test (what CI runs)\n\
                 bench: cargo xtask bench [P5 ...] [--quick] [--check] (PERF.md)"
            );
            bail!("unknown command")
        }
    }
}

/// Path of the built desktop binary.
pub fn app_binary(release: bool) -> std::path::PathBuf {
    target_dir().join(if release { "release" } else { "debug" }).join("kindred-app")
}

fn build_app(release: bool) -> Result<()> {
    ui::build(true)?;
    if release {
        cargo(&["build", "-p", "kindred-app", "--release", "--features", "tauri/custom-protocol"])
    } else {
        cargo(&["build", "-p", "kindred-app"])
    }
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

fn run_app(release: bool) -> Result<()> {
    if !has_display() {
        bail!(
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset); run it under Xvfb: \
             xvfb-run -a cargo xtask run"
        );
    }
    setup::all()?;
    build_app(release)?;
    run(std::process::Command::new(app_binary(release)).current_dir(root()))
}

fn test() -> Result<()> {
    let started = std::time::Instant::now();
    setup::all()?;
    step("rustfmt", || cargo(&["fmt", "--all", "--check"]))?;
    step("tidy", tidy::check)?;
    // The shell embeds the built UI, so clippy and the app build need it first.
    step("ui (wasm32, release)", || ui::build(true).map(drop))?;
    step("clippy", || {
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--locked",
            "--",
            "-D",
            "warnings",
        ])
    })?;
    // The server tests run against a real PostgreSQL too, and spawn the real server binary.
    step("kindred-server binary", || cargo(&["build", "-p", "kindred-server", "--locked"]))?;
    step("PostgreSQL for the server tests", || {
        let url = pg::ensure()?;
        std::env::set_var("KINDRED_TEST_PG", url);
        std::env::set_var("KINDRED_REQUIRE_PG", "1");
        std::env::set_var("KINDRED_SERVER_BIN", target_dir().join("debug").join("kindred-server"));
        Ok(())
    })?;
    step("unit, property, store and sync tests", || cargo(&["test", "--locked"]))?;
    step("kindred-core for wasm32", || {
        cargo(&["check", "-p", "kindred-core", "--target", "wasm32-unknown-unknown", "--locked"])
    })?;
    step("app (debug, production opener)", || cargo(&["check", "-p", "kindred-app", "--locked"]))?;
    // The end-to-end build records tel:/sms:/mailto: links instead of handing them to the OS.
    step("app (debug, e2e build)", || {
        cargo(&["build", "-p", "kindred-app", "--features", "e2e", "--locked"])
    })?;
    step("shell tests", || cargo(&["test", "-p", "kindred-app", "--lib", "--locked"]))?;
    step("android compile check (aarch64-linux-android)", android_check)?;
    step("end-to-end on the real window (Xvfb)", || {
        let mut cmd = std::process::Command::new("xvfb-run");
        cmd.args(["-a", "-s", "-screen 0 1280x1024x24", "cargo", "test", "--locked"])
            .args(["-p", "kindred-tests", "--features", "gui", "--test", "it", "--", "gui"])
            .args(["--test-threads", "1", "--nocapture"])
            .env("KINDRED_APP_BIN", app_binary(false))
            .current_dir(root());
        if let Some(axe) = setup::axe_core() {
            cmd.env("KINDRED_AXE_JS", axe);
        }
        run(&mut cmd)
    })?;
    eprintln!("xtask test: all green in {:.0?}", started.elapsed());
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let t = std::time::Instant::now();
    eprintln!("==> {name}");
    f().map_err(|e| e.context(format!("step failed: {name}")))?;
    eprintln!("<== {name} ({:.1?})", t.elapsed());
    Ok(())
}

/// The long sync sweep (SYNC.md S20): the convergence simulation over many more seeds, on
/// SQLite and PostgreSQL. `cargo xtask soak [seeds]` (default 2000; PostgreSQL a tenth).
fn soak(args: &[String]) -> Result<()> {
    let seeds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let url = pg::ensure()?;
    let mut sqlite = util::cargo_cmd(&[
        "test",
        "--release",
        "-p",
        "kindred-tests",
        "--test",
        "it",
        "--",
        "sync_sim::convergence_sqlite",
    ]);
    sqlite.env("KINDRED_SIM_SEEDS", seeds.to_string());
    run(&mut sqlite)?;
    let mut pg = util::cargo_cmd(&[
        "test",
        "--release",
        "-p",
        "kindred-tests",
        "--test",
        "it",
        "--",
        "sync_sim::convergence_postgres",
    ]);
    pg.env("KINDRED_SIM_SEEDS", (seeds / 10).max(1).to_string())
        .env("KINDRED_TEST_PG", url)
        .env("KINDRED_REQUIRE_PG", "1");
    run(&mut pg)
}

/// Regenerates every app icon from the one neutral source in `assets/`.
fn icons() -> Result<()> {
    let mut cmd = std::process::Command::new("npx");
    cmd.args([
        "--yes",
        "@tauri-apps/cli@2.12.5",
        "icon",
        "assets/icon.svg",
        "-o",
        "src-tauri/icons",
    ])
    .current_dir(root());
    run(&mut cmd)
}

fn android_check() -> Result<()> {
    setup::android()?;
    setup::ensure_ui_dist()?;
    let mut cmd = util::cargo_cmd(&[
        "check",
        "-p",
        "kindred-app",
        "--target",
        "aarch64-linux-android",
        "--locked",
    ]);
    // Warnings in mobile-only code fail the check, as clippy -D warnings does on desktop.
    cmd.env("RUSTFLAGS", "-D warnings");
    cmd.env("CC_aarch64_linux_android", "clang").env(
        "CFLAGS_aarch64_linux_android",
        "--target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu",
    );
    run(&mut cmd)
}
