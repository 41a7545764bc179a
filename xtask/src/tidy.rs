//! Project rules checked without building: module docs, the Tauri security surface
//! (SECURITY.md TA-1, TA-2, TA-4, TA-6, ST-1), the one IPC command list (capability files match
//! it; no hand-kept handler list), the pure-core dependency rule (STYLE.md §2) and the size
//! rule (no non-test source file over [`MAX_LINES`] lines), and calm words (no shaming word
//! and no exclamation mark in the UI's sentences or the notification texts, PRODUCT.md 6).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::util::root;

/// The CSP the shell must ship: SECURITY.md TA-2 plus `'self'` in `connect-src`, which the
/// wasm-bindgen loader needs to fetch the UI's own `.wasm` file (nothing remote).
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ipc: \
http://ipc.localhost; img-src 'self' asset: http://asset.localhost data: blob:; style-src 'self'; \
frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// Crates kindred-core may depend on: pure, wasm-friendly.
/// `sha2` and `base64` (pure, no_std-capable) compute and spell the server key pins.
const CORE_DEPS: &[&str] = &[
    "serde",
    "serde_json",
    "chrono",
    "chrono-tz",
    "uuid",
    "thiserror",
    "proptest",
    "sha2",
    "base64",
];

/// The longest a non-test source file may be (STYLE.md: no source file over ~600 lines).
/// Test files (`tests/it/`, `tests.rs` modules) are exempt.
pub const MAX_LINES: usize = 600;

/// Runs every rule and reports all failures at once.
pub fn check() -> Result<()> {
    let mut problems = Vec::new();
    module_docs(&mut problems)?;
    file_sizes(&mut problems)?;
    capabilities(&mut problems)?;
    command_list(&mut problems)?;
    csp(&mut problems)?;
    ui_rules(&mut problems)?;
    core_deps(&mut problems)?;
    lock_rules(&mut problems)?;
    words(&mut problems)?;
    if problems.is_empty() {
        return Ok(());
    }
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    bail!("{} tidy problem(s)", problems.len())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() && !matches!(name, "target" | "dist" | "gen" | "node_modules") {
            rust_files(&path, out)?;
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn module_docs(problems: &mut Vec<String>) -> Result<()> {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "src-tauri/build.rs", "src-ui/src", "xtask/src", "tests"]
    {
        let p = root().join(dir);
        if p.is_file() {
            files.push(p);
        } else {
            rust_files(&p, &mut files)?;
        }
    }
    for f in files {
        let text = fs::read_to_string(&f)?;
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("{} does not start with a //! module doc", rel(&f)));
        }
    }
    Ok(())
}

fn file_sizes(problems: &mut Vec<String>) -> Result<()> {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "src-ui/src", "xtask/src", "tests/src"] {
        rust_files(&root().join(dir), &mut files)?;
    }
    for f in files {
        let is_test = f.file_name().is_some_and(|n| n == "tests.rs")
            || f.components()
                .any(|c| c.as_os_str() == "tests" && f.starts_with(root().join("crates")));
        if is_test {
            continue;
        }
        let lines = fs::read_to_string(&f)?.lines().count();
        if lines > MAX_LINES {
            problems.push(format!("{} has {lines} lines (at most {MAX_LINES}): split it", rel(&f)));
        }
    }
    Ok(())
}

fn capabilities(problems: &mut Vec<String>) -> Result<()> {
    let dir = root().join("src-tauri/capabilities");
    for entry in fs::read_dir(&dir).context("read capabilities")? {
        let path = entry?.path();
        let text = fs::read_to_string(&path)?;
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for banned in
            ["\"remote\"", "\"windows\":[\"*\"]", "\"fs:", "\"shell:", "\"http:", "dangerous"]
        {
            if compact.contains(banned) {
                problems.push(format!("{} grants {banned}", rel(&path)));
            }
        }
    }
    Ok(())
}

/// Where the one command list lives (`kindred_core::with_commands!`).
const COMMAND_LIST: &str = "crates/kindred-core/src/ipc/mod.rs";

