//! The one binding to Tauri's `invoke` (declared with `catch`, so a command error is a value,
//! not a panic), the generic [`call`] over it, and a typed function per command, plus the one
//! event listener (the sync status). Commands and types come from `kindred_core::ipc`: `call`
//! takes a command marker `C` (`cmd::Today`, …) and sends `C::NAME` with a `C::Req`, answering
//! `C::Resp`, so a wrapper cannot pair a command with another command's types.

use kindred_core::ids::TrackerId;
use kindred_core::ipc::{
    cmd, AckCelebrationReq, AddGoalReq, AddPlanItemReq, AutoLockReq, BiometricReq, CheckInReq,
    CheckInsView, Command, CommandCode, CommandError, ConnectProgramReq, ContactChannel,
    ContactMentorReq, ContactsView, CravingLogView, CravingRef, CravingView, CreateTrackerReq,
    DataDone, DebriefRef, DeleteAllReq, DevicesView, DisclosureLogView, DisconnectView, Empty,
    EndSurfReq, ExportKind, ExportReq, GrantReq, ImportReq, ItemRef, LockStatus, LogCravingReq,
    LoggedCraving, OpenHelpReq, PinReq, PlanView, ProgramHelpReq, ProgramHelpView,
    RenameTrackerReq, ResetTrackerReq, RevokeDeviceReq, RevokeGrantReq, SaveContactReq,
    SaveCravingReq, SetGoalStatusReq, SetLadderReq, SettingsView, SharingView, StoreStatus,
    SyncEvent, SyncStatusView, TodayView, TrackerDetail, TrackerRef, UnlockAnswer, SYNC_EVENT,
};
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
    CommandError { code: CommandCode::Internal, message: message.into() }
}

/// Invokes command `C` with its request; the answer is typed by the list (`C::Resp`). Only the
/// (de)serialisation is per command: the call itself is [`invoke_named`], compiled once.
async fn call<C: Command>(req: &C::Req) -> IpcResult<C::Resp> {
    #[derive(Serialize)]
    struct Args<'a, T> {
        req: &'a T,
    }
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = Args { req }
        .serialize(&ser)
        .map_err(|_| internal("Something went wrong preparing that request."))?;
    let v = invoke_named(C::NAME, args).await?;
    serde_wasm_bindgen::from_value(v)
        .map_err(|_| internal("Kindred got an answer it didn't understand."))
}

/// Calls one command; a refusal becomes the command's error (and "locked" locks the UI).
async fn invoke_named(name: &'static str, args: JsValue) -> IpcResult<JsValue> {
    invoke(name, args).await.map_err(|e| {
        let e: CommandError = serde_wasm_bindgen::from_value(e).unwrap_or_else(|_| {
            internal("Kindred couldn't do that just now. Nothing was lost; please try again.")
        });
        if e.code == CommandCode::Locked {
            crate::state::note_locked();
        }
        e
    })
}

pub async fn today() -> IpcResult<TodayView> {
    call::<cmd::Today>(&Empty {}).await
}

pub async fn create_tracker(req: CreateTrackerReq) -> IpcResult<TrackerId> {
    call::<cmd::CreateTracker>(&req).await
}

pub async fn rename_tracker(req: RenameTrackerReq) -> IpcResult<()> {
    call::<cmd::RenameTracker>(&req).await
}

pub async fn set_ladder(req: SetLadderReq) -> IpcResult<()> {
    call::<cmd::SetLadder>(&req).await
}

pub async fn delete_tracker(id: String) -> IpcResult<()> {
    call::<cmd::DeleteTracker>(&TrackerRef { id }).await
}

pub async fn undo_delete_tracker(id: String) -> IpcResult<()> {
    call::<cmd::UndoDeleteTracker>(&TrackerRef { id }).await
}

pub async fn tracker_detail(id: String) -> IpcResult<TrackerDetail> {
    call::<cmd::TrackerDetail>(&TrackerRef { id }).await
}

pub async fn reset_tracker(req: ResetTrackerReq) -> IpcResult<()> {
    call::<cmd::ResetTracker>(&req).await
}

