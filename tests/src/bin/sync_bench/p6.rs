//! P6 (PERF.md), initial sync of the seeded user scope: a fresh device's `sync_once` against
//! raw gzip GETs of the same pages plus one bare transaction of inserts, alternating; also the
//! same sync in protocol 1, the apply alone without the network, and the bytes per row on the
//! wire in both protocols.

use kindred_core::sync::compact;

use super::*;

/// Bytes per row of a whole scope on the wire in protocols 1 and 2: the JSON bodies, and
/// their gzip at level 6 (what the server's compression layer sends), per entity.
fn wire_sizes(raw: &Raw, scope: &str) -> Value {
    let mut out = serde_json::Map::new();
    for version in [1u32, 2] {
        let (mut after, mut json_bytes, mut gzip_bytes) = (0, 0usize, 0usize);
        let mut per_entity: std::collections::BTreeMap<String, (usize, usize, usize)> =
            Default::default();
        loop {
            let (body, page) = raw.page(version, scope, after, 1000);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            std::io::Write::write_all(&mut gz, &body).unwrap();
            let zipped = gz.finish().unwrap().len();
            json_bytes += body.len();
            gzip_bytes += zipped;
            // A page's bytes are shared out over its rows by entity (one entity here).
            for r in &page.rows {
                let e = per_entity.entry(r.entity.clone()).or_default();
                e.0 += 1;
                e.1 += body.len() / page.rows.len().max(1);
                e.2 += zipped / page.rows.len().max(1);
            }
            after = page.next_after;
            if !page.has_more {
                break;
            }
        }
        let entities: serde_json::Map<String, Value> = per_entity
            .into_iter()
            .map(|(e, (n, j, g))| {
                (e, json!({"rows": n, "json_bytes_per_row": j / n.max(1), "gzip_bytes_per_row": g / n.max(1)}))
            })
            .collect();
        out.insert(
            format!("protocol_{version}"),
            json!({"json_bytes": json_bytes, "gzip_bytes": gzip_bytes, "per_entity": entities}),
        );
    }
    Value::Object(out)
}

/// A fresh phone enrols and syncs all `rows` of the scope, speaking at most protocol
/// `newest`: how long the sync took (µs), its credentials and its device id.
fn fresh_sync(s: &Site, rows: usize, newest: u32) -> (f64, Arc<MemoryCreds>, String) {
    let dir = tempfile::tempdir().unwrap();
    let k = device(dir.path());
    let creds = Arc::new(MemoryCreds::default());
    enrol(s, &k, &*creds);
    let mut t = s.server.transport(creds.clone()).speaking(newest);
    let start = Instant::now();
    let r = sync_once(&k, &mut t, true).unwrap();
    let took = us(start);
    assert_eq!(r.status, Status::Ok);
    assert_eq!(r.pulled, rows, "every row pulled");
    let device_id = k.lock().unwrap().device_id().unwrap();
    (took, creds, device_id)
}

pub fn p6(a: &Args) -> Value {
    let (s, _seeder) = seeded_site(a, false);
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    let mut rows_per_s = Vec::new();
    let (mut apply_only, mut protocol_1) = (Vec::new(), Vec::new());
    for run in 0..a.runs {
        // Ours: a fresh phone enrols and syncs everything.
        let (took, creds, device_id) = fresh_sync(&s, a.rows, compact::PROTOCOL);
        ours.push(took);
        rows_per_s.push(a.rows as f64 / (took / 1e6));
        // For the record (not a side of the ratio): the same sync as an older app, protocol 1.
        protocol_1.push(fresh_sync(&s, a.rows, 1).0);
        // Baseline: the same rows by raw gzip GETs of the largest page, one bare transaction.
        let raw = Raw::new(&s.server, &creds, device_id);
        let scope = format!("user:{}", s.mentee);
        let bdir = tempfile::tempdir().unwrap();
        let mut c = bare_db(&bdir.path().join("b.sqlite3"));
        let start = Instant::now();
        let (mut after, mut all, mut pages) = (0, Vec::with_capacity(a.rows), Vec::new());
        loop {
            let page = raw.pull(&scope, after, 1000);
            after = page.next_after;
            all.extend(page.rows.iter().cloned());
            let more = page.has_more;
            pages.push(page);
            if !more {
                break;
            }
        }
        bare_insert(&mut c, &all);
        base.push(us(start));
        assert_eq!(all.len(), a.rows);
        // Where ours spends its time: applying the same pages to a fresh store, no network.
        let adir = tempfile::tempdir().unwrap();
        let mut store = kindred_tests::open_store(&adir.path().join("a.sqlite3"));
        let start = Instant::now();
        for page in &pages {
            store
                .write(|tx| kindred_client::store::pull::apply_pull(tx, &scope, page, now_ms()))
                .unwrap();
        }
        apply_only.push(us(start));
        eprintln!(
            "kindred-sync-bench: P6 run {run}: ours {:.0} ms, baseline {:.0} ms, apply only {:.0} ms, protocol 1 {:.0} ms",
            took / 1e3,
            base[run] / 1e3,
            apply_only[run] / 1e3,
            protocol_1[run] / 1e3
        );
    }
    rows_per_s.sort_by(f64::total_cmp);
    let sizes = {
        let dir = tempfile::tempdir().unwrap();
        let k = device(dir.path());
        let creds = MemoryCreds::default();
        enrol(&s, &k, &creds);
        let raw = Raw::new(&s.server, &creds, k.lock().unwrap().device_id().unwrap());
        wire_sizes(&raw, &format!("user:{}", s.mentee))
    };
    eprintln!("kindred-sync-bench: P6 wire sizes {sizes}");
    result(
        "P6",
        "Initial sync of a 50k-row user scope: a fresh device pulls every page, applies it through the registry and commits page + cursor",
        "the same rows by raw gzip GETs of 1,000-row pages from the same server + one transaction of prepare_cached inserts into a bare table",
        a,
        ours,
        base,
        2.0,
        Some(1_000_000.0),
        json!({"rows_per_s_median": percentile(&rows_per_s, 50.0).round(), "page": kindred_client::sync::PAGE,
               "apply_only_no_network_us": summary(apply_only), "protocol_1_sync_us": summary(protocol_1),
               "wire": sizes}),
    )
}
