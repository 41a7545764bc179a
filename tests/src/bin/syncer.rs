//! A helper process for the client kill -9 test: logs cravings into a real store and syncs
//! them to a real server over HTTP, printing `synced <pushed>` after each cycle, until killed.
//! With `--drain` it syncs until nothing is left and exits.
//! Usage: kindred-syncer <data dir> <creds file> [--drain]

use std::io::Write;
use std::sync::{Arc, Mutex};

use kindred_client::sync::http::HttpTransport;
use kindred_client::sync::{sync_once, Status};
use kindred_core::ipc::LogCravingReq;
use kindred_tests::sync::FileCreds;
use kindred_tests::{open_device, real_options};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("data dir");
    let creds = args.next().expect("creds file");
    let drain = args.next().as_deref() == Some("--drain");
    let k = open_device(dir.as_ref(), real_options(chrono_tz::UTC)).expect("open");
    let k = Mutex::new(k);
    let enrolled = k.lock().unwrap().enrolment().unwrap().expect("enrolled");
    let mut t =
        HttpTransport::new(&enrolled.server_url, enrolled.pins, Arc::new(FileCreds(creds.into())))
            .expect("transport");
    let mut out = std::io::stdout();
    loop {
        if !drain {
            for n in 0..25 {
                k.lock().unwrap().log_craving(LogCravingReq { intensity: n % 11 }).expect("log");
            }
        }
        let r = sync_once(&k, &mut t, true).expect("sync");
        writeln!(out, "synced {} {:?}", r.pushed, r.status).unwrap();
        out.flush().unwrap();
        if drain {
            let pending = k.lock().unwrap().sync_status().unwrap().pending;
            if pending == 0 && r.status == Status::Ok {
                return;
            }
        }
    }
}
