//! `cargo xtask bench [P5 ...] [--quick] [--check]`: the benchmarks of PERF.md.
//!
//! Builds `kindred-bench` (crate kindred-tests) in release, runs each requested benchmark with a
//! fixed seed, writes `target/bench/<utc-time>.json` (machine, OS, CPU, commit, seed and every
//! benchmark's figures), appends one line per benchmark to `bench/history.jsonl` and regenerates
//! `BENCHMARKS.md` from that history: one table per machine (latest figures) and the last five
//! ratios per benchmark. `--quick` is a smoke check (5 runs per side, 20k rows); `--check` fails
//! when a ratio target is missed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::util::{cargo, output, root, run, target_dir};

/// The generator seed, recorded with every result.
const SEED: u64 = 42;
/// Benchmarks this command can run.
const KNOWN: &[&str] = &["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P11", "P12"];
/// Benchmarks of the real window (`gui_bench.rs`), with their own build.
const GUI: &[&str] = &["P2", "P3"];

/// Runs the benchmarks named in `args` (all when none is named).
pub fn run_benches(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let check = args.iter().any(|a| a == "--check");
    if let Some(bad) =
        args.iter().find(|a| a.starts_with("--") && !matches!(a.as_str(), "--quick" | "--check"))
    {
        bail!("unknown flag {bad}; use --quick and/or --check");
    }
    let mut ids: Vec<String> =
        args.iter().filter(|a| !a.starts_with("--")).map(|a| a.to_ascii_uppercase()).collect();
    if ids.is_empty() {
        ids = KNOWN.iter().map(|s| (*s).to_owned()).collect();
    }
    for id in &ids {
        if !KNOWN.contains(&id.as_str()) {
            bail!("benchmark {id} is not implemented yet (available: {})", KNOWN.join(", "));
        }
    }

    // P4 builds its own two wasm apps, P2/P3 the release app; the others run the release
    // bench binaries.
    if ids.iter().any(|id| id != "P4" && !GUI.contains(&id.as_str())) {
        cargo(&[
            "build",
            "--release",
            "-p",
            "kindred-tests",
            "--bin",
            "kindred-bench",
            "--bin",
            "kindred-sync-bench",
        ])?;
    }
    let bin = target_dir().join("release").join("kindred-bench");
    let sync_bin = target_dir().join("release").join("kindred-sync-bench");
    let sync = ids.iter().any(|id| !matches!(id.as_str(), "P1" | "P2" | "P3" | "P4" | "P5"));
    if ids.iter().any(|id| GUI.contains(&id.as_str())) {
        crate::gui_bench::build()?;
    }
    let pg_url = if sync {
        cargo(&["build", "--release", "-p", "kindred-server"])?;
        // P8 also runs on PostgreSQL; a fresh database per run.
        let admin = crate::pg::ensure()?;
        let name = format!("kindred_bench_{}", std::process::id());
        let mut psql = Command::new("psql");
        psql.arg(&admin).args(["-q", "-c", &format!("CREATE DATABASE {name}")]);
        run(&mut psql).ok().map(|()| {
            format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b))
        })
    } else {
        None
    };
    let out_dir = target_dir().join("bench");
    fs::create_dir_all(&out_dir).context("create target/bench")?;

    let (iso, stamp) = utc_now();
    let machine = machine();
    let root_s = root().display().to_string();
    let commit = output("git", &["-C", &root_s, "rev-parse", "--short", "HEAD"])
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let dirty = output("git", &["-C", &root_s, "status", "--porcelain"])
        .is_some_and(|s| !s.trim().is_empty());
    let (rows, runs) = if quick { (20_000, 5) } else { (100_000, 15) };

    let mut results = Vec::new();
    for id in &ids {
        if id == "P4" {
            results.push(crate::p4::p4()?);
            continue;
        }
        let part = out_dir.join(format!("{stamp}-{id}.part.json"));
        if GUI.contains(&id.as_str()) {
            results.push(crate::gui_bench::run_one(id, runs, SEED, &part)?);
            continue;
        }
        let (bin, rows, runs) = match id.as_str() {
            "P5" => (&bin, rows, runs),
            // P6/P7: the 50k-row user scope of PERF.md; P8: request counts scale with runs.
            _ => (&sync_bin, if quick { 10_000 } else { 50_000 }, if quick { 5 } else { 15 }),
        };
        let mut cmd = Command::new(bin);
        if id != "P5" {
            cmd.env("KINDRED_SERVER_BIN", target_dir().join("release").join("kindred-server"));
            if let Some(url) = &pg_url {
                cmd.args(["--pg", url]);
            }
        }
        cmd.arg(id.to_ascii_lowercase())
            .args(["--rows", &rows.to_string(), "--runs", &runs.to_string()])
            .args(["--seed", &SEED.to_string()])
            .arg("--out")
            .arg(&part)
            .arg("--cache")
            .arg(out_dir.join("data"))
            .current_dir(root());
        run(&mut cmd)?;
        let text = fs::read_to_string(&part).with_context(|| format!("read {}", part.display()))?;
        let _ = fs::remove_file(&part);
        match serde_json::from_str::<Value>(&text).context("benchmark output")? {
            Value::Array(list) => results.extend(list),
            one => results.push(one),
        }
    }

    if let Some(url) = &pg_url {
        if let Some((base, name)) = url.rsplit_once('/') {
            let mut psql = Command::new("psql");
            psql.arg(format!("{base}/postgres")).args([
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ]);
            let _ = run(&mut psql);
        }
    }

    let report = json!({
        "time": iso,
        "machine": machine,
        "commit": commit,
        "dirty": dirty,
        "seed": SEED,
        "quick": quick,
        "benchmarks": results,
    });
    let report_path = out_dir.join(format!("{stamp}.json"));
    fs::write(&report_path, serde_json::to_string_pretty(&report)? + "\n")?;

    let history_path = root().join("bench").join("history.jsonl");
    fs::create_dir_all(history_path.parent().expect("bench/"))?;
    let mut history = fs::OpenOptions::new().create(true).append(true).open(&history_path)?;
    for r in &results {
        let mut line = json!({
            "time": iso,
            "host": machine["host"],
            "os": machine["os"],
            "cpu": machine["cpu"],
            "commit": commit,
            "dirty": dirty,
            "id": r["id"],
            "what": r["what"],
            "seed": SEED,
            "rows": r["rows"],
            "runs_per_side": r["runs_per_side"],
            "quick": quick,
            "ours": { "median_us": r["ours"]["median_us"], "p95_us": r["ours"]["p95_us"] },
            "baseline": {
                "median_us": r["baseline"]["median_us"],
                "p95_us": r["baseline"]["p95_us"],
            },
            "ratio": r["ratio"],
            "targets": r["targets"],
            "pass_ratio": r["pass_ratio"],
            "pass_abs": r["pass_abs"],
            "pass": r["pass"],
            "plan_warnings": r["plan_warnings"],
        });
        for key in ["unit", "sizes", "growth_brotli"] {
            if let Some(v) = r.get(key).filter(|v| !v.is_null()) {
                line[key] = v.clone();
            }
        }
        writeln!(history, "{line}")?;
    }
    drop(history);
    write_benchmarks_md()?;

    eprintln!("xtask bench: wrote {}", report_path.display());
    let mut missed = Vec::new();
    for r in &results {
        let id = r["id"].as_str().unwrap_or("?");
        let unit = &r["unit"];
        eprintln!(
            "xtask bench: {id}: ours {} / {}, baseline {} / {} (median / p95), ratio {} — {}",
            fmt_value(&r["ours"]["median_us"], unit),
            fmt_value(&r["ours"]["p95_us"], unit),
            fmt_value(&r["baseline"]["median_us"], unit),
            fmt_value(&r["baseline"]["p95_us"], unit),
            r["ratio"],
            status(r)
        );
        if r["pass_ratio"] != Value::Bool(true) {
            missed.push(id.to_owned());
        }
    }
    if check && !missed.is_empty() {
        bail!("ratio target missed: {}", missed.join(", "));
    }
    Ok(())
}

