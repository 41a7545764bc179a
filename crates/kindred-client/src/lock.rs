//! The app lock's PIN (SECURITY.md LK-1): stored only as an Argon2id hash (m = 19 MiB, t = 2,
//! p = 1, a random 16-byte salt; PHC string) in the encrypted store's device-only `sync_state`,
//! never in a log, never synced or exported. Failed tries are counted in the store too (a
//! restart doesn't reset them), and each failure past the first few makes the next try wait
//! longer ([`delay_after`]). A right PIN clears the count.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::store::{state_get, state_set};
use crate::{Error, Kindred, Result};

/// `sync_state` key of the PIN's hash (absent: no lock).
const PIN_HASH: &str = "lock_pin_hash";
/// `sync_state` key of the failed tries since the last right PIN.
const FAILURES: &str = "lock_failures";
/// `sync_state` key of the earliest time (unix ms) the next try is taken.
const RETRY_AT: &str = "lock_retry_at";
/// `sync_state` key of the auto-lock time in minutes.
const AUTO_LOCK: &str = "lock_auto_minutes";

/// Shortest and longest PIN, in digits.
pub const PIN_MIN: usize = 4;
pub const PIN_MAX: usize = 12;
/// Argon2id memory in KiB (19 MiB), passes and lanes (OWASP's first choice).
const M_KIB: u32 = 19 * 1024;
const T: u32 = 2;
const P: u32 = 1;

/// How long the next try waits after `failures` wrong PINs in a row, in ms: the first four
/// are free (typos happen), then 30 s, 1 min, 5 min, 15 min, and 30 min from the eighth on.
pub fn delay_after(failures: u32) -> i64 {
    match failures {
        0..=4 => 0,
        5 => 30_000,
        6 => 60_000,
        7 => 5 * 60_000,
        8 => 15 * 60_000,
        _ => 30 * 60_000,
    }
}

