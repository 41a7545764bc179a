//! Mentor contacts and help lines: read, save, and reach them through the OS.

use kindred_core::ipc::{ContactMentorReq, ContactsView, Empty, OpenHelpReq, SaveContactReq};
use tauri::{AppHandle, Runtime, State};

use crate::error::{map, CommandResult};
use crate::opener;
use crate::state::AppState;

#[tauri::command(async)]
pub fn get_contacts(state: State<'_, AppState>, req: Empty) -> CommandResult<ContactsView> {
    let Empty {} = req;
    state.with(|k| k.get_contacts())
}

#[tauri::command(async)]
pub fn save_contact(state: State<'_, AppState>, req: SaveContactReq) -> CommandResult<()> {
    // Changing who the mentor is needs the PIN again when the lock is on (SECURITY.md LK-3).
    state.require_fresh_unlock()?;
    state.write(|k| k.save_contact(req))
}

#[tauri::command(async)]
pub fn contact_mentor<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ContactMentorReq,
) -> CommandResult<()> {
    let url = state.with(|k| k.mentor_link(req))?;
    opener::open(&app, &url)
}

/// Works even when the data file can't be opened: help must always be reachable.
#[tauri::command(async)]
pub fn open_help<R: Runtime>(app: AppHandle<R>, req: OpenHelpReq) -> CommandResult<()> {
    let url = kindred_client::Kindred::help_link(&req.id).map_err(map)?;
    opener::open(&app, url)
}