/// The current UTC time as ISO 8601 and as a file-name stamp.
fn utc_now() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let secs = i64::try_from(secs).unwrap_or(0);
    // Civil from days (H. Hinnant), proleptic Gregorian.
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, min, s) = (rem / 3_600, rem % 3_600 / 60, rem % 60);
    (
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z"),
        format!("{y:04}{m:02}{d:02}T{h:02}{min:02}{s:02}Z"),
    )
}

/// Host name, OS and CPU model of this machine.
fn machine() -> Value {
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| output("hostname", &[]))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let pretty = fs::read_to_string("/etc/os-release").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_owned())
    });
    let kernel = output("uname", &["-sr"]).map(|s| s.trim().to_owned());
    let os = match (pretty, kernel) {
        (Some(p), Some(k)) => format!("{p} ({k})"),
        (Some(p), None) => p,
        (None, Some(k)) => k,
        (None, None) => std::env::consts::OS.to_owned(),
    };
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    json!({ "host": host, "os": os, "cpu": cpu, "cores": cores })
}

/// A size in KB (1,000 bytes), one decimal.
pub(crate) fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1000.0)
}

/// A figure in its unit: microseconds unless the benchmark says `"unit": "bytes"` (P4).
fn fmt_value(v: &Value, unit: &Value) -> String {
    match (unit.as_str(), v.as_f64()) {
        (Some("bytes"), Some(b)) => kb(b),
        _ => fmt_us(v),
    }
}

