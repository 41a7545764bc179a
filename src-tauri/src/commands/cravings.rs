//! Craving log commands: quick log, details, delete/undo, the list, insights.

use kindred_core::insights::Insights;
use kindred_core::ipc::{
    CravingLogView, CravingRef, CravingView, Empty, EndSurfReq, LogCravingReq, LoggedCraving,
    SaveCravingReq,
};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
pub fn log_craving(state: State<'_, AppState>, req: LogCravingReq) -> CommandResult<LoggedCraving> {
    state.write(|k| k.log_craving(req))
}

#[tauri::command(async)]
pub fn craving_detail(state: State<'_, AppState>, req: CravingRef) -> CommandResult<CravingView> {
    state.with(|k| k.craving_detail(req))
}

#[tauri::command(async)]
pub fn save_craving(state: State<'_, AppState>, req: SaveCravingReq) -> CommandResult<()> {
    state.write(|k| k.save_craving(req))
}

#[tauri::command(async)]
pub fn delete_craving(state: State<'_, AppState>, req: CravingRef) -> CommandResult<()> {
    state.write(|k| k.delete_craving(req))
}

#[tauri::command(async)]
pub fn undo_delete_craving(state: State<'_, AppState>, req: CravingRef) -> CommandResult<()> {
    state.write(|k| k.undo_delete_craving(req))
}

#[tauri::command(async)]
pub fn craving_log(state: State<'_, AppState>, req: Empty) -> CommandResult<CravingLogView> {
    let Empty {} = req;
    state.with(|k| k.craving_log())
}

#[tauri::command(async)]
pub fn insights(state: State<'_, AppState>, req: Empty) -> CommandResult<Insights> {
    let Empty {} = req;
    state.with(|k| k.insights())
}

#[tauri::command(async)]
pub fn start_surf(state: State<'_, AppState>, req: CravingRef) -> CommandResult<()> {
    state.write(|k| k.start_surf(req))
}

#[tauri::command(async)]
pub fn end_surf(state: State<'_, AppState>, req: EndSurfReq) -> CommandResult<()> {
    state.write(|k| k.end_surf(req))
}
