//! Check-in, goals and relapse-prevention plan commands.

use kindred_core::ipc::{
    AddGoalReq, AddPlanItemReq, CheckInReq, CheckInsView, Empty, ItemRef, PlanView,
    SetGoalStatusReq,
};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command(async)]
pub fn check_in(state: State<'_, AppState>, req: CheckInReq) -> CommandResult<()> {
    state.write(|k| k.check_in(req))
}

#[tauri::command(async)]
pub fn check_ins(state: State<'_, AppState>, req: Empty) -> CommandResult<CheckInsView> {
    let Empty {} = req;
    state.with(|k| k.check_ins())
}

#[tauri::command(async)]
pub fn get_plan(state: State<'_, AppState>, req: Empty) -> CommandResult<PlanView> {
    let Empty {} = req;
    state.with(|k| k.get_plan())
}

#[tauri::command(async)]
pub fn add_plan_item(state: State<'_, AppState>, req: AddPlanItemReq) -> CommandResult<()> {
    state.write(|k| k.add_plan_item(req))
}

#[tauri::command(async)]
pub fn delete_check_in(state: State<'_, AppState>, req: ItemRef) -> CommandResult<()> {
    state.write(|k| k.delete_check_in(req))
}

#[tauri::command(async)]
pub fn delete_plan_item(state: State<'_, AppState>, req: ItemRef) -> CommandResult<()> {
    state.write(|k| k.delete_plan_item(req))
}

#[tauri::command(async)]
pub fn add_goal(state: State<'_, AppState>, req: AddGoalReq) -> CommandResult<()> {
    state.write(|k| k.add_goal(req))
}

#[tauri::command(async)]
pub fn set_goal_status(state: State<'_, AppState>, req: SetGoalStatusReq) -> CommandResult<()> {
    state.write(|k| k.set_goal_status(req))
}

#[tauri::command(async)]
pub fn delete_goal(state: State<'_, AppState>, req: ItemRef) -> CommandResult<()> {
    state.write(|k| k.delete_goal(req))
}
