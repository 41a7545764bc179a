//! The app lock (SECURITY.md LK-1..LK-4): its state, turning it on and off, locking, unlocking
//! (by PIN or biometrics) and the auto-lock time. While locked, every command except these, the help lines and the
//! store status answers [`super::CommandCode::Locked`].

use serde::{Deserialize, Serialize};

/// The auto-lock times the mentee can choose, in minutes.
pub const AUTO_LOCK_CHOICES: &[u32] = &[1, 5, 15, 60];
/// The auto-lock time until the mentee chooses one, in minutes.
pub const AUTO_LOCK_DEFAULT: u32 = 5;

/// The lock as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockStatus {
    /// A PIN is set.
    pub enabled: bool,
    /// The app is locked now: nothing but help until the PIN is entered.
    pub locked: bool,
    /// Lock after this many idle minutes.
    pub auto_lock_minutes: u32,
    /// What the device offers to unlock with instead of the PIN, in words for a button
    /// ("your fingerprint", "your face"); `None` where there is nothing (desktop Linux).
    pub biometric: Option<String>,
    /// Biometric unlock is on.
    pub biometric_on: bool,
}

/// Turn biometric unlock on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BiometricReq {
    pub on: bool,
}

/// A PIN the mentee typed (to set it, or to unlock). Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinReq {
    pub pin: String,
}

impl std::fmt::Debug for PinReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinReq(…)")
    }
}

/// How an unlock went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockAnswer {
    pub unlocked: bool,
    /// Seconds before the next try is taken (0: now).
    pub wait_seconds: u32,
    /// A calm sentence when not unlocked.
    pub message: String,
}

/// Choose the auto-lock time (one of [`AUTO_LOCK_CHOICES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoLockReq {
    pub minutes: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_never_prints_and_requests_refuse_unknown_fields() {
        assert_eq!(format!("{:?}", PinReq { pin: "4821".into() }), "PinReq(…)");
        assert!(serde_json::from_str::<PinReq>(r#"{"pin":"1234","x":1}"#).is_err());
        assert!(serde_json::from_str::<AutoLockReq>(r#"{"minutes":5}"#).is_ok());
        assert!(serde_json::from_str::<BiometricReq>(r#"{"on":true,"token":"x"}"#).is_err());
        assert!(AUTO_LOCK_CHOICES.contains(&AUTO_LOCK_DEFAULT));
    }
}
