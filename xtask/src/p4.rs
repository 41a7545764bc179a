//! P4 (PERF.md): the UI's wasm size against a hello-world Leptos CSR app (`bench/hello-leptos`)
//! built in the same run with the same toolchain, profile, wasm-bindgen and wasm-opt. Reports
//! raw, gzip and brotli sizes of both, the brotli ratio, the growth since the last recorded
//! run, and where the UI's code bytes go by crate (from the name section of cargo's output).

use std::fs;

use anyhow::Result;
use serde_json::{json, Value};

use crate::util::{root, target_dir};
use crate::wasm_size::{self, Sizes};
use crate::{setup, ui};

/// PERF.md P4: ≤ 3× hello world (brotli), ≤ 200 KB brotli and ≤ 700 KB raw.
const RATIO_MAX: f64 = 3.0;
const BROTLI_MAX: u64 = 200_000;
const RAW_MAX: u64 = 700_000;
/// A change that grows the brotli wasm by more than this says why in its commit.
const GROWTH_BUDGET: i64 = 5_000;

fn sizes_json(s: Sizes) -> Value {
    json!({"raw": s.raw, "gzip": s.gzip, "brotli": s.brotli})
}

fn kb(n: u64) -> String {
    crate::bench::kb(n as f64)
}

/// The last brotli size of the UI recorded in `bench/history.jsonl`.
fn last_recorded() -> Option<u64> {
    let text = fs::read_to_string(root().join("bench").join("history.jsonl")).ok()?;
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["id"] == "P4")
        .find_map(|e| e["sizes"]["ours"]["brotli"].as_u64())
}

/// Builds both apps, measures them and returns P4's result.
pub fn p4() -> Result<Value> {
    setup::wasm_tools()?;
    let ours = ui::build(true)?;
    let hello_dist = target_dir().join("bench").join("hello-leptos");
    let hello = ui::build_wasm("hello-leptos", "hello_leptos", &hello_dist, true)?;
    let (o, h) = (
        wasm_size::sizes(&fs::read(&ours.shipped_wasm)?)?,
        wasm_size::sizes(&fs::read(&hello.shipped_wasm)?)?,
    );
    let ratio = (o.brotli as f64 / h.brotli as f64 * 1000.0).round() / 1000.0;
    let pass_ratio = ratio <= RATIO_MAX;
    let pass_abs = o.brotli <= BROTLI_MAX && o.raw <= RAW_MAX;

    let code = wasm_size::code(&fs::read(&ours.cargo_wasm)?)?;
    let hello_code = wasm_size::code(&fs::read(&hello.cargo_wasm)?)?;
    let hello_by: std::collections::BTreeMap<String, u64> =
        hello_code.by_crate().into_iter().collect();
    let crates: Vec<Value> = code
        .by_crate()
        .into_iter()
        .take(20)
        .map(|(c, n)| json!({"crate": c, "ours": n, "hello": hello_by.get(&c).copied().unwrap_or(0)}))
        .collect();
    let largest: Vec<Value> =
        code.largest(15).into_iter().map(|(f, n)| json!({"function": f, "bytes": n})).collect();

    let growth = last_recorded().map(|before| o.brotli as i64 - before as i64);
    eprintln!(
        "xtask bench: P4: ours {} raw / {} gzip / {} brotli; hello {} / {} / {}; ratio {ratio}",
        kb(o.raw),
        kb(o.gzip),
        kb(o.brotli),
        kb(h.raw),
        kb(h.gzip),
        kb(h.brotli)
    );
    if let Some(g) = growth {
        let over =
            if g > GROWTH_BUDGET { " — over the 5 KB budget: say why in the commit" } else { "" };
        eprintln!("xtask bench: P4: {g:+} B brotli since the last recorded run{over}");
    }
    eprintln!("xtask bench: P4: code bytes before wasm-opt by crate (ours / hello world):");
    for c in &crates {
        eprintln!("  {:>9} {:>9}  {}", c["ours"], c["hello"], c["crate"].as_str().unwrap_or(""));
    }
    Ok(json!({
        "id": "P4",
        "what": "UI wasm as shipped (wasm-bindgen + wasm-opt -Oz), brotli -q 11",
        "baseline_what": "hello-world Leptos CSR (a counter and a list), same toolchain and wasm-release profile",
        "unit": "bytes",
        "rows": null,
        "runs_per_side": 1,
        "ours": {"median_us": o.brotli, "p95_us": o.brotli},
        "baseline": {"median_us": h.brotli, "p95_us": h.brotli},
        "ratio": ratio,
        "targets": {"ratio_max": RATIO_MAX, "abs_max": BROTLI_MAX, "raw_max": RAW_MAX},
        "pass_ratio": pass_ratio,
        "pass_abs": pass_abs,
        "pass": pass_ratio && pass_abs,
        "plan_warnings": [],
        "sizes": {"ours": sizes_json(o), "baseline": sizes_json(h)},
        "growth_brotli": growth,
        "extra": {"code_before_wasm_opt": code.total, "by_crate": crates, "largest": largest},
    }))
}