fn fmt_us(v: &Value) -> String {
    match v.as_f64() {
        Some(us) if us >= 1_000.0 => format!("{:.2} ms", us / 1_000.0),
        Some(us) => format!("{us:.0} µs"),
        None => "—".into(),
    }
}

fn status(r: &Value) -> String {
    if r["pass"] == Value::Bool(true) {
        return "pass".into();
    }
    let mut missed = Vec::new();
    if r["pass_ratio"] == Value::Bool(false) {
        missed.push("ratio");
    }
    if r.get("pass_abs") == Some(&Value::Bool(false)) {
        missed.push("absolute");
    }
    if r["plan_warnings"].as_array().is_some_and(|w| !w.is_empty()) {
        missed.push("plan");
    }
    if missed.is_empty() {
        "fail".into()
    } else {
        format!("fail ({})", missed.join(", "))
    }
}

fn target_text(t: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(r) = t["ratio_max"].as_f64() {
        parts.push(format!("≤ {r}×"));
    }
    if let Some(us) = t["abs_p95_us_max"].as_f64() {
        parts.push(format!("p95 ≤ {}", fmt_us(&json!(us))));
    }
    if let Some(us) = t["abs_p99_us_max"].as_f64() {
        parts.push(format!("p99 ≤ {}", fmt_us(&json!(us))));
    }
    if let Some(note) = t["note"].as_str().filter(|_| parts.is_empty()) {
        parts.push(note.to_owned());
    }
    if let Some(b) = t["abs_max"].as_f64() {
        parts.push(format!("≤ {:.0} KB brotli", b / 1000.0));
    }
    if let Some(b) = t["raw_max"].as_f64() {
        parts.push(format!("≤ {:.0} KB raw", b / 1000.0));
    }
    if let Some(p) = t["plan"].as_str() {
        parts.push(p.to_owned());
    }
    parts.join("; ")
}