/// A PIN the mentee chose: 4–12 digits.
fn check_format(pin: &str) -> Result<()> {
    let n = pin.chars().count();
    if !(PIN_MIN..=PIN_MAX).contains(&n) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::Lock(format!("Please use {PIN_MIN} to {PIN_MAX} digits for your PIN.")));
    }
    Ok(())
}

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(M_KIB, T, P, None)
        .map_err(|_| Error::Lock("The PIN couldn't be saved. Please try again.".into()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The result of a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The right PIN (the failure count is cleared).
    Unlocked,
    /// A wrong PIN; the next try is taken from `retry_at_ms` (unix ms; now when no wait).
    Wrong { failures: u32, retry_at_ms: i64 },
    /// Too soon after a wrong PIN: nothing was checked.
    Wait { retry_at_ms: i64 },
}

impl Kindred {
    /// Whether a PIN is set.
    pub fn lock_enabled(&mut self) -> Result<bool> {
        self.store.read(|tx| Ok(state_get(tx, PIN_HASH)?.is_some()))
    }

    /// The auto-lock time in minutes.
    pub fn auto_lock_minutes(&mut self) -> Result<u32> {
        use kindred_core::ipc::{AUTO_LOCK_CHOICES, AUTO_LOCK_DEFAULT};
        let v = self.store.read(|tx| state_get(tx, AUTO_LOCK))?;
        Ok(v.and_then(|v| v.parse().ok())
            .filter(|m| AUTO_LOCK_CHOICES.contains(m))
            .unwrap_or(AUTO_LOCK_DEFAULT))
    }

    /// Chooses the auto-lock time (one of the offered choices).
    pub fn set_auto_lock(&mut self, minutes: u32) -> Result<()> {
        if !kindred_core::ipc::AUTO_LOCK_CHOICES.contains(&minutes) {
            return Err(Error::Lock("Please pick one of the times offered.".into()));
        }
        self.store.write(|tx| state_set(tx, AUTO_LOCK, &minutes.to_string()))
    }

    /// Sets (or changes) the PIN. Only its Argon2id hash is kept.
    pub fn set_pin(&mut self, pin: &str) -> Result<()> {
        check_format(pin)?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|_| Error::Lock("The PIN couldn't be saved. Please try again.".into()))?;
        let salt = SaltString::encode_b64(&salt)
            .map_err(|_| Error::Lock("The PIN couldn't be saved. Please try again.".into()))?;
        let pin = Zeroizing::new(pin.as_bytes().to_vec());
        let phc = hasher()?
            .hash_password(&pin, &salt)
            .map_err(|_| Error::Lock("The PIN couldn't be saved. Please try again.".into()))?
            .to_string();
        self.store.write(|tx| {
            state_set(tx, PIN_HASH, &phc)?;
            state_set(tx, FAILURES, "0")?;
            tx.execute("DELETE FROM sync_state WHERE key = ?1", [RETRY_AT])?;
            Ok(())
        })
    }

    /// Turns the lock off (the caller has checked a fresh unlock); biometric unlock goes with it.
    pub fn remove_pin(&mut self) -> Result<()> {
        self.store.write(|tx| {
            tx.execute(
                "DELETE FROM sync_state WHERE key IN (?1, ?2, ?3)",
                [PIN_HASH, FAILURES, RETRY_AT],
            )?;
            Ok(())
        })?;
        self.disable_biometric()
    }

    /// Forgets the failed tries (after a right PIN or a biometric unlock).
    pub(crate) fn clear_lock_failures(&mut self) -> Result<()> {
        self.store.write(|tx| {
            state_set(tx, FAILURES, "0")?;
            tx.execute("DELETE FROM sync_state WHERE key = ?1", [RETRY_AT])?;
            Ok(())
        })
    }

    /// Checks `pin`, honouring and extending the delay after failures.
    pub fn try_pin(&mut self, pin: &str) -> Result<Attempt> {
        let now_ms = self.now().timestamp_millis();
        let (phc, failures, retry_at) = self.store.read(|tx| {
            Ok((
                state_get(tx, PIN_HASH)?,
                state_get(tx, FAILURES)?.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0),
                state_get(tx, RETRY_AT)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0),
            ))
        })?;
        let Some(phc) = phc else { return Ok(Attempt::Unlocked) };
        if now_ms < retry_at {
            return Ok(Attempt::Wait { retry_at_ms: retry_at });
        }
        let hash = PasswordHash::new(&phc)
            .map_err(|_| Error::Lock("The saved PIN can't be read.".into()))?;
        let pin = Zeroizing::new(pin.as_bytes().to_vec());
        if hasher()?.verify_password(&pin, &hash).is_ok() {
            self.clear_lock_failures()?;
            return Ok(Attempt::Unlocked);
        }
        let failures = failures.saturating_add(1);
        let retry_at_ms = now_ms + delay_after(failures);
        self.store.write(|tx| {
            state_set(tx, FAILURES, &failures.to_string())?;
            state_set(tx, RETRY_AT, &retry_at_ms.to_string())?;
            Ok(())
        })?;
        Ok(Attempt::Wrong { failures, retry_at_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_first_few_tries_and_stay_bounded() {
        assert_eq!(delay_after(1), 0);
        assert_eq!(delay_after(4), 0);
        assert!(delay_after(5) > 0);
        for n in 5..40 {
            assert!(delay_after(n + 1) >= delay_after(n));
        }
        assert_eq!(delay_after(u32::MAX), 30 * 60_000);
    }

    #[test]
    fn pins_are_four_to_twelve_digits() {
        for ok in ["1234", "000000", "123456789012"] {
            assert!(check_format(ok).is_ok(), "{ok}");
        }
        for bad in ["", "123", "1234567890123", "12a4", "12 34", "١٢٣٤"] {
            assert!(check_format(bad).is_err(), "{bad}");
        }
    }
}
