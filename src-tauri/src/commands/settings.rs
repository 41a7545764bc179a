//! Settings commands.

use kindred_core::ipc::{Empty, SettingsView};
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::notify;
use crate::state::AppState;

#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>, req: Empty) -> CommandResult<SettingsView> {
    let Empty {} = req;
    state.with(|k| k.get_settings())
}

#[tauri::command(async)]
pub fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: SettingsView,
) -> CommandResult<()> {
    state.write(|k| k.save_settings(req))?;
    notify::replan(&app);
    Ok(())
}