/// Rewrites `BENCHMARKS.md` from `bench/history.jsonl`.
fn write_benchmarks_md() -> Result<()> {
    let text = fs::read_to_string(root().join("bench").join("history.jsonl")).unwrap_or_default();
    let entries: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();

    // Latest entry per (machine, benchmark); a full run wins over a later quick one.
    let mut machines: BTreeMap<String, BTreeMap<String, &Value>> = BTreeMap::new();
    for e in &entries {
        let key = format!(
            "{} — {} — {}",
            e["host"].as_str().unwrap_or("?"),
            e["cpu"].as_str().unwrap_or("?"),
            e["os"].as_str().unwrap_or("?")
        );
        let id = e["id"].as_str().unwrap_or("?").to_owned();
        let slot = machines.entry(key).or_default();
        let replace = match slot.get(&id) {
            None => true,
            Some(old) => e["quick"] != Value::Bool(true) || old["quick"] == Value::Bool(true),
        };
        if replace {
            slot.insert(id, e);
        }
    }

    let mut md = String::new();
    md.push_str(
        "# Kindred benchmarks\n\n\
         <!-- Generated by `cargo xtask bench` from bench/history.jsonl; do not edit by hand. -->\n\n\
         Every figure is ours against a baseline measured in the same run on the same machine \
         (PERF.md), alternating A/B. Times are per run: median / p95. The ratio is ours ÷ \
         baseline medians. Absolute targets are meant for reference hardware.\n",
    );
    for (machine, benches) in &machines {
        let _ = write!(md, "\n## {machine}\n\n");
        md.push_str(
            "| id | what | ours median / p95 | baseline median / p95 | ratio | target | pass | run |\n\
             |---|---|---|---|---|---|---|---|\n",
        );
        for (id, e) in benches {
            let data = if e["rows"].is_null() {
                String::new()
            } else {
                format!(
                    ", seed {}, {} rows, {} runs/side",
                    e["seed"], e["rows"], e["runs_per_side"]
                )
            };
            let run = format!(
                "{} `{}`{}{}{data}",
                e["time"].as_str().unwrap_or("?"),
                e["commit"].as_str().unwrap_or("?"),
                if e["dirty"] == Value::Bool(true) { "+dirty" } else { "" },
                if e["quick"] == Value::Bool(true) { " (quick)" } else { "" },
            );
            let _ = writeln!(
                md,
                "| {id} | {} | {} / {} | {} / {} | {} | {} | {} | {run} |",
                e["what"].as_str().unwrap_or(""),
                fmt_value(&e["ours"]["median_us"], &e["unit"]),
                fmt_value(&e["ours"]["p95_us"], &e["unit"]),
                fmt_value(&e["baseline"]["median_us"], &e["unit"]),
                fmt_value(&e["baseline"]["p95_us"], &e["unit"]),
                e["ratio"],
                target_text(&e["targets"]),
                status(e),
            );
        }
        let warnings: Vec<String> = benches
            .iter()
            .flat_map(|(id, e)| {
                e["plan_warnings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(move |w| format!("- {id}: `{w}`"))
            })
            .collect();
        for (id, e) in benches {
            let size = |side: &str| {
                let z = &e["sizes"][side];
                let b = |k: &str| z[k].as_f64().map_or_else(|| "—".to_owned(), kb);
                format!("{} raw, {} gzip, {} brotli", b("raw"), b("gzip"), b("brotli"))
            };
            if e["sizes"].is_object() {
                let _ = writeln!(
                    md,
                    "\n{id} sizes: ours {}; baseline {}.",
                    size("ours"),
                    size("baseline")
                );
            }
        }
        if !warnings.is_empty() {
            md.push_str("\nQuery-plan warnings (a `craving` read outside a covering index):\n\n");
            md.push_str(&warnings.join("\n"));
            md.push('\n');
        }
    }

    md.push_str("\n## Last five ratios\n\nOldest first, from every machine (q = quick run).\n\n");
    md.push_str("| id | ratios |\n|---|---|\n");
    let mut by_id: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for e in &entries {
        by_id.entry(e["id"].as_str().unwrap_or("?")).or_default().push(e);
    }
    for (id, list) in by_id {
        let last: Vec<String> = list
            .iter()
            .rev()
            .take(5)
            .rev()
            .map(|e| {
                format!(
                    "{}{} ({}, {}, `{}`)",
                    e["ratio"],
                    if e["quick"] == Value::Bool(true) { " q" } else { "" },
                    e["host"].as_str().unwrap_or("?"),
                    e["time"].as_str().unwrap_or("?").get(..10).unwrap_or("?"),
                    e["commit"].as_str().unwrap_or("?"),
                )
            })
            .collect();
        let _ = writeln!(md, "| {id} | {} |", last.join(" → "));
    }
    fs::write(root().join("BENCHMARKS.md"), md).context("write BENCHMARKS.md")
}
