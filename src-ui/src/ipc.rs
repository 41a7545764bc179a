//! The one binding to Tauri's `invoke` (declared with `catch`, so a command error is a value,
//! not a panic) and a typed function per command, plus the one event listener (the sync
//! status). Types come from `kindred_core::ipc`.

use kindred_core::ids::TrackerId;
use kindred_core::ipc::{
    cmd, AckCelebrationReq, AddGoalReq, AddPlanItemReq, CheckInReq, CheckInsView, CommandError,
    ConnectProgramReq, ContactChannel, ContactMentorReq, ContactsView, CravingLogView, CravingRef,
    CravingView, CreateTrackerReq, Empty, ItemRef, LogCravingReq, LoggedCraving, OpenHelpReq,
    PlanView, ProgramHelpReq, ProgramHelpView, RenameTrackerReq, ResetTrackerReq, SaveContactReq,
    SaveCravingReq, SetGoalStatusReq, SetLadderReq, SettingsView, SyncEvent, SyncStatusView,
    TodayView, TrackerDetail, TrackerRef, SYNC_EVENT,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"])]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Result of a command as the UI sees it.
pub type IpcResult<T> = Result<T, CommandError>;

fn internal(message: &str) -> CommandError {
    CommandError { code: "internal".into(), message: message.into() }
}

async fn call<Req: Serialize, Resp: DeserializeOwned>(name: &str, req: &Req) -> IpcResult<Resp> {
    #[derive(Serialize)]
    struct Args<'a, T> {
        req: &'a T,
    }
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = Args { req }
        .serialize(&ser)
        .map_err(|_| internal("Something went wrong preparing that request."))?;
    match invoke(name, args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v)
            .map_err(|_| internal("Kindred got an answer it didn't understand.")),
        Err(e) => Err(serde_wasm_bindgen::from_value(e).unwrap_or_else(|_| {
            internal("Kindred couldn't do that just now. Nothing was lost; please try again.")
        })),
    }
}

pub async fn today() -> IpcResult<TodayView> {
    call(cmd::TODAY, &Empty {}).await
}

pub async fn create_tracker(req: CreateTrackerReq) -> IpcResult<TrackerId> {
    call(cmd::CREATE_TRACKER, &req).await
}

pub async fn rename_tracker(req: RenameTrackerReq) -> IpcResult<()> {
    call(cmd::RENAME_TRACKER, &req).await
}

pub async fn set_ladder(req: SetLadderReq) -> IpcResult<()> {
    call(cmd::SET_LADDER, &req).await
}

pub async fn delete_tracker(id: String) -> IpcResult<()> {
    call(cmd::DELETE_TRACKER, &TrackerRef { id }).await
}

pub async fn undo_delete_tracker(id: String) -> IpcResult<()> {
    call(cmd::UNDO_DELETE_TRACKER, &TrackerRef { id }).await
}

pub async fn tracker_detail(id: String) -> IpcResult<TrackerDetail> {
    call(cmd::TRACKER_DETAIL, &TrackerRef { id }).await
}

pub async fn reset_tracker(req: ResetTrackerReq) -> IpcResult<()> {
    call(cmd::RESET_TRACKER, &req).await
}

pub async fn ack_celebration(req: AckCelebrationReq) -> IpcResult<()> {
    call(cmd::ACK_CELEBRATION, &req).await
}

pub async fn get_settings() -> IpcResult<SettingsView> {
    call(cmd::GET_SETTINGS, &Empty {}).await
}

pub async fn save_settings(req: SettingsView) -> IpcResult<()> {
    call(cmd::SAVE_SETTINGS, &req).await
}

pub async fn log_craving(intensity: i64) -> IpcResult<LoggedCraving> {
    call(cmd::LOG_CRAVING, &LogCravingReq { intensity }).await
}

pub async fn craving_detail(id: String) -> IpcResult<CravingView> {
    call(cmd::CRAVING_DETAIL, &CravingRef { id }).await
}

pub async fn save_craving(req: SaveCravingReq) -> IpcResult<()> {
    call(cmd::SAVE_CRAVING, &req).await
}

pub async fn delete_craving(id: String) -> IpcResult<()> {
    call(cmd::DELETE_CRAVING, &CravingRef { id }).await
}

pub async fn undo_delete_craving(id: String) -> IpcResult<()> {
    call(cmd::UNDO_DELETE_CRAVING, &CravingRef { id }).await
}

pub async fn craving_log() -> IpcResult<CravingLogView> {
    call(cmd::CRAVING_LOG, &Empty {}).await
}

