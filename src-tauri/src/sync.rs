//! Background sync with the mentee's program: one worker thread owns the HTTP transport and runs
//! [`sync_once`] through a [`SingleFlight`]; commands only send it a [`Trigger`] and return at
//! once, so the UI never waits on the network. The engine (push, pull, backoff, status) is in
//! `kindred_client::sync`; this module only decides *when* to run it.
//!
//! When a cycle runs:
//! - at app start;
//! - after a local write: 2 s after the last one (debounce), at most 10 s after the first of a
//!   burst. A cycle that leaves changes waiting (a delete keeps a 10 s undo window) is followed
//!   by one more 11 s later;
//! - every 60 s;
//! - "network regained": there is no cheap, portable connectivity signal, so an offline device
//!   retries at the engine's backoff time (`Report::retry_at`, jittered, capped at 10 min); the
//!   first cycle that succeeds after failures is the moment the network is back, and it sends
//!   everything that waited;
//! - "Sync now" and right after connecting (forced: ignores a pending backoff);
//! - right after an unlock: nothing syncs while the app is locked (SECURITY.md LK-4).
//!
//! After each cycle the worker emits [`SYNC_EVENT`] with the new status (as
//! `Kindred::sync_view` words it) and how many rows came in, so the UI refreshes; when rows came
//! in, reminders are planned again. The sign-in tokens come from the app state's secret store.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kindred_client::keys::CredentialStore;
use kindred_client::sync::http::HttpTransport;
use kindred_client::sync::{sync_once, Report, SingleFlight, Status};
use kindred_core::ipc::{SyncEvent, SyncStatusView, SYNC_EVENT};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::notify;
use crate::state::KindredExt;

/// Quiet time after a write before syncing.
const DEBOUNCE: Duration = Duration::from_secs(2);
/// Longest a burst of writes can hold a sync back.
const MAX_WAIT: Duration = Duration::from_secs(10);
/// The periodic cycle.
const PERIOD: Duration = Duration::from_secs(60);
/// The follow-up for changes still waiting: just after a delete's undo window.
const FOLLOW_UP: Duration =
    Duration::from_millis(kindred_core::model::UNDO_WINDOW_MS as u64 + 1_000);

/// Why the worker should look again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A command committed a write.
    Wrote,
    /// "Sync now": run at once, ignoring a backoff.
    Now,
    /// The enrolment changed (connected, disconnected): drop the transport, then run.
    Enrolment,
}

/// The managed handle: the trigger channel.
pub struct SyncHandle {
    tx: Sender<Trigger>,
}

/// Starts the worker. Call once, after the store state is managed.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let creds = app.kindred().secrets();
    let (tx, rx) = mpsc::channel();
    let hook = tx.clone();
    app.kindred().set_on_write(move || {
        let _ = hook.send(Trigger::Wrote);
    });
    app.manage(SyncHandle { tx });
    let app = app.clone();
    std::thread::Builder::new()
        .name("kindred-sync".into())
        .spawn(move || Worker { app, creds, transport: None }.run(rx))
        .expect("spawn sync thread");
}

/// Asks the worker to look again (no-op before [`start`]).
pub fn trigger<R: Runtime>(app: &AppHandle<R>, t: Trigger) {
    if let Some(h) = app.try_state::<SyncHandle>() {
        let _ = h.tx.send(t);
    }
}

/// When the worker runs next.
#[derive(Debug)]
struct Schedule {
    /// A write-triggered (or start/follow-up) cycle.
    soon: Option<Instant>,
    /// The first write of the current burst (for [`MAX_WAIT`]).
    burst: Option<Instant>,
    /// The periodic cycle, or the engine's retry time if sooner.
    later: Instant,
    /// A follow-up was already scheduled since the last write.
    followed_up: bool,
}

impl Schedule {
    fn new(now: Instant) -> Schedule {
        Schedule { soon: Some(now), burst: None, later: now + PERIOD, followed_up: false }
    }

    fn wrote(&mut self, now: Instant) {
        let first = *self.burst.get_or_insert(now);
        self.soon = Some((now + DEBOUNCE).min(first + MAX_WAIT));
        self.followed_up = false;
    }

    fn next(&self) -> Instant {
        self.soon.map_or(self.later, |s| s.min(self.later))
    }

    fn due(&self, now: Instant) -> bool {
        self.next() <= now
    }

    /// After a cycle: the next periodic run, sooner when the engine asked to retry, and a
    /// follow-up when changes still wait.
    fn ran(&mut self, now: Instant, retry_in: Option<Duration>, waiting: bool) {
        self.soon = None;
        self.burst = None;
        self.later = now + retry_in.map_or(PERIOD, |r| r.min(PERIOD));
        if waiting && !self.followed_up {
            self.soon = Some(now + FOLLOW_UP);
            self.followed_up = true;
        }
    }
}

struct Worker<R: Runtime> {
    app: AppHandle<R>,
    creds: Arc<dyn CredentialStore>,
    /// The transport and the server it talks to.
    transport: Option<(String, HttpTransport)>,
}

