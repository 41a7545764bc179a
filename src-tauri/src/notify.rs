//! Celebration and check-in reminders: the plan comes from the pure planners in `kindred-core`
//! (through `Kindred::reminders` and `Kindred::check_in_reminders`); this module only delivers it.
//!
//! - Desktop: a background thread wakes every 30 s (or when data changes) and shows the
//!   reminders that fell due since it last looked, through the notification plugin. Nothing is
//!   shown for time the app was closed.
//! - Mobile: each change re-plans the next 30 days and hands them to the OS scheduler, so they
//!   fire while the app is closed.
//!
//! Notification text comes from the planner and is discreet by default.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
#[cfg(desktop)]
use tauri_plugin_notification::NotificationExt;

use crate::state::KindredExt;

/// How often the desktop loop looks for due reminders.
const TICK: Duration = Duration::from_secs(30);

struct Replan(Mutex<Sender<()>>);

/// Starts the reminder loop.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let (tx, rx) = mpsc::channel::<()>();
    app.manage(Replan(Mutex::new(tx)));
    let app = app.clone();
    std::thread::Builder::new()
        .name("kindred-reminders".into())
        .spawn(move || {
            let mut last = app.kindred().with(|k| Ok(k.clock().now())).ok();
            // Wakes on a tick or a replan; ends when the app (and the sender) is gone.
            while let Ok(()) | Err(RecvTimeoutError::Timeout) = rx.recv_timeout(TICK) {
                let state = app.kindred();
                let Ok(now) = state.with(|k| Ok(k.clock().now())) else {
                    continue;
                };
                let from = last.unwrap_or(now);
                #[cfg(desktop)]
                if let Ok(due) = state.with(|k| k.reminders(from, now - from)) {
                    for r in due {
                        // Delivery is best effort; a missing notification daemon is not an error
                        // worth interrupting the mentee for.
                        let _ = app.notification().builder().title(&r.title).body(&r.body).show();
                    }
                }
                #[cfg(desktop)]
                if let Ok(due) = state.with(|k| k.check_in_reminders(from, now - from)) {
                    for r in due {
                        let _ = app.notification().builder().title(&r.title).body(&r.body).show();
                    }
                }
                #[cfg(mobile)]
                mobile::schedule(&app, now);
                #[cfg(mobile)]
                let _ = from;
                last = Some(now);
            }
        })
        .expect("spawn reminder thread");
}

/// Signals that data changed and reminders need planning again.
pub fn replan<R: Runtime>(app: &AppHandle<R>) {
    if let Some(r) = app.try_state::<Replan>() {
        if let Ok(tx) = r.0.lock() {
            let _ = tx.send(());
        }
    }
}

#[cfg(mobile)]
mod mobile {
    //! Hands the next 30 days of reminders to the OS scheduler.

    use chrono::{DateTime, Utc};
    use tauri::{AppHandle, Runtime};
    use tauri_plugin_notification::{NotificationExt, Schedule};

    use crate::state::KindredExt;

    pub fn schedule<R: Runtime>(app: &AppHandle<R>, now: DateTime<Utc>) {
        let n = app.notification();
        let plan = match app.kindred().with(|k| k.reminders(now, chrono::Duration::days(30))) {
            Ok(plan) => plan,
            // Locked: what the OS holds stays (handed over before locking, SECURITY.md LK-4).
            Err(e) if e.code == kindred_core::ipc::CommandCode::Locked => return,
            // Deleted everything, or no store: nothing may remind of it.
            Err(_) => {
                let _ = n.cancel_all();
                return;
            }
        };
        let _ = n.cancel_all();
        let check_ins = app
            .kindred()
            .with(|k| k.check_in_reminders(now, chrono::Duration::days(30)))
            .unwrap_or_default();
        let all = plan
            .into_iter()
            .map(|r| (r.at, r.title, r.body))
            .chain(check_ins.into_iter().map(|r| (r.at, r.title, r.body)));
        for (i, (at, title, body)) in all.enumerate().take(60) {
            let Ok(at) = time::OffsetDateTime::from_unix_timestamp(at.timestamp()) else {
                continue;
            };
            let _ = n
                .builder()
                .id(i32::try_from(i).unwrap_or(0) + 1)
                .title(&title)
                .body(&body)
                .schedule(Schedule::At { date: at, repeating: false, allow_while_idle: true })
                .show();
        }
    }
}
