//! Several `kindred-server` processes on one PostgreSQL (PRODUCT.md: a stateless HTTP layer
//! behind a load balancer): two phones of one mentee sync through different instances, in turn
//! and while one instance is killed with kill -9; staff edit a contact twice from the CLI in
//! between. They converge, nothing is lost or duplicated, sequence numbers stay gapless and
//! commit-ordered, and both staff edits reach both phones, the later one winning.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kindred_client::keys::MemoryCreds;
use kindred_client::sync::sync_once;
use kindred_client::Kindred;
use kindred_core::ipc::{AddGoalReq, LogCravingReq};
use kindred_server::db::{self, Mode};
use kindred_tests::sync::{device_visible, real_device, server_visible, ServerProc};
use kindred_tests::tls::TestCa;

struct Phone {
    dir: tempfile::TempDir,
    k: Mutex<Kindred>,
    creds: Arc<MemoryCreds>,
}

/// Syncs `p` through `server` until nothing is pending and a cycle ends well.
fn settle(p: &Phone, server: &ServerProc) {
    let mut t = server.transport(p.creds.clone());
    for _ in 0..50 {
        let r = sync_once(&p.k, &mut t, true).unwrap();
        let pending = p.k.lock().unwrap().sync_status().unwrap().pending;
        if r.status == kindred_client::sync::Status::Ok && pending == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("did not settle");
}

fn contact_name(p: &Phone) -> Option<String> {
    let v = p.k.lock().unwrap().get_contacts().unwrap();
    v.primary.map(|c| c.name)
}

#[test]
fn phones_converge_through_several_instances_on_one_postgres() {
    let Some(pg) = crate::pg::fresh_database() else { return };
    let database = pg.url();
    let dir = tempfile::tempdir().unwrap();
    let mac = dir.path().join("mac.key");
    std::fs::write(&mac, "11".repeat(32)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&mac, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let cert = TestCa::new().server_cert(dir.path(), "shared");
    let mut servers: Vec<ServerProc> = (0..3)
        .map(|_| {
            let extra = ["--device-per-minute", "100000"];
            ServerProc::start_with(&database, &mac, 0, Some(cert.clone()), &extra, &[])
        })
        .collect();
    let program = servers[0].staff(&["program", "create", "Riverside"]);
    let mentee = servers[0].staff(&["mentee", "create", "--program", &program, "M-5"]);
    let phones: Vec<Phone> = (0..2)
        .map(|i| {
            let dir = tempfile::tempdir().unwrap();
            let k = real_device(dir.path());
            let creds = Arc::new(MemoryCreds::default());
            servers[i].enrol(&mentee, &k, &*creds);
            Phone { dir, k, creds }
        })
        .collect();
    let mut logged = 0;
    for round in 0..6usize {
        for (i, p) in phones.iter().enumerate() {
            let mut k = p.k.lock().unwrap();
            for n in 0..20 {
                k.log_craving(LogCravingReq { intensity: (n + i as i64) % 11 }).unwrap();
                logged += 1;
            }
            k.add_goal(AddGoalReq { text: format!("goal {round}-{i}") }).unwrap();
        }
        if round == 2 {
            // Phone 0 pushes through instance 1, which is killed in the middle of it.
            let mut t = servers[1].transport(phones[0].creds.clone());
            std::thread::scope(|sc| {
                let h = sc.spawn(|| sync_once(&phones[0].k, &mut t, true).unwrap());
                std::thread::sleep(Duration::from_millis(30));
                servers[1].kill9();
                h.join().unwrap();
            });
            // A staff edit while it is down.
            servers[0].staff(&[
                "contact", "set", "--mentee", &mentee, "--role", "primary", "--name", "Sam",
            ]);
        }
        if round == 4 {
            servers[1].restart();
            servers[2].staff(&[
                "contact",
                "set",
                "--mentee",
                &mentee,
                "--role",
                "primary",
                "--name",
                "Sam Okafor",
            ]);
        }
        // In turn: each phone through another live instance each round.
        let live: Vec<usize> = (0..3).filter(|&i| !(2..4).contains(&round) || i != 1).collect();
        for (i, p) in phones.iter().enumerate() {
            settle(p, &servers[live[(round + i) % live.len()]]);
        }
    }
    // Both phones once more (the other's last changes), through different instances.
    settle(&phones[0], &servers[1]);
    settle(&phones[1], &servers[2]);
    settle(&phones[0], &servers[0]);
    let store = db::open(&database).unwrap();
    let scope = format!("user:{mentee}");
    let on_server = server_visible(&*store, &scope);
    let a = device_visible(&kindred_client::db_path(phones[0].dir.path()));
    let b = device_visible(&kindred_client::db_path(phones[1].dir.path()));
    assert_eq!(a, b, "the phones converge");
    assert_eq!(a, on_server, "and agree with the server");
    let cravings = db::run(&*store, Mode::Read, |tx| {
        tx.one(
            "SELECT count(*) FROM record WHERE scope_id = $1 AND entity = 'craving'",
            &[scope.as_str().into()],
        )?
        .unwrap()
        .int(0)
    })
    .unwrap();
    assert_eq!(cravings, logged, "nothing lost or duplicated");
    // Sequence numbers: gapless, one per applied change, in commit order.
    let seqs: Vec<i64> = db::run(&*store, Mode::Read, |tx| {
        tx.query(
            "SELECT seq FROM change_log WHERE scope_id = $1 AND seq IS NOT NULL ORDER BY seq",
            &[scope.as_str().into()],
        )?
        .into_iter()
        .map(|r| r.int(0))
        .collect()
    })
    .unwrap();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    // Both staff edits reached both phones; the later one won.
    assert_eq!(contact_name(&phones[0]).as_deref(), Some("Sam Okafor"));
    assert_eq!(contact_name(&phones[1]).as_deref(), Some("Sam Okafor"));
    drop(servers);
}
