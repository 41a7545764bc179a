//! The sync-status context: read once at start, then kept current by the shell's `sync-status`
//! event. A cycle that brought rows in bumps the data version, so the page on screen reloads.

use kindred_core::ipc::SyncStatusView;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::DataVersion;
use crate::ipc;

/// The latest sync status, and whether a "Sync now" is waiting for its cycle.
#[derive(Clone, Copy)]
pub struct SyncCtx {
    pub status: RwSignal<Option<SyncStatusView>>,
    pub syncing: RwSignal<bool>,
}

/// Provides the sync status: read once, then kept current by the shell's event. A cycle that
/// brought rows in bumps `version`, so the page on screen reloads its data.
pub fn provide_sync_context(version: DataVersion) {
    let ctx = SyncCtx { status: RwSignal::new(None), syncing: RwSignal::new(false) };
    provide_context(ctx);
    ipc::on_sync(move |e| {
        ctx.status.set(Some(e.status));
        ctx.syncing.set(false);
        if e.pulled > 0 {
            version.bump();
        }
    });
    spawn_local(async move {
        if let Ok(s) = ipc::sync_status().await {
            ctx.status.set(Some(s));
        }
    });
}

/// The sync context.
pub fn use_sync() -> SyncCtx {
    expect_context::<SyncCtx>()
}