/// The command names in the list, read from its source (xtask has no workspace dependencies):
/// every `name as Marker: Req => Resp;` line inside `macro_rules! with_commands`.
fn listed_commands() -> Result<Vec<String>> {
    let text = fs::read_to_string(root().join(COMMAND_LIST)).context("read the command list")?;
    let start = text.find("macro_rules! with_commands").context("no with_commands! list")?;
    let list = &text[start..];
    let end = list.find("\n}\n").unwrap_or(list.len());
    Ok(list[..end]
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once(" as ")?;
            let is_name =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            (is_name && rest.contains("=>")).then(|| name.to_owned())
        })
        .collect())
}

/// The shell's build script checks the capability files against the list too (and fails the
/// app build); this says the same without building, and keeps handler lists from coming back.
fn command_list(problems: &mut Vec<String>) -> Result<()> {
    let names = listed_commands()?;
    if names.is_empty() {
        problems.push(format!("{COMMAND_LIST}: no commands found in with_commands!"));
    }
    let expected: Vec<String> =
        names.iter().map(|n| format!("\"allow-{}\"", n.replace('_', "-"))).collect();
    let dir = root().join("src-tauri/capabilities");
    for entry in fs::read_dir(&dir).context("read capabilities")? {
        let path = entry?.path();
        let text = fs::read_to_string(&path)?;
        for want in &expected {
            if !text.contains(want.as_str()) {
                problems.push(format!("{} lacks {want} (a command in the list)", rel(&path)));
            }
        }
        for granted in text.split('"').filter(|t| t.starts_with("allow-")) {
            if !expected.contains(&format!("\"{granted}\"")) {
                problems.push(format!("{} grants {granted}, which is no command", rel(&path)));
            }
        }
    }
    let mut files = Vec::new();
    rust_files(&root().join("src-tauri/src"), &mut files)?;
    for f in files {
        let text = fs::read_to_string(&f)?;
        if text.contains("generate_handler!") && !f.ends_with("commands/mod.rs") {
            problems.push(format!(
                "{}: register commands through commands::handler() (generated from the list)",
                rel(&f)
            ));
        }
    }
    Ok(())
}

fn csp(problems: &mut Vec<String>) -> Result<()> {
    let conf = fs::read_to_string(root().join("src-tauri/tauri.conf.json"))?;
    if !conf.contains(&format!("\"csp\": \"{CSP}\"")) {
        problems.push("src-tauri/tauri.conf.json does not carry the required CSP".into());
    }
    if conf.contains("devUrl") || conf.contains("dangerous") {
        problems.push("src-tauri/tauri.conf.json must not set devUrl or dangerous options".into());
    }
    Ok(())
}

fn ui_rules(problems: &mut Vec<String>) -> Result<()> {
    let mut files = Vec::new();
    rust_files(&root().join("src-ui/src"), &mut files)?;
    for f in files {
        let text = fs::read_to_string(&f)?;
        for banned in ["inner_html", "local_storage", "session_storage", "IndexedDb", "<iframe"] {
            if text.contains(banned) {
                problems.push(format!("{} uses {banned} (SECURITY.md ST-1, TA-3, TA-6)", rel(&f)));
            }
        }
    }
    let manifest = fs::read_to_string(root().join("src-ui/Cargo.toml"))?;
    for banned in ["kindred-client", "tauri", "tokio", "reqwest", "regex"] {
        if manifest.lines().any(|l| l.trim_start().starts_with(banned)) {
            problems.push(format!("src-ui depends on {banned} (STYLE.md §2, PERF.md P4)"));
        }
    }
    Ok(())
}

fn core_deps(problems: &mut Vec<String>) -> Result<()> {
    let manifest = fs::read_to_string(root().join("crates/kindred-core/Cargo.toml"))?;
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line.contains("dependencies");
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.']).next().unwrap_or_default().trim();
            if !CORE_DEPS.contains(&name) {
                problems.push(format!("kindred-core depends on {name}: the core stays pure"));
            }
        }
    }
    Ok(())
}

