//! The mentee's program: sync status, connect with an invite code, disconnect, "Sync now", and
//! the program's help numbers and resources. Nothing here waits on the network except
//! `connect_program`, which runs the enrolment on a blocking thread and is what the mentee is
//! waiting for anyway.

use kindred_client::sync::{self as engine, account};
use kindred_core::ipc::{
    CommandCode, CommandError, ConnectProgramReq, DevicesView, DisconnectView, Empty,
    ProgramHelpReq, ProgramHelpView, RevokeDeviceReq, SyncStatusView,
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
    app.kindred().require_fresh_unlock()?;
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

/// Runs `f` on a blocking thread (reqwest's blocking client must not run on the async
/// runtime's threads).
async fn off_runtime<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    f: impl FnOnce(&AppHandle<R>) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    let worker = app.clone();
    tauri::async_runtime::spawn_blocking(move || f(&worker))
        .await
        .map_err(|_| invalid("That was interrupted. Please try again."))?
}

/// Revokes this phone's sign-in on the program's server (or keeps the revoke for when it is
/// next online), then forgets the program and the sign-in. Everything recorded here stays.
#[tauri::command]
pub async fn disconnect_program<R: Runtime>(
    app: AppHandle<R>,
    req: Empty,
) -> CommandResult<DisconnectView> {
    let Empty {} = req;
    app.kindred().require_fresh_unlock()?;
    let done = off_runtime(&app, |app| {
        let state = app.kindred();
        engine::disconnect(&*state, &*state.secrets()).map_err(map)
    })
    .await?;
    sync::trigger(&app, Trigger::Enrolment);
    let status = app.kindred().with(|k| k.sync_view())?;
    Ok(DisconnectView { status, message: done.message().into() })
}

/// The mentee's phones, from the program's server.
#[tauri::command]
pub async fn program_devices<R: Runtime>(
    app: AppHandle<R>,
    req: Empty,
) -> CommandResult<DevicesView> {
    let Empty {} = req;
    if app.kindred().is_locked() {
        return Err(crate::state::locked_error());
    }
    off_runtime(&app, |app| {
        let state = app.kindred();
        account::devices(&*state, state.secrets()).map_err(|e| connect_error(&e))
    })
    .await
}

/// Disconnects one of the mentee's phones on the program's server; the new list.
#[tauri::command]
pub async fn revoke_device<R: Runtime>(
    app: AppHandle<R>,
    req: RevokeDeviceReq,
) -> CommandResult<DevicesView> {
    if req.id.len() != 36 || !req.id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(invalid("That phone isn't on the list."));
    }
    app.kindred().require_fresh_unlock()?;
    off_runtime(&app, move |app| {
        let state = app.kindred();
        account::revoke_device(&*state, state.secrets(), &req.id).map_err(|e| connect_error(&e))
    })
    .await
}

/// An account request's failure, in its own calm words.
pub(crate) fn connect_error(e: &account::AccountError) -> CommandError {
    CommandError { code: CommandCode::Connect, message: e.to_string() }
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
    // Help stays reachable on the lock screen.
    state.with_while_locked(|k| k.program_help())
}

/// Calls or texts one of the program's help numbers; the link is built by the client from the
/// stored number, never taken from the UI.
#[tauri::command(async)]
pub fn call_program_help<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ProgramHelpReq,
) -> CommandResult<()> {
    let url = state.with_while_locked(|k| k.program_help_link(req))?;
    opener::open(&app, &url)
}