pub async fn ack_celebration(req: AckCelebrationReq) -> IpcResult<()> {
    call::<cmd::AckCelebration>(&req).await
}

pub async fn delete_debrief(tracker_id: String, reset_id: String) -> IpcResult<()> {
    call::<cmd::DeleteDebrief>(&DebriefRef { tracker_id, reset_id }).await
}

pub async fn get_settings() -> IpcResult<SettingsView> {
    call::<cmd::GetSettings>(&Empty {}).await
}

pub async fn save_settings(req: SettingsView) -> IpcResult<()> {
    call::<cmd::SaveSettings>(&req).await
}

pub async fn log_craving(intensity: i64) -> IpcResult<LoggedCraving> {
    call::<cmd::LogCraving>(&LogCravingReq { intensity }).await
}

pub async fn craving_detail(id: String) -> IpcResult<CravingView> {
    call::<cmd::CravingDetail>(&CravingRef { id }).await
}

pub async fn save_craving(req: SaveCravingReq) -> IpcResult<()> {
    call::<cmd::SaveCraving>(&req).await
}

pub async fn delete_craving(id: String) -> IpcResult<()> {
    call::<cmd::DeleteCraving>(&CravingRef { id }).await
}

pub async fn undo_delete_craving(id: String) -> IpcResult<()> {
    call::<cmd::UndoDeleteCraving>(&CravingRef { id }).await
}

pub async fn craving_log() -> IpcResult<CravingLogView> {
    call::<cmd::CravingLog>(&Empty {}).await
}

pub async fn get_contacts() -> IpcResult<ContactsView> {
    call::<cmd::GetContacts>(&Empty {}).await
}

pub async fn save_contact(req: SaveContactReq) -> IpcResult<()> {
    call::<cmd::SaveContact>(&req).await
}

pub async fn contact_mentor(req: ContactMentorReq) -> IpcResult<()> {
    call::<cmd::ContactMentor>(&req).await
}

pub async fn open_help(id: &str) -> IpcResult<()> {
    call::<cmd::OpenHelp>(&OpenHelpReq { id: id.to_owned() }).await
}

pub async fn check_in(req: CheckInReq) -> IpcResult<()> {
    call::<cmd::CheckIn>(&req).await
}

pub async fn check_ins() -> IpcResult<CheckInsView> {
    call::<cmd::CheckIns>(&Empty {}).await
}

pub async fn get_plan() -> IpcResult<PlanView> {
    call::<cmd::GetPlan>(&Empty {}).await
}

pub async fn add_plan_item(req: AddPlanItemReq) -> IpcResult<()> {
    call::<cmd::AddPlanItem>(&req).await
}

pub async fn delete_check_in(id: String) -> IpcResult<()> {
    call::<cmd::DeleteCheckIn>(&ItemRef { id }).await
}

pub async fn delete_plan_item(id: String) -> IpcResult<()> {
    call::<cmd::DeletePlanItem>(&ItemRef { id }).await
}

pub async fn add_goal(req: AddGoalReq) -> IpcResult<()> {
    call::<cmd::AddGoal>(&req).await
}

pub async fn set_goal_status(
    id: String,
    status: kindred_core::model::plan::GoalStatus,
) -> IpcResult<()> {
    call::<cmd::SetGoalStatus>(&SetGoalStatusReq { id, status }).await
}

pub async fn delete_goal(id: String) -> IpcResult<()> {
    call::<cmd::DeleteGoal>(&ItemRef { id }).await
}

pub async fn insights() -> IpcResult<kindred_core::insights::Insights> {
    call::<cmd::Insights>(&Empty {}).await
}

pub async fn export_data(kind: ExportKind, passphrase: String) -> IpcResult<DataDone> {
    call::<cmd::ExportData>(&ExportReq { kind, passphrase }).await
}

pub async fn import_data(passphrase: String) -> IpcResult<DataDone> {
    call::<cmd::ImportData>(&ImportReq { passphrase }).await
}

