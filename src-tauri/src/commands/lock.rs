//! The app lock: status, turning the PIN on and off, locking, unlocking, the auto-lock time.
//! These run while locked (through `AppState::with_while_locked`); changing or removing the PIN
//! needs a fresh unlock when a PIN is set.

use kindred_client::lock::{delay_after, Attempt};
use kindred_core::ipc::{AutoLockReq, Empty, LockStatus, PinReq, UnlockAnswer};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

fn status(state: &AppState) -> CommandResult<LockStatus> {
    let (enabled, auto_lock_minutes) =
        state.with_while_locked(|k| Ok((k.lock_enabled()?, k.auto_lock_minutes()?)))?;
    Ok(LockStatus { enabled, locked: enabled && state.is_locked(), auto_lock_minutes })
}

#[tauri::command(async)]
pub fn lock_status(state: State<'_, AppState>, req: Empty) -> CommandResult<LockStatus> {
    let Empty {} = req;
    status(&state)
}

#[tauri::command(async)]
pub fn set_pin(state: State<'_, AppState>, req: PinReq) -> CommandResult<LockStatus> {
    state.require_fresh_unlock()?;
    state.with(|k| k.set_pin(&req.pin))?;
    state.mark_unlocked();
    status(&state)
}

#[tauri::command(async)]
pub fn remove_pin(state: State<'_, AppState>, req: Empty) -> CommandResult<LockStatus> {
    let Empty {} = req;
    state.require_fresh_unlock()?;
    state.with(|k| k.remove_pin())?;
    status(&state)
}

#[tauri::command(async)]
pub fn lock_now(state: State<'_, AppState>, req: Empty) -> CommandResult<LockStatus> {
    let Empty {} = req;
    if state.with_while_locked(|k| k.lock_enabled())? {
        state.lock_now();
    }
    status(&state)
}

#[tauri::command(async)]
pub fn unlock(state: State<'_, AppState>, req: PinReq) -> CommandResult<UnlockAnswer> {
    let attempt = state.with_while_locked(|k| {
        let attempt = k.try_pin(&req.pin)?;
        // Read after the try, so a wrong PIN without a wait never shows one.
        let now = kindred_core::clock::Clock::now(&*k.clock()).timestamp_millis();
        Ok((attempt, now))
    })?;
    let wait = |retry_at_ms: i64, now: i64| {
        u32::try_from(((retry_at_ms - now).max(0) + 999) / 1000).unwrap_or(u32::MAX)
    };
    Ok(match attempt {
        (Attempt::Unlocked, _) => {
            state.mark_unlocked();
            UnlockAnswer { unlocked: true, wait_seconds: 0, message: String::new() }
        }
        (Attempt::Wrong { failures, .. }, _) if delay_after(failures) == 0 => UnlockAnswer {
            unlocked: false,
            wait_seconds: 0,
            message: "That PIN isn't right. Please try again.".into(),
        },
        (Attempt::Wrong { retry_at_ms, .. } | Attempt::Wait { retry_at_ms }, now) => {
            let s = wait(retry_at_ms, now).max(1);
            let unit = if s == 1 { "second" } else { "seconds" };
            UnlockAnswer {
                unlocked: false,
                wait_seconds: s,
                message: format!(
                    "That PIN isn't right. To keep your entries safe, the next try can be made \
                     in {s} {unit}. \"Get help\" works meanwhile."
                ),
            }
        }
    })
}

#[tauri::command(async)]
pub fn set_auto_lock(state: State<'_, AppState>, req: AutoLockReq) -> CommandResult<LockStatus> {
    state.with(|k| k.set_auto_lock(req.minutes))?;
    status(&state)
}
