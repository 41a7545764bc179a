//! P7 (PERF.md), incremental sync with the seeded scope present: a no-op sync and one new
//! server row, each against raw GETs of the same pages (plus one bare upsert), alternating;
//! also one local change pushed and acknowledged.

use super::*;

pub fn p7(a: &Args) -> Vec<Value> {
    let (s, _seeder) = seeded_site(a, true);
    let dir = tempfile::tempdir().unwrap();
    let k = device(dir.path());
    let creds = Arc::new(MemoryCreds::default());
    enrol(&s, &k, &*creds);
    let mut t = s.server.transport(creds.clone());
    assert_eq!(sync_once(&k, &mut t, true).unwrap().status, Status::Ok);
    // A second phone writes the "one new server row".
    let wdir = tempfile::tempdir().unwrap();
    let w = device(wdir.path());
    let wcreds = MemoryCreds::default();
    enrol(&s, &w, &wcreds);
    let writer = Raw::new(&s.server, &wcreds, w.lock().unwrap().device_id().unwrap());
    let raw = Raw::new(&s.server, &creds, k.lock().unwrap().device_id().unwrap());
    let enrolled = k.lock().unwrap().enrolment().unwrap().unwrap();
    let scopes = [enrolled.user_scope.clone(), enrolled.program_scope.clone()];
    let bdir = tempfile::tempdir().unwrap();
    let mut c = bare_db(&bdir.path().join("b.sqlite3"));
    // Fresh ids on every invocation: the seeded server database is reused between runs.
    let mut rng = Rng::new(a.seed ^ now_ms() as u64);
    let (mut noop_ours, mut noop_base, mut one_ours, mut one_base, mut push_one) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut cursors = [0i64; 2];
    for (i, scope) in scopes.iter().enumerate() {
        loop {
            let p = raw.pull(scope, cursors[i], 1000);
            cursors[i] = p.next_after;
            if !p.has_more {
                break;
            }
        }
    }
    for _ in 0..a.runs {
        let start = Instant::now();
        let r = sync_once(&k, &mut t, true).unwrap();
        noop_ours.push(us(start));
        assert_eq!((r.pushed, r.pulled), (0, 0));
        let start = Instant::now();
        for (i, scope) in scopes.iter().enumerate() {
            let p = raw.pull(scope, cursors[i], 1000);
            assert!(p.rows.is_empty());
        }
        noop_base.push(us(start));

        writer.push(vec![craving_change(&mut rng, now_ms())]);
        let start = Instant::now();
        let r = sync_once(&k, &mut t, true).unwrap();
        one_ours.push(us(start));
        assert_eq!(r.pulled, 1, "{r:?}");
        writer.push(vec![craving_change(&mut rng, now_ms())]);
        let start = Instant::now();
        for (i, scope) in scopes.iter().enumerate() {
            let p = raw.pull(scope, cursors[i], 1000);
            cursors[i] = p.next_after;
            bare_insert(&mut c, &p.rows);
        }
        one_base.push(us(start));
        // Absolute: one change logged on the phone, pushed and acknowledged (plus the pulls).
        k.lock().unwrap().log_craving(kindred_core::ipc::LogCravingReq { intensity: 3 }).unwrap();
        let start = Instant::now();
        let r = sync_once(&k, &mut t, true).unwrap();
        push_one.push(us(start));
        assert_eq!(r.pushed, 1);
        // The baseline cursor skips what this device pushed.
        for (i, scope) in scopes.iter().enumerate() {
            cursors[i] = raw.pull(scope, cursors[i], 1000).next_after;
        }
    }
    let push_one = summary(push_one);
    vec![
        result(
            "P7-noop",
            "No-op sync with 50k rows present: nothing to push, one pull per scope (user, program), nothing applied",
            "one raw GET per scope returning the same (empty) pages",
            a,
            noop_ours,
            noop_base,
            1.2,
            Some(5_000.0),
            json!({}),
        ),
        result(
            "P7-one",
            "Incremental sync with 50k rows present: one new server row pulled and applied (plus the program scope's empty page)",
            "one raw GET per scope + one bare upsert transaction",
            a,
            one_ours,
            one_base,
            1.2,
            Some(10_000.0),
            json!({"push_one_change_acked_us": push_one}),
        ),
    ]
}