impl<R: Runtime> Worker<R> {
    fn run(mut self, rx: Receiver<Trigger>) {
        // This thread is the only one that syncs; the single flight also coalesces any trigger
        // that arrives while a cycle runs into one rerun.
        let flight = SingleFlight::default();
        let mut plan = Schedule::new(Instant::now());
        loop {
            let wait = plan.next().saturating_duration_since(Instant::now());
            let mut force = false;
            match rx.recv_timeout(wait) {
                Ok(t) => {
                    self.take(t, &mut plan, &mut force);
                    // Triggers that arrived together make one cycle.
                    while let Ok(t) = rx.try_recv() {
                        self.take(t, &mut plan, &mut force);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                // The app is gone.
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = Instant::now();
            if !force && !plan.due(now) {
                continue;
            }
            let (report, retry_in) = flight.run(|| self.cycle(force)).flatten().unzip();
            let status = self.publish(report.as_ref());
            let waiting = report.as_ref().is_some_and(|r| r.status == Status::Ok)
                && status.as_ref().is_some_and(|s| s.pending > 0);
            plan.ran(Instant::now(), retry_in.flatten(), waiting);
        }
    }

    fn take(&mut self, t: Trigger, plan: &mut Schedule, force: &mut bool) {
        match t {
            Trigger::Wrote => plan.wrote(Instant::now()),
            Trigger::Now => *force = true,
            Trigger::Enrolment => {
                self.transport = None;
                *force = true;
            }
        }
    }

    /// One cycle and how long until the engine wants to retry; `None` when not connected (or
    /// the store is unavailable).
    fn cycle(&mut self, force: bool) -> Option<(Report, Option<Duration>)> {
        let state = self.app.kindred();
        // Paused while the app is locked (SECURITY.md LK-4); an unlock wakes the worker.
        if state.is_locked() {
            return None;
        }
        // A Disconnect that couldn't reach the server yet is told first.
        kindred_client::sync::retry_pending_revoke(&*self.creds);
        let enrolled = state.with(|k| k.enrolment()).ok().flatten()?;
        let server = enrolled.server_url;
        if self.transport.as_ref().is_none_or(|(s, _)| *s != server) {
            match HttpTransport::new(&server, enrolled.pins, self.creds.clone()) {
                Ok(t) => self.transport = Some((server, t)),
                Err(_) => {
                    // Enrolled without key pins (before HTTPS) or not over https://: nothing is
                    // sent; connecting again with a new invite fixes it.
                    let _ = state.with(|k| k.needs_new_invite());
                    return None;
                }
            }
        }
        let (_, t) = self.transport.as_mut()?;
        let report = sync_once(&*state, t, force).ok()?;
        let now_ms = state.with(|k| Ok(k.clock().now().timestamp_millis())).ok()?;
        let retry_in = report
            .retry_at
            .map(|at| Duration::from_millis(u64::try_from(at - now_ms).unwrap_or(0)));
        Some((report, retry_in))
    }

    /// Emits the new status (and re-plans reminders when rows came in); returns it.
    fn publish(&self, report: Option<&Report>) -> Option<SyncStatusView> {
        let status = self.app.kindred().with(|k| k.sync_view()).ok()?;
        let pulled = report.map_or(0, |r| r.pulled as u64);
        if pulled > 0 {
            notify::replan(&self.app);
        }
        let _ = self.app.emit(SYNC_EVENT, SyncEvent { status: status.clone(), pulled });
        Some(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_debounced_and_bounded() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        assert!(s.due(t0), "runs at start");
        s.ran(t0, None, false);
        assert_eq!(s.next(), t0 + PERIOD);
        // Each write pushes the run back 2 s …
        s.wrote(t0 + Duration::from_secs(1));
        assert_eq!(s.next(), t0 + Duration::from_secs(3));
        s.wrote(t0 + Duration::from_secs(2));
        assert_eq!(s.next(), t0 + Duration::from_secs(4));
        // … but never more than 10 s after the first write of the burst.
        for i in 3..20 {
            s.wrote(t0 + Duration::from_secs(i));
        }
        assert_eq!(s.next(), t0 + Duration::from_secs(11));
    }

    #[test]
    fn backoff_and_follow_up() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        // Offline: retry when the engine says, not later than the period.
        s.ran(t0, Some(Duration::from_secs(5)), false);
        assert_eq!(s.next(), t0 + Duration::from_secs(5));
        s.ran(t0, Some(Duration::from_secs(600)), false);
        assert_eq!(s.next(), t0 + PERIOD);
        // Changes still waiting after a good cycle: one follow-up, not an endless loop.
        s.ran(t0, None, true);
        assert_eq!(s.next(), t0 + FOLLOW_UP);
        s.ran(t0 + FOLLOW_UP, None, true);
        assert_eq!(s.next(), t0 + FOLLOW_UP + PERIOD);
        // A new write allows a new follow-up.
        s.wrote(t0 + Duration::from_secs(100));
        s.ran(t0 + Duration::from_secs(102), None, true);
        assert_eq!(s.next(), t0 + Duration::from_secs(102) + FOLLOW_UP);
    }
}
