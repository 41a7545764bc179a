//! A helper process for the kill -9 test: writes trackers, resets and cravings (with details)
//! into a real store as fast as it can and prints the number of committed actions after each
//! commit.

use std::io::Write;

use kindred_core::ipc::{CreateTrackerReq, LogCravingReq, ResetTrackerReq, SaveCravingReq};
use kindred_core::model::craving::{Outcome, Trigger};
use kindred_core::model::ladder::Ladder;
use kindred_tests::{open_device, real_options};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: kindred-writer <data dir>");
    let mut k = open_device(dir.as_ref(), real_options(chrono_tz::UTC)).expect("open");
    let mut out = std::io::stdout();
    for n in 1u64.. {
        let id = k
            .create_tracker(CreateTrackerReq {
                label: format!("T{n}"),
                start_local: "2020-01-01T08:00".into(),
                tz: None,
                ladder: Ladder::Default,
            })
            .expect("create");
        k.reset_tracker(ResetTrackerReq {
            id: id.to_string(),
            lapse_local: "2021-01-01T08:00".into(),
            new_start_local: None,
            halt: vec![],
            what_happened: "x".into(),
            differently: String::new(),
        })
        .expect("reset");
        let c = k.log_craving(LogCravingReq { intensity: (n % 11) as i64 }).expect("log");
        k.save_craving(SaveCravingReq {
            id: c.id.to_string(),
            triggers: vec![Trigger::Stress],
            tags: vec![],
            place: String::new(),
            with_whom: String::new(),
            coping: vec![format!("c{}", n % 3)],
            outcome: Some(Outcome::RodeItOut),
            end_intensity: None,
            note: "private".into(),
        })
        .expect("details");
        // Four committed actions per loop.
        let _ = writeln!(out, "{}", n * 4);
        let _ = out.flush();
    }
}