fn lock_rules(problems: &mut Vec<String>) -> Result<()> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))?;
    let mut lines = lock.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix("name = ") else {
            continue;
        };
        let name = name.trim_matches('"');
        let version = lines
            .peek()
            .and_then(|l| l.strip_prefix("version = "))
            .map(|v| v.trim_matches('"').to_owned())
            .unwrap_or_default();
        if name == "tauri-plugin-shell" {
            problems.push("tauri-plugin-shell is banned (CVE-2025-31477)".into());
        }
        if name == "tauri" && version_lt(&version, (2, 11, 1)) {
            problems
                .push(format!("tauri {version} is below the 2.11.1 floor (GHSA-7gmj-67g7-phm9)"));
        }
    }
    Ok(())
}

fn version_lt(v: &str, floor: (u64, u64, u64)) -> bool {
    let mut parts = v.split(['.', '-']).map(|p| p.parse::<u64>().unwrap_or(0));
    let got = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    got < floor
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// Words the app never says to a mentee (PRODUCT.md principle 6), as lowercase substrings.
pub const SHAMING: &[&str] = &[
    "failed",
    "failure",
    "clean",
    "dirty",
    "relapsed again",
    "slipped up",
    "addict",
    "junkie",
    "no excuse",
    "should have",
    "streak broken",
    "ruined",
    "wasted",
    "back to zero",
    "disappoint",
];

/// The files holding every sentence shown to a mentee, and the notification texts.
const WORD_FILES: &[&str] = &["src-ui/src/text.rs", "crates/kindred-core/src/reminders/mod.rs"];

/// The string literals of Rust source `text`, up to its `#[cfg(test)]` module, leaving out
/// `const` lists of words to block (`BLOCKLIST`), with their line numbers.
pub fn literals(text: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    let mut in_list = false;
    let mut current: Option<(usize, String)> = None;
    for (n, line) in code.lines().enumerate() {
        if current.is_none() && line.contains("const BLOCKLIST") {
            in_list = true;
        }
        if in_list {
            in_list = !line.trim_start().starts_with("];");
            continue;
        }
        // Inside a string a line goes on after a line-continuation backslash, minus its indent.
        let line = if current.is_some() { line.trim_start() } else { line };
        let mut continued = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (&mut current, c) {
                (None, '/') if chars.peek() == Some(&'/') => break,
                (None, '\'') => {
                    // A char literal such as '"': skip it whole.
                    let lit: String = chars.clone().take(3).collect();
                    if lit.starts_with("\"'") || lit.starts_with("\\\"'") {
                        chars.next();
                        chars.next();
                    }
                }
                (None, '"') => current = Some((n + 1, String::new())),
                (Some(_), '"') => out.extend(current.take()),
                (Some((_, s)), '\\') => match chars.next() {
                    Some(next) => s.push(next),
                    None => continued = true,
                },
                (Some((_, s)), c) => s.push(c),
                (None, _) => {}
            }
        }
        if let (Some((_, s)), false) = (&mut current, continued) {
            s.push(' ');
        }
    }
    out
}

fn words(problems: &mut Vec<String>) -> Result<()> {
    for f in WORD_FILES {
        let text = fs::read_to_string(root().join(f)).with_context(|| format!("read {f}"))?;
        for (line, lit) in literals(&text) {
            let lower = lit.to_lowercase();
            for w in SHAMING.iter().filter(|w| lower.contains(*w)) {
                problems.push(format!("{f}:{line} says \"{w}\" (PRODUCT.md 6: calm, no blame)"));
            }
            if lit.contains('!') {
                problems.push(format!(
                    "{f}:{line} has an exclamation mark (PRODUCT.md 6: no pressure)"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::literals;

    #[test]
    fn literals_are_read_whole_and_lists_skipped() {
        let src = r#"const A: &str = "one \"two\""; // "not"
const B: &str = "multi \
    line";
pub const BLOCKLIST: &[&str] = &[
    "clean",
];
let q = '"'; let c: &'static str = "after";
#[cfg(test)]
const T: &str = "test only";"#;
        let got: Vec<(usize, String)> = literals(src);
        let texts: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(texts, ["one \"two\"", "multi line", "after"]);
        assert_eq!(got[2].0, 7);
    }
}