pub async fn lock_status() -> IpcResult<LockStatus> {
    call::<cmd::LockStatusCmd>(&Empty {}).await
}

pub async fn set_pin(pin: String) -> IpcResult<LockStatus> {
    call::<cmd::SetPin>(&PinReq { pin }).await
}

pub async fn remove_pin() -> IpcResult<LockStatus> {
    call::<cmd::RemovePin>(&Empty {}).await
}

pub async fn lock_now() -> IpcResult<LockStatus> {
    call::<cmd::LockNow>(&Empty {}).await
}

pub async fn unlock(pin: String) -> IpcResult<UnlockAnswer> {
    call::<cmd::Unlock>(&PinReq { pin }).await
}

pub async fn set_biometric(on: bool) -> IpcResult<LockStatus> {
    call::<cmd::SetBiometric>(&BiometricReq { on }).await
}

pub async fn unlock_biometric() -> IpcResult<UnlockAnswer> {
    call::<cmd::UnlockBiometric>(&Empty {}).await
}

pub async fn set_auto_lock(minutes: u32) -> IpcResult<LockStatus> {
    call::<cmd::SetAutoLock>(&AutoLockReq { minutes }).await
}

pub async fn store_status() -> IpcResult<StoreStatus> {
    call::<cmd::StoreStatusCmd>(&Empty {}).await
}

pub async fn start_fresh() -> IpcResult<DataDone> {
    call::<cmd::StartFresh>(&Empty {}).await
}

/// Today has painted with its data (P3's end mark; see the shell's `ui_ready`).
pub async fn ui_ready() -> IpcResult<()> {
    call::<cmd::UiReady>(&Empty {}).await
}

pub async fn delete_all_data(confirm: String, this_phone_only: bool) -> IpcResult<DataDone> {
    call::<cmd::DeleteAllData>(&DeleteAllReq { confirm, this_phone_only }).await
}

pub async fn start_surf(id: String) -> IpcResult<()> {
    call::<cmd::StartSurf>(&CravingRef { id }).await
}

pub async fn end_surf(id: String, end_intensity: i64) -> IpcResult<()> {
    call::<cmd::EndSurf>(&EndSurfReq { id, end_intensity }).await
}

pub async fn sync_status() -> IpcResult<SyncStatusView> {
    call::<cmd::SyncStatus>(&Empty {}).await
}

pub async fn connect_program(server: String, code: String) -> IpcResult<SyncStatusView> {
    call::<cmd::ConnectProgram>(&ConnectProgramReq { server, code }).await
}

pub async fn disconnect_program() -> IpcResult<DisconnectView> {
    call::<cmd::DisconnectProgram>(&Empty {}).await
}

pub async fn program_devices() -> IpcResult<DevicesView> {
    call::<cmd::ProgramDevices>(&Empty {}).await
}

pub async fn revoke_device(id: String) -> IpcResult<DevicesView> {
    call::<cmd::RevokeDevice>(&RevokeDeviceReq { id }).await
}

pub async fn sync_now() -> IpcResult<SyncStatusView> {
    call::<cmd::SyncNow>(&Empty {}).await
}

pub async fn program_help() -> IpcResult<ProgramHelpView> {
    call::<cmd::ProgramHelp>(&Empty {}).await
}

pub async fn call_program_help(id: String, channel: ContactChannel) -> IpcResult<()> {
    call::<cmd::CallProgramHelp>(&ProgramHelpReq { id, channel }).await
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

pub async fn sharing() -> IpcResult<SharingView> {
    call::<cmd::Sharing>(&Empty {}).await
}

pub async fn grant_sharing(req: GrantReq) -> IpcResult<SharingView> {
    call::<cmd::GrantSharing>(&req).await
}

pub async fn revoke_sharing(grant_id: String) -> IpcResult<SharingView> {
    call::<cmd::RevokeSharing>(&RevokeGrantReq { grant_id }).await
}

pub async fn disclosure_log() -> IpcResult<DisclosureLogView> {
    call::<cmd::DisclosureLog>(&Empty {}).await
}
