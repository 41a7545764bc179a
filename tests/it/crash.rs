//! kill -9 of a real writer process during writes leaves the store consistent: every committed
//! action is there, each row has its outbox entry, the insights rollups match the rows, and the
//! file passes an integrity check.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn kill_9_during_writes_leaves_the_store_consistent() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kindred-writer"))
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start writer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut acked = 0u64;
        let started = Instant::now();
        // Let it commit a varying number of actions, then kill it mid-stream.
        let target = 20 + round * 37;
        while acked < target && started.elapsed() < Duration::from_secs(60) {
            match lines.next() {
                Some(Ok(l)) => acked = l.trim().parse().unwrap(),
                _ => break,
            }
        }
        child.kill().expect("kill -9"); // SIGKILL on Unix
        child.wait().unwrap();
        assert!(acked >= target, "writer made too little progress");

        let conn = kindred_tests::device_connection(&kindred_client::db_path(dir.path()));
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        let trackers = q("SELECT count(*) FROM tracker");
        let resets = q("SELECT count(*) FROM tracker_reset");
        // Each row was written in the same transaction as its outbox entry.
        assert_eq!(trackers, q("SELECT count(*) FROM outbox WHERE entity = 'tracker'"));
        assert_eq!(resets, q("SELECT count(*) FROM outbox WHERE entity = 'tracker_reset'"));
        let cravings = q("SELECT count(*) FROM craving");
        assert_eq!(
            cravings,
            q("SELECT count(*) FROM outbox WHERE entity = 'craving' AND op = 'create'")
        );
        let detailed = q("SELECT count(*) FROM craving WHERE outcome IS NOT NULL");
        assert_eq!(
            detailed,
            q("SELECT count(*) FROM outbox WHERE entity = 'craving' AND op = 'set'")
        );
        // The insights rollups agree with the rows they summarise.
        assert_eq!(
            cravings,
            q("SELECT coalesce(sum(n), 0) FROM craving_rollup WHERE kind = 'hour'")
        );
        assert_eq!(
            detailed,
            q("SELECT coalesce(sum(n), 0) FROM craving_rollup WHERE kind = 'outcome'")
        );
        assert_eq!(
            detailed,
            q("SELECT coalesce(sum(rode_out), 0) FROM craving_rollup WHERE kind = 'coping'")
        );
        // Nothing acknowledged was lost; at most the action in flight is missing.
        let actions = trackers + resets + cravings + detailed;
        assert!(actions as u64 >= acked, "{actions} < {acked}");
        // Reopening through the app works and upgrades nothing.
        let _ = kindred_tests::open(
            dir.path(),
            &kindred_tests::ManualClock::at(
                chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000),
            ),
            chrono_tz::UTC,
        );
    }
}