pub async fn get_contacts() -> IpcResult<ContactsView> {
    call(cmd::GET_CONTACTS, &Empty {}).await
}

pub async fn save_contact(req: SaveContactReq) -> IpcResult<()> {
    call(cmd::SAVE_CONTACT, &req).await
}

pub async fn contact_mentor(req: ContactMentorReq) -> IpcResult<()> {
    call(cmd::CONTACT_MENTOR, &req).await
}

pub async fn open_help(id: &str) -> IpcResult<()> {
    call(cmd::OPEN_HELP, &OpenHelpReq { id: id.to_owned() }).await
}

pub async fn check_in(req: CheckInReq) -> IpcResult<()> {
    call(cmd::CHECK_IN, &req).await
}

pub async fn check_ins() -> IpcResult<CheckInsView> {
    call(cmd::CHECK_INS, &Empty {}).await
}

pub async fn get_plan() -> IpcResult<PlanView> {
    call(cmd::GET_PLAN, &Empty {}).await
}

pub async fn add_plan_item(req: AddPlanItemReq) -> IpcResult<()> {
    call(cmd::ADD_PLAN_ITEM, &req).await
}

pub async fn delete_plan_item(id: String) -> IpcResult<()> {
    call(cmd::DELETE_PLAN_ITEM, &ItemRef { id }).await
}

pub async fn add_goal(req: AddGoalReq) -> IpcResult<()> {
    call(cmd::ADD_GOAL, &req).await
}

pub async fn set_goal_status(
    id: String,
    status: kindred_core::model::plan::GoalStatus,
) -> IpcResult<()> {
    call(cmd::SET_GOAL_STATUS, &SetGoalStatusReq { id, status }).await
}

pub async fn delete_goal(id: String) -> IpcResult<()> {
    call(cmd::DELETE_GOAL, &ItemRef { id }).await
}

pub async fn insights() -> IpcResult<kindred_core::insights::Insights> {
    call(cmd::INSIGHTS, &Empty {}).await
}

pub async fn export_data(
    kind: kindred_core::ipc::ExportKind,
) -> IpcResult<kindred_core::ipc::DataDone> {
    call(cmd::EXPORT_DATA, &kindred_core::ipc::ExportReq { kind }).await
}

pub async fn import_data() -> IpcResult<kindred_core::ipc::DataDone> {
    call(cmd::IMPORT_DATA, &Empty {}).await
}

pub async fn delete_all_data(confirm: String) -> IpcResult<()> {
    call(cmd::DELETE_ALL_DATA, &kindred_core::ipc::DeleteAllReq { confirm }).await
}

pub async fn start_surf(id: String) -> IpcResult<()> {
    call(cmd::START_SURF, &CravingRef { id }).await
}

pub async fn end_surf(id: String, end_intensity: i64) -> IpcResult<()> {
    call(cmd::END_SURF, &kindred_core::ipc::EndSurfReq { id, end_intensity }).await
}

pub async fn sync_status() -> IpcResult<SyncStatusView> {
    call(cmd::SYNC_STATUS, &Empty {}).await
}

pub async fn connect_program(server: String, code: String) -> IpcResult<SyncStatusView> {
    call(cmd::CONNECT_PROGRAM, &ConnectProgramReq { server, code }).await
}

pub async fn disconnect_program() -> IpcResult<SyncStatusView> {
    call(cmd::DISCONNECT_PROGRAM, &Empty {}).await
}

pub async fn sync_now() -> IpcResult<SyncStatusView> {
    call(cmd::SYNC_NOW, &Empty {}).await
}

pub async fn program_help() -> IpcResult<ProgramHelpView> {
    call(cmd::PROGRAM_HELP, &Empty {}).await
}

pub async fn call_program_help(id: String, channel: ContactChannel) -> IpcResult<()> {
    call(cmd::CALL_PROGRAM_HELP, &ProgramHelpReq { id, channel }).await
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "event"])]
    async fn listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>)
        -> Result<JsValue, JsValue>;
}

/// Calls `f` with every [`SyncEvent`] the shell emits, for the life of the page.
pub fn on_sync(mut f: impl FnMut(SyncEvent) + 'static) {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload"));
        if let Some(e) = payload.ok().and_then(|p| serde_wasm_bindgen::from_value(p).ok()) {
            f(e);
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        if listen(SYNC_EVENT, &handler).await.is_ok() {
            // The listener lives as long as the page.
            handler.forget();
        }
    });
}
