//! Builds the Leptos UI without trunk: cargo for wasm32, the pinned wasm-bindgen CLI, npm's
//! wasm-opt, then the static files, into `src-ui/dist`. Skips the post-processing when the
//! wasm did not change. [`build_wasm`] is the same recipe for any CSR crate (P4's hello world).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::setup;
use crate::util::{cargo, root, run, target_dir};

/// A built wasm app: cargo's output (with the name section) and the shipped file.
#[derive(Debug)]
pub struct Built {
    pub cargo_wasm: PathBuf,
    pub shipped_wasm: PathBuf,
}

/// Builds the UI; `release` uses the size-tuned `wasm-release` profile.
pub fn build(release: bool) -> Result<Built> {
    let dist = root().join("src-ui/dist");
    let built = build_wasm("kindred-ui", "kindred_ui", &dist, release)?;
    for (from, to) in [
        ("src-ui/index.html", "index.html"),
        ("src-ui/boot.js", "boot.js"),
        ("assets/app.css", "app.css"),
    ] {
        // Copy only on change: a new mtime would make the shell re-embed the UI.
        let bytes = fs::read(root().join(from)).with_context(|| format!("read {from}"))?;
        if fs::read(dist.join(to)).ok().as_ref() != Some(&bytes) {
            fs::write(dist.join(to), bytes)?;
        }
    }
    let size = fs::metadata(&built.shipped_wasm)?.len();
    eprintln!("xtask: UI in src-ui/dist ({} KB wasm)", size / 1024);
    Ok(built)
}

/// Builds the CSR crate `package` for wasm32 and post-processes it into `dist` as
/// `<out_name>.js` and `<out_name>_bg.wasm` (wasm-bindgen, then wasm-opt -Oz in release).
pub fn build_wasm(package: &str, out_name: &str, dist: &Path, release: bool) -> Result<Built> {
    let profile = if release { "wasm-release" } else { "dev" };
    cargo(&[
        "build",
        "-p",
        package,
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
        "--locked",
    ])?;
    let dir = if release { "wasm-release" } else { "debug" };
    let wasm =
        target_dir().join("wasm32-unknown-unknown").join(dir).join(format!("{package}.wasm"));
    fs::create_dir_all(dist)?;

    let stamp = dist.join(format!(".{out_name}.built-from"));
    let meta = fs::metadata(&wasm).with_context(|| format!("missing {}", wasm.display()))?;
    let id = format!("{profile} {} {:?}", meta.len(), meta.modified()?);
    let out_wasm = dist.join(format!("{out_name}_bg.wasm"));
    if fs::read_to_string(&stamp).ok().as_deref() != Some(id.as_str()) || !out_wasm.exists() {
        run(Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", out_name, "--out-dir"])
            .arg(dist)
            .arg(&wasm))?;
        if release {
            match setup::wasm_opt() {
                Some(opt) => run(Command::new(opt)
                    .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int"])
                    .arg(&out_wasm)
                    .arg("-o")
                    .arg(&out_wasm))?,
                None => eprintln!("xtask: npm not found; {package} built without wasm-opt"),
            }
        }
        fs::write(&stamp, id)?;
    }
    Ok(Built { cargo_wasm: wasm, shipped_wasm: out_wasm })
}
