//! The app lock's PIN on a real store (SECURITY.md LK-1): only an Argon2id hash with the
//! required cost is kept (never the PIN, in any file), wrong tries are counted across restarts
//! and wait longer and longer, a right PIN clears the count, and turning the lock off forgets
//! the hash.

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::lock::{delay_after, Attempt};
use kindred_core::clock::Clock;
use kindred_tests::{open_device, plain_options, ManualClock};

const TZ: Tz = chrono_tz::America::Denver;
const PIN: &str = "480215";

fn clock() -> ManualClock {
    ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 3, 7, 30, 0).unwrap())
}

fn raw(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(e.unwrap().path()).unwrap_or_default());
    }
    all
}

#[test]
fn only_an_argon2id_hash_is_kept_and_wrong_tries_wait_longer() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    // A plain file on purpose, so its raw bytes can be searched.
    let mut k = open_device(dir.path(), plain_options(&c, TZ)).unwrap();
    assert!(!k.lock_enabled().unwrap());
    assert_eq!(k.try_pin("0000").unwrap(), Attempt::Unlocked, "no lock, nothing to check");
    assert!(k.set_pin("12").is_err());
    assert!(k.set_pin("12ab").is_err());
    k.set_pin(PIN).unwrap();
    assert!(k.lock_enabled().unwrap());
    k.store_mut().checkpoint().unwrap();
    let bytes = raw(dir.path());
    assert!(!bytes.windows(PIN.len()).any(|w| w == PIN.as_bytes()), "the PIN is in no file");
    let needle = b"$argon2id$v=19$m=19456,t=2,p=1$";
    assert!(
        bytes.windows(needle.len()).any(|w| w == needle),
        "an Argon2id hash, m=19 MiB, t=2, p=1"
    );

    // Four free wrong tries, then waits that grow, kept across a restart.
    for n in 1..=4 {
        let now = c.now().timestamp_millis();
        assert_eq!(k.try_pin("111111").unwrap(), Attempt::Wrong { failures: n, retry_at_ms: now });
    }
    let now = c.now().timestamp_millis();
    assert_eq!(
        k.try_pin("111111").unwrap(),
        Attempt::Wrong { failures: 5, retry_at_ms: now + delay_after(5) }
    );
    drop(k);
    let mut k = open_device(dir.path(), plain_options(&c, TZ)).unwrap();
    // Even the right PIN waits its turn.
    assert_eq!(k.try_pin(PIN).unwrap(), Attempt::Wait { retry_at_ms: now + delay_after(5) });
    c.advance(Duration::milliseconds(delay_after(5)));
    assert_eq!(k.try_pin(PIN).unwrap(), Attempt::Unlocked);
    // The count starts again after a right PIN.
    let now = c.now().timestamp_millis();
    assert_eq!(k.try_pin("222222").unwrap(), Attempt::Wrong { failures: 1, retry_at_ms: now });
    k.remove_pin().unwrap();
    assert!(!k.lock_enabled().unwrap());
}

#[test]
fn biometric_unlock_needs_a_pin_and_the_right_token_and_goes_with_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut k = open_device(dir.path(), plain_options(&c, TZ)).unwrap();
    let token = kindred_client::biometric::new_token().unwrap();
    assert_eq!(token.len(), 64);
    assert_ne!(*token, *kindred_client::biometric::new_token().unwrap(), "tokens are random");
    // No PIN: refused, stays off, and a passed prompt unlocks nothing.
    assert!(k.enable_biometric(&token, Some("wrapped-by-the-keystore")).is_err());
    assert!(!k.biometric_enabled().unwrap());
    assert!(!k.biometric_passed(None).unwrap());
    k.set_pin(PIN).unwrap();
    assert!(k.enable_biometric("not a token", None).is_err());
    // Android: the keystore's encrypted copy is kept; only the right token unlocks.
    k.enable_biometric(&token, Some("wrapped-by-the-keystore")).unwrap();
    assert!(k.biometric_enabled().unwrap());
    assert_eq!(k.biometric_wrapped().unwrap().as_deref(), Some("wrapped-by-the-keystore"));
    assert!(!k.biometric_passed(None).unwrap(), "an encrypted copy needs its token back");
    let other = kindred_client::biometric::new_token().unwrap();
    assert!(!k.biometric_passed(Some(&other)).unwrap());
    // A right token also clears failed PIN tries.
    for _ in 0..6 {
        let _ = k.try_pin("000000").unwrap();
    }
    assert!(matches!(k.try_pin(PIN).unwrap(), Attempt::Wait { .. }));
    assert!(k.biometric_passed(Some(&token)).unwrap());
    assert_eq!(k.try_pin(PIN).unwrap(), Attempt::Unlocked);
    // Neither the token nor its hash is in any file; the hash is in the store, not the token.
    k.store_mut().checkpoint().unwrap();
    let bytes = raw(dir.path());
    assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    // A pass/fail platform (iOS): no copy kept, the OS answer counts.
    k.enable_biometric(&token, None).unwrap();
    assert_eq!(k.biometric_wrapped().unwrap(), None);
    assert!(k.biometric_passed(None).unwrap());
    // Removing the PIN turns biometrics off.
    k.remove_pin().unwrap();
    assert!(!k.biometric_enabled().unwrap());
    assert!(!k.biometric_passed(None).unwrap());
}
