//! The app lock as the UI sees it: whether a PIN is set, whether the app is locked now, and
//! the auto-lock time. Any command answering `locked` (the app was locked elsewhere, or an
//! action needs the PIN again) turns the lock screen on through [`note_locked`].

use std::cell::Cell;

use kindred_core::ipc::LockStatus;
use leptos::prelude::*;

/// The lock, app-wide.
#[derive(Clone, Copy)]
pub struct LockCtx {
    pub status: RwSignal<Option<LockStatus>>,
}

impl LockCtx {
    /// Locked now (the lock screen shows).
    pub fn locked(&self) -> bool {
        self.status.get().is_some_and(|s| s.enabled && s.locked)
    }

    /// Sets the state from an answer.
    pub fn set(&self, s: LockStatus) {
        self.status.set(Some(s));
    }
}

thread_local! {
    // The one context, for `note_locked` (IPC answers arrive outside any component).
    static LOCK: Cell<Option<LockCtx>> = const { Cell::new(None) };
}

/// Provides the lock context and loads the lock state once.
pub fn provide_lock_context() -> LockCtx {
    let ctx = LockCtx { status: RwSignal::new(None) };
    LOCK.with(|l| l.set(Some(ctx)));
    provide_context(ctx);
    leptos::task::spawn_local(async move {
        if let Ok(s) = crate::ipc::lock_status().await {
            ctx.set(s);
        }
    });
    ctx
}

/// The lock context.
pub fn use_lock() -> LockCtx {
    expect_context::<LockCtx>()
}

/// A command answered `locked`: show the lock screen (what was on screen is dropped).
pub fn note_locked() {
    if let Some(ctx) = LOCK.with(Cell::get) {
        ctx.status.update(|s| {
            if let Some(s) = s {
                s.locked = true;
            }
        });
    }
}
