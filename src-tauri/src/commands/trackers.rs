//! Tracker commands: Today, create, rename, ladder, delete/undo, detail, reset, celebrations,
//! removing a lapse debrief.

use kindred_core::ids::TrackerId;
use kindred_core::ipc::{
    AckCelebrationReq, CreateTrackerReq, DebriefRef, Empty, RenameTrackerReq, ResetTrackerReq,
    SetLadderReq, TodayView, TrackerDetail, TrackerRef,
};
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::notify;
use crate::state::AppState;

#[tauri::command(async)]
pub fn today(state: State<'_, AppState>, req: Empty) -> CommandResult<TodayView> {
    let Empty {} = req;
    state.with(|k| k.today())
}

#[tauri::command(async)]
pub fn create_tracker<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: CreateTrackerReq,
) -> CommandResult<TrackerId> {
    let id = state.write(|k| k.create_tracker(req))?;
    notify::replan(&app);
    Ok(id)
}

#[tauri::command(async)]
pub fn rename_tracker(state: State<'_, AppState>, req: RenameTrackerReq) -> CommandResult<()> {
    state.write(|k| k.rename_tracker(req))
}

#[tauri::command(async)]
pub fn set_ladder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: SetLadderReq,
) -> CommandResult<()> {
    state.write(|k| k.set_ladder(req))?;
    notify::replan(&app);
    Ok(())
}

#[tauri::command(async)]
pub fn delete_tracker<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: TrackerRef,
) -> CommandResult<()> {
    state.write(|k| k.delete_tracker(req))?;
    notify::replan(&app);
    Ok(())
}

#[tauri::command(async)]
pub fn undo_delete_tracker<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: TrackerRef,
) -> CommandResult<()> {
    state.write(|k| k.undo_delete_tracker(req))?;
    notify::replan(&app);
    Ok(())
}

#[tauri::command(async)]
pub fn tracker_detail(state: State<'_, AppState>, req: TrackerRef) -> CommandResult<TrackerDetail> {
    state.with(|k| k.tracker_detail(req))
}

#[tauri::command(async)]
pub fn reset_tracker<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ResetTrackerReq,
) -> CommandResult<()> {
    state.write(|k| k.reset_tracker(req))?;
    notify::replan(&app);
    Ok(())
}

#[tauri::command(async)]
pub fn ack_celebration(state: State<'_, AppState>, req: AckCelebrationReq) -> CommandResult<()> {
    state.write(|k| k.ack_celebration(req))
}

#[tauri::command(async)]
pub fn delete_debrief(state: State<'_, AppState>, req: DebriefRef) -> CommandResult<()> {
    state.write(|k| k.delete_debrief(req))
}
