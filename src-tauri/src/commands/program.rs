//! The mentee's program: sync status, connect with an invite code, disconnect, "Sync now", and
//! the program's help numbers and resources. Nothing here waits on the network except
//! `connect_program`, which runs the enrolment on a blocking thread and is what the mentee is
//! waiting for anyway.

use kindred_client::sync as engine;
use kindred_core::ipc::{
    CommandCode, CommandError, ConnectProgramReq, Empty, ProgramHelpReq, ProgramHelpView,
    SyncStatusView,
};
use tauri::{AppHandle, Runtime, State};

use crate::error::{map, CommandResult};
use crate::opener;
use crate::state::{AppState, KindredExt};
use crate::sync::{self, Trigger};

fn invalid(message: &str) -> CommandError {
    CommandError { code: CommandCode::Invalid, message: message.into() }
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>, req: Empty) -> CommandResult<SyncStatusView> {
    let Empty {} = req;
    state.with(|k| k.sync_view())
}

/// Exchanges the invite code for this phone's sign-in, then starts a sync in the background.
#[tauri::command]
pub async fn connect_program<R: Runtime>(
    app: AppHandle<R>,
    req: ConnectProgramReq,
) -> CommandResult<SyncStatusView> {
    engine::connect::check_typed(&req.server, &req.code)?;
    app.kindred().with(|k| Ok(k.may_connect()))??;
    let worker = app.clone();
    // reqwest's blocking client must not run on the async runtime's threads.
    let done = tauri::async_runtime::spawn_blocking(move || {
        let state = worker.kindred();
        let secrets = state.secrets();
        engine::connect(&*state, &*secrets, &req.server, &req.code, env!("CARGO_PKG_VERSION"))
    })
    .await
    .map_err(|_| invalid("Connecting was interrupted. Please try again."))?;
    done.map_err(|e| e.to_command_error())?;
    sync::trigger(&app, Trigger::Enrolment);
    app.kindred().with(|k| k.sync_view())
}

/// Forgets the program and this phone's sign-in. Everything recorded here stays.
#[tauri::command(async)]
pub fn disconnect_program<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<SyncStatusView> {
    let Empty {} = req;
    engine::disconnect(&*state, &*state.secrets()).map_err(map)?;
    sync::trigger(&app, Trigger::Enrolment);
    state.with(|k| k.sync_view())
}

/// Starts a sync now (in the background); answers with the status as it is.
#[tauri::command(async)]
pub fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<SyncStatusView> {
    let Empty {} = req;
    sync::trigger(&app, Trigger::Now);
    state.with(|k| k.sync_view())
}

/// The program's help numbers and resources (empty when not connected).
#[tauri::command(async)]
pub fn program_help(state: State<'_, AppState>, req: Empty) -> CommandResult<ProgramHelpView> {
    let Empty {} = req;
    state.with(|k| k.program_help())
}

/// Calls or texts one of the program's help numbers; the link is built by the client from the
/// stored number, never taken from the UI.
#[tauri::command(async)]
pub fn call_program_help<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ProgramHelpReq,
) -> CommandResult<()> {
    let url = state.with(|k| k.program_help_link(req))?;
    opener::open(&app, &url)
}
