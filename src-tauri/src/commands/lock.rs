//! The app lock: status, turning the PIN on and off, locking, unlocking (by PIN or biometrics),
//! the auto-lock time, biometric unlock on and off. These run while locked (through
//! `AppState::with_while_locked`); changing or removing the PIN and turning biometrics on or
//! off need a fresh unlock when a PIN is set. An unlock wakes the sync, which pauses while
//! locked.

use kindred_client::lock::{delay_after, Attempt};
use kindred_core::ipc::{
    AutoLockReq, BiometricReq, CommandCode, CommandError, Empty, LockStatus, PinReq, UnlockAnswer,
};
use tauri::{AppHandle, Runtime, State};

use crate::biometric;
use crate::error::CommandResult;
use crate::state::AppState;
use crate::sync::{self as background, Trigger};

fn status<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> CommandResult<LockStatus> {
    let (enabled, auto_lock_minutes, biometric_on) = state.with_while_locked(|k| {
        Ok((k.lock_enabled()?, k.auto_lock_minutes()?, k.biometric_enabled()?))
    })?;
    Ok(LockStatus {
        enabled,
        locked: enabled && state.is_locked(),
        auto_lock_minutes,
        biometric: enabled.then(|| biometric::offered(app)).flatten().map(str::to_owned),
        biometric_on: enabled && biometric_on,
    })
}

/// Unlocked: the UI may show entries again, and the paused sync runs.
fn unlocked<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> UnlockAnswer {
    state.mark_unlocked();
    background::trigger(app, Trigger::Wrote);
    UnlockAnswer { unlocked: true, wait_seconds: 0, message: String::new() }
}

#[tauri::command(async)]
pub fn lock_status<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<LockStatus> {
    let Empty {} = req;
    status(&app, &state)
}

#[tauri::command(async)]
pub fn set_pin<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: PinReq,
) -> CommandResult<LockStatus> {
    state.require_fresh_unlock()?;
    state.with(|k| k.set_pin(&req.pin))?;
    state.mark_unlocked();
    status(&app, &state)
}

#[tauri::command(async)]
pub fn remove_pin<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<LockStatus> {
    let Empty {} = req;
    state.require_fresh_unlock()?;
    state.with(|k| k.remove_pin())?;
    status(&app, &state)
}

#[tauri::command(async)]
pub fn lock_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<LockStatus> {
    let Empty {} = req;
    if state.with_while_locked(|k| k.lock_enabled())? {
        state.lock_now();
    }
    status(&app, &state)
}

#[tauri::command(async)]
pub fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: PinReq,
) -> CommandResult<UnlockAnswer> {
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
        (Attempt::Unlocked, _) => unlocked(&app, &state),
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
pub fn set_auto_lock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: AutoLockReq,
) -> CommandResult<LockStatus> {
    state.with(|k| k.set_auto_lock(req.minutes))?;
    status(&app, &state)
}

/// Turns biometric unlock on (after a fresh unlock and one passed prompt) or off.
#[tauri::command(async)]
pub fn set_biometric<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: BiometricReq,
) -> CommandResult<LockStatus> {
    state.require_fresh_unlock()?;
    if req.on {
        if biometric::offered(&app).is_none() {
            return Err(not_offered());
        }
        let token = kindred_client::biometric::new_token().map_err(crate::error::map)?;
        let wrapped = biometric::enrol(&app, &token)
            .map_err(|e| CommandError { code: CommandCode::Unavailable, message: e.0 })?;
        state.with(|k| k.enable_biometric(&token, wrapped.as_deref()))?;
    } else {
        state.with(|k| k.disable_biometric())?;
    }
    status(&app, &state)
}

/// Unlocks through a biometric prompt. A prompt that doesn't pass is not a wrong PIN: the OS
/// keeps its own limits, and the PIN stays the way in.
#[tauri::command(async)]
pub fn unlock_biometric<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<UnlockAnswer> {
    let Empty {} = req;
    let wrapped = state.with_while_locked(|k| {
        if k.biometric_enabled()? {
            Ok(Some(k.biometric_wrapped()?))
        } else {
            Ok(None)
        }
    })?;
    let Some(wrapped) = wrapped else { return Err(not_offered()) };
    let token = match biometric::verify(&app, wrapped) {
        Ok(token) => token,
        Err(e) => return Ok(UnlockAnswer { unlocked: false, wait_seconds: 0, message: e.0 }),
    };
    if state.with_while_locked(|k| k.biometric_passed(token.as_ref().map(|t| t.as_str())))? {
        Ok(unlocked(&app, &state))
    } else {
        Ok(UnlockAnswer {
            unlocked: false,
            wait_seconds: 0,
            message: "That didn't unlock Kindred. Please use your PIN.".into(),
        })
    }
}

fn not_offered() -> CommandError {
    CommandError {
        code: CommandCode::Unavailable,
        message: "This device doesn't offer a fingerprint or face unlock.".into(),
    }
}
