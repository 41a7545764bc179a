//! Sharing commands: what the mentee shares with which mentor, stopping it, and the log of
//! who looked. Sharing something new asks for a fresh unlock when the app lock is on (it is
//! the mentee's signature); stopping is always one tap.

use kindred_core::ipc::{DisclosureLogView, Empty, GrantReq, RevokeGrantReq, SharingView};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
pub fn sharing(state: State<'_, AppState>, req: Empty) -> CommandResult<SharingView> {
    let Empty {} = req;
    state.with(|k| k.sharing())
}

#[tauri::command(async)]
pub fn grant_sharing(state: State<'_, AppState>, req: GrantReq) -> CommandResult<SharingView> {
    state.require_fresh_unlock()?;
    state.write(|k| k.grant_sharing(req))
}

#[tauri::command(async)]
pub fn revoke_sharing(
    state: State<'_, AppState>,
    req: RevokeGrantReq,
) -> CommandResult<SharingView> {
    state.write(|k| k.revoke_sharing(req))
}

#[tauri::command(async)]
pub fn disclosure_log(state: State<'_, AppState>, req: Empty) -> CommandResult<DisclosureLogView> {
    let Empty {} = req;
    state.with(|k| k.disclosure_log())
}
