//! Biometric unlock, the store's half (SECURITY.md LK-1, LK-4). Biometrics are an alternative
//! to the PIN, never a replacement: they can be turned on only while a PIN is set, and removing
//! the PIN turns them off.
//!
//! Turning them on makes an unlock token (32 random bytes, hex) and keeps only its SHA-256 in
//! `sync_state`. Where the platform can (Android), the shell has the token encrypted by a
//! keystore key that only a successful biometric prompt unlocks (`BiometricPrompt` with a
//! `CryptoObject`), and the store keeps that ciphertext; unlocking decrypts it through a new
//! prompt and the token must match the hash. Where the platform only answers pass or fail
//! (iOS, macOS), no ciphertext is kept and the shell trusts the OS answer. The token and the
//! ciphertext never leave the device: `sync_state` is neither synced nor exported.

use sha2::Digest;
use zeroize::Zeroizing;

use crate::keys::DbKey;
use crate::store::{state_get, state_set};
use crate::{Error, Kindred, Result};

/// `sync_state` key of the SHA-256 (hex) of the unlock token (absent: biometrics off).
const CHECK: &str = "lock_bio_check";
/// `sync_state` key of the token as encrypted by the auth-bound keystore key (Android).
const WRAPPED: &str = "lock_bio_wrapped";

/// A fresh unlock token: 32 bytes from the OS CSPRNG as 64 hex digits (wiped on drop).
pub fn new_token() -> Result<Zeroizing<String>> {
    let key = DbKey::generate().map_err(|_| refused())?;
    Ok(key.to_secret())
}

fn digest(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn refused() -> Error {
    Error::Lock("Unlocking with biometrics couldn't be turned on. Your PIN still works.".into())
}

impl Kindred {
    /// Whether biometric unlock is on.
    pub fn biometric_enabled(&mut self) -> Result<bool> {
        self.store.read(|tx| Ok(state_get(tx, CHECK)?.is_some()))
    }

    /// Turns biometric unlock on with `token`, and the platform's encrypted copy of it when
    /// there is one. Refused without a PIN.
    pub fn enable_biometric(&mut self, token: &str, wrapped: Option<&str>) -> Result<()> {
        if !self.lock_enabled()? {
            return Err(Error::Lock(
                "Please set a PIN first; it stays the way in when biometrics don't work.".into(),
            ));
        }
        if DbKey::from_secret(token).is_none() || wrapped.is_some_and(|w| w.trim().is_empty()) {
            return Err(refused());
        }
        let check = digest(token);
        self.store.write(|tx| {
            state_set(tx, CHECK, &check)?;
            match wrapped {
                Some(w) => state_set(tx, WRAPPED, w)?,
                None => {
                    tx.execute("DELETE FROM sync_state WHERE key = ?1", [WRAPPED])?;
                }
            }
            Ok(())
        })
    }

    /// Turns biometric unlock off (the PIN stays).
    pub fn disable_biometric(&mut self) -> Result<()> {
        self.store.write(|tx| {
            tx.execute("DELETE FROM sync_state WHERE key IN (?1, ?2)", [CHECK, WRAPPED])?;
            Ok(())
        })
    }

    /// The platform's encrypted token, to decrypt through a biometric prompt (Android).
    pub fn biometric_wrapped(&mut self) -> Result<Option<String>> {
        self.store.read(|tx| state_get(tx, WRAPPED))
    }

    /// Whether a biometric prompt that passed unlocks: with the `token` the platform decrypted
    /// (it must be the one made when biometrics were turned on), or, on a pass/fail platform,
    /// with none, which counts only when biometrics are on and no encrypted copy was kept. An
    /// unlock clears the PIN's failed tries.
    pub fn biometric_passed(&mut self, token: Option<&str>) -> Result<bool> {
        let (check, wrapped) =
            self.store.read(|tx| Ok((state_get(tx, CHECK)?, state_get(tx, WRAPPED)?)))?;
        let ok = match (check, wrapped, token) {
            (Some(check), Some(_), Some(token)) => digest(token) == check,
            (Some(_), None, None) => true,
            _ => false,
        };
        if ok {
            self.clear_lock_failures()?;
        }
        Ok(ok)
    }
}
