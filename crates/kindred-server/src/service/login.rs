//! Mentor sign-in (SECURITY.md AU-3, MENTOR.md): a password plus a TOTP code, both required.
//!
//! Staff issue a one-time set-up link ([`Service::mentor_setup_link`]): 256 random bits,
//! stored only as SHA-256, valid for three days, with a fresh TOTP secret waiting beside it.
//! Opening the link only shows the set-up form ([`Service::setup_info`]); it is claimed by a
//! POST with a new password and a code from the authenticator app ([`Service::claim_setup`]),
//! so a link scanner cannot use it up. Passwords: 8 to 128 characters, no composition rules,
//! refused when zxcvbn finds them common, leaked or easy to guess (its lists hold passwords
//! from public breaches), kept as Argon2id (m = 19 MiB, t = 2, p = 1). Codes: 6 digits, 30 s
//! steps, one step of drift, never the same step twice. Failed sign-ins are counted per name
//! and per address in `login_attempt`; past the limit every try waits, right or wrong.
//! Sessions last at most [`SESSION_MAX_MS`] and end everywhere at once when the mentor asks,
//! the set-up is redone, or staff disable the account.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use kindred_core::sync::wire::ErrorCode;
use subtle::ConstantTimeEq;
use totp_rs::{Secret, TOTP};

use super::Service;
use crate::db::{run, Mode, Tx};
use crate::{secrets, Error, Result};

/// How long a set-up link stays valid.
pub const SETUP_TTL_MS: i64 = 72 * 3600 * 1000;
/// The longest a web session lives, however active.
pub const SESSION_MAX_MS: i64 = 12 * 3600 * 1000;
/// Failed tries per sign-in name, and per address, within [`ATTEMPT_WINDOW_MS`].
pub const MAX_FAILS_PER_NAME: i64 = 5;
pub const MAX_FAILS_PER_ADDRESS: i64 = 20;
pub const ATTEMPT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// What the set-up page shows: the sign-in name and the secret for the authenticator app.
#[derive(Clone, PartialEq, Eq)]
pub struct SetupInfo {
    pub login: String,
    /// The TOTP secret in base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub uri: String,
}

impl std::fmt::Debug for SetupInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupInfo(..)")
    }
}

/// A sign-in that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub mentor_id: String,
    pub at: i64,
}

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| Error::Config(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn totp(secret: &[u8]) -> Result<TOTP> {
    TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret.to_vec())
        .map_err(|_| Error::Config("TOTP secret".into()))
}

/// A sign-in name: 3 to 40 of `a-z 0-9 . _ -`.
fn check_login(login: &str) -> Result<()> {
    let ok = (3..=40).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(
            ErrorCode::BadName,
            "a sign-in name is 3 to 40 lowercase letters, digits, '.', '_' or '-'".into(),
        ))
    }
}

/// The password rules (ASVS 6.2): length, and not common, leaked or easy to guess.
pub fn check_password(password: &str, login: &str) -> Result<()> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(Error::BadRequest(
            ErrorCode::Invalid,
            "Choose a password of 8 to 128 characters. A few unrelated words work well.".into(),
        ));
    }
    let strength = zxcvbn::zxcvbn(password, &[login, "kindred", "mentor"]);
    if (strength.score() as u8) < 3 {
        return Err(Error::BadRequest(
            ErrorCode::Invalid,
            "That password is common, appears in leaked password lists, or is easy to guess. \
             Try a longer one, such as a few unrelated words."
                .into(),
        ));
    }
    Ok(())
}

/// The step a code matches, after `last` (never reused), within one step of `now_s`.
fn code_step(secret: &[u8], code: &str, now_s: u64, last: Option<i64>) -> Result<Option<i64>> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret)?;
    let now_step = now_s / 30;
    for step in [now_step.saturating_sub(1), now_step, now_step + 1] {
        let s = i64::try_from(step).unwrap_or(i64::MAX);
        if last.is_some_and(|l| s <= l) {
            continue;
        }
        if bool::from(t.generate(step * 30).as_bytes().ct_eq(code.as_bytes())) {
            return Ok(Some(s));
        }
    }
    Ok(None)
}

impl Service {
    /// Staff: a one-time set-up link token for `mentor`, signing in as `login`. Issuing one
    /// again replaces an unclaimed one; claiming it replaces the password and the code app
    /// and signs the mentor out everywhere.
    pub fn mentor_setup_link(&self, mentor: &str, login: &str) -> Result<String> {
        check_login(login)?;
        if !self.is_mentor(mentor)? {
            return Err(Error::NotFound("mentor"));
        }
        let token = secrets::token("ks_");
        let now = self.clock.now_ms();
        let secret = secrets::random::<20>().to_vec();
        run(&*self.db, Mode::Write, |tx| {
            let taken = tx.one(
                "SELECT 1 FROM mentor_login WHERE login = $1 AND mentor_id <> $2",
                &[login.into(), mentor.into()],
            )?;
            if taken.is_some() {
                return Err(Error::Conflict(ErrorCode::Invalid, "that sign-in name is taken"));
            }
            tx.exec(
                "INSERT INTO mentor_login (mentor_id, login, setup_hash, setup_totp, setup_expires_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (mentor_id) DO UPDATE SET login = $2, setup_hash = $3,
                   setup_totp = $4, setup_expires_at = $5",
                &[
                    mentor.into(),
                    login.into(),
                    secrets::hash(&token).into(),
                    secret.clone().into(),
                    (now + SETUP_TTL_MS).into(),
                ],
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    fn setup_row(&self, tx: &mut dyn Tx, token: &str) -> Result<(String, String, Vec<u8>)> {
        let now = self.clock.now_ms();
        let r = tx
            .one(
                "SELECT mentor_id, login, setup_totp FROM mentor_login
                 WHERE setup_hash = $1 AND setup_expires_at > $2 AND disabled_at IS NULL",
                &[secrets::hash(token).into(), now.into()],
            )?
            .ok_or(Error::NotFound("set-up link"))?;
        Ok((r.text(0)?, r.text(1)?, r.blob(2)?))
    }

    /// What the set-up page shows for `token` (does not use the link up).
    pub fn setup_info(&self, token: &str) -> Result<SetupInfo> {
        let (_, login, secret) = run(&*self.db, Mode::Read, |tx| self.setup_row(tx, token))?;
        let b32 = Secret::Raw(secret).to_encoded().to_string();
        let uri = format!(
            "otpauth://totp/Kindred:{login}?secret={b32}&issuer=Kindred&digits=6&period=30"
        );
        Ok(SetupInfo { login, secret: b32, uri })
    }

    /// Claims a set-up link: the new password (checked) and a current code from the app.
    pub fn claim_setup(&self, token: &str, password: &str, code: &str) -> Result<String> {
        let now = self.clock.now_ms();
        let (mentor, login, secret) = run(&*self.db, Mode::Read, |tx| self.setup_row(tx, token))?;
        check_password(password, &login)?;
        let now_s = u64::try_from(now / 1000).unwrap_or(0);
        let Some(step) = code_step(&secret, code, now_s, None)? else {
            return Err(Error::BadRequest(
                ErrorCode::SignInFailed,
                "That code did not match. Check the app shows Kindred and try the newest code."
                    .into(),
            ));
        };
        let salt = SaltString::encode_b64(&secrets::random::<16>())
            .map_err(|e| Error::Config(e.to_string()))?;
        let hash = hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| Error::Config(e.to_string()))?
            .to_string();
        run(&*self.db, Mode::Write, |tx| {
            let n = tx.exec(
                "UPDATE mentor_login SET password_hash = $2, totp_secret = setup_totp,
                   setup_hash = NULL, setup_totp = NULL, setup_expires_at = NULL,
                   sessions_after = $3, last_totp_step = $4
                 WHERE mentor_id = $1 AND setup_hash = $5",
                &[
                    mentor.as_str().into(),
                    hash.as_str().into(),
                    now.into(),
                    step.into(),
                    secrets::hash(token).into(),
                ],
            )?;
            if n == 1 {
                Ok(())
            } else {
                Err(Error::NotFound("set-up link"))
            }
        })?;
        Ok(mentor)
    }

    /// Signs a mentor in with name, password and code. Every failure reads the same; past the
    /// limits, every try waits.
    pub fn sign_in(
        &self,
        login: &str,
        password: &str,
        code: &str,
        address: &str,
    ) -> Result<SignedIn> {
        let now = self.clock.now_ms();
        let keys = [format!("n:{}", login.to_lowercase()), format!("a:{address}")];
        let row = run(&*self.db, Mode::Read, |tx| {
            for (k, max) in keys.iter().zip([MAX_FAILS_PER_NAME, MAX_FAILS_PER_ADDRESS]) {
                let n = tx
                    .one(
                        "SELECT count(*) FROM login_attempt WHERE k = $1 AND at > $2",
                        &[k.as_str().into(), (now - ATTEMPT_WINDOW_MS).into()],
                    )?
                    .map_or(Ok(0), |r| r.int(0))?;
                if n >= max {
                    return Err(Error::TooMany { retry_secs: (ATTEMPT_WINDOW_MS / 1000) as u64 });
                }
            }
            let r = tx.one(
                "SELECT mentor_id, password_hash, totp_secret, last_totp_step FROM mentor_login
                 WHERE login = $1 AND disabled_at IS NULL AND password_hash IS NOT NULL",
                &[login.to_lowercase().into()],
            )?;
            r.map(|r| Ok((r.text(0)?, r.text(1)?, r.blob(2)?, r.opt_int(3)?))).transpose()
        })?;
        // Without an account the hash still runs, so timing says nothing about names.
        const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1oxR2jm0bSBxjAjV1jd4Zl+9yZWOv5gXk1ZcTqQy0qU";
        let stored = row.as_ref().map_or(DECOY, |r| r.1.as_str());
        let password_ok = PasswordHash::new(stored).is_ok_and(|h| {
            hasher().is_ok_and(|a| a.verify_password(password.as_bytes(), &h).is_ok())
        });
        let now_s = u64::try_from(now / 1000).unwrap_or(0);
        let step = match &row {
            Some((_, _, secret, last)) if password_ok => code_step(secret, code, now_s, *last)?,
            _ => None,
        };
        let (Some((mentor, ..)), Some(step)) = (row, step) else {
            run(&*self.db, Mode::Write, |tx| {
                for k in &keys {
                    tx.exec(
                        "INSERT INTO login_attempt (k, at) VALUES ($1, $2)",
                        &[k.as_str().into(), now.into()],
                    )?;
                }
                tx.exec(
                    "DELETE FROM login_attempt WHERE at < $1",
                    &[(now - ATTEMPT_WINDOW_MS).into()],
                )?;
                super::security_event(tx, now, super::SecurityEvent::SignInFailed, None)
            })?;
            return Err(Error::Unauthorized(
                ErrorCode::SignInFailed,
                "That name, password and code did not match.",
            ));
        };
        run(&*self.db, Mode::Write, |tx| {
            // The step is claimed once: two sign-ins racing with one code, one wins.
            let n = tx.exec(
                "UPDATE mentor_login SET last_totp_step = $2
                 WHERE mentor_id = $1 AND (last_totp_step IS NULL OR last_totp_step < $2)",
                &[mentor.as_str().into(), step.into()],
            )?;
            if n == 1 {
                tx.exec("DELETE FROM login_attempt WHERE k = $1", &[keys[0].as_str().into()])?;
                Ok(())
            } else {
                Err(Error::Unauthorized(ErrorCode::SignInFailed, "That code was already used."))
            }
        })?;
        Ok(SignedIn { mentor_id: mentor, at: now })
    }

    /// Whether a session of `mentor` that signed in at `signed_in_at` still holds.
    pub fn session_ok(&self, mentor: &str, signed_in_at: i64) -> Result<bool> {
        let now = self.clock.now_ms();
        if now - signed_in_at > SESSION_MAX_MS || signed_in_at > now {
            return Ok(false);
        }
        run(&*self.db, Mode::Read, |tx| {
            Ok(tx
                .one(
                    "SELECT 1 FROM mentor_login l JOIN person p ON p.id = l.mentor_id
                     WHERE l.mentor_id = $1 AND l.disabled_at IS NULL AND l.sessions_after <= $2
                       AND p.role = 'mentor'",
                    &[mentor.into(), signed_in_at.into()],
                )?
                .is_some())
        })
    }

    /// Ends every session of `mentor` (sign out everywhere).
    pub fn sign_out_everywhere(&self, mentor: &str) -> Result<()> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            tx.exec(
                "UPDATE mentor_login SET sessions_after = $2 WHERE mentor_id = $1",
                &[mentor.into(), (now + 1).into()],
            )?;
            Ok(())
        })
    }

    /// Staff: disables a mentor's sign-in (their sessions end at the next request).
    pub fn disable_mentor(&self, mentor: &str) -> Result<()> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let n = tx.exec(
                "UPDATE mentor_login SET disabled_at = $2, setup_hash = NULL WHERE mentor_id = $1",
                &[mentor.into(), now.into()],
            )?;
            if n == 0 {
                return Err(Error::NotFound("mentor sign-in"));
            }
            Ok(())
        })
    }
}

/// Web sessions, as the session layer keeps them: the id only as SHA-256.
impl Service {
    /// Stores (or replaces) a session's data, valid until `expires_ms`.
    pub fn web_session_save(&self, id: &str, data: &str, expires_ms: i64) -> Result<()> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            tx.exec(
                "INSERT INTO web_session (id_hash, data, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id_hash) DO UPDATE SET data = $2, expires_at = $3",
                &[secrets::hash(id).into(), data.into(), expires_ms.into()],
            )?;
            tx.exec("DELETE FROM web_session WHERE expires_at < $1", &[now.into()])?;
            Ok(())
        })
    }

    /// A live session's data.
    pub fn web_session_load(&self, id: &str) -> Result<Option<(String, i64)>> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Read, |tx| {
            tx.one(
                "SELECT data, expires_at FROM web_session WHERE id_hash = $1 AND expires_at > $2",
                &[secrets::hash(id).into(), now.into()],
            )?
            .map(|r| Ok((r.text(0)?, r.int(1)?)))
            .transpose()
        })
    }

    /// Forgets a session.
    pub fn web_session_delete(&self, id: &str) -> Result<()> {
        run(&*self.db, Mode::Write, |tx| {
            tx.exec("DELETE FROM web_session WHERE id_hash = $1", &[secrets::hash(id).into()])?;
            Ok(())
        })
    }

    /// The opaque handle of `mentee` in `mentor`'s pages (no record ids in URLs).
    pub fn mentee_handle(&self, mentor: &str, mentee: &str) -> String {
        let m =
            secrets::mac(&self.mac_key, format!("mentee handle\0{mentor}\0{mentee}").as_bytes());
        hex::encode(&m[..16])
    }

    /// The assigned mentee whose handle is `handle`, if any.
    pub fn resolve_handle(&self, mentor: &str, handle: &str) -> Result<Option<String>> {
        let assigned = run(&*self.db, Mode::Read, |tx| crate::policy::assigned(tx, mentor, None))?;
        Ok(assigned.into_iter().map(|a| a.mentee_id).find(|m| {
            bool::from(self.mentee_handle(mentor, m).as_bytes().ct_eq(handle.as_bytes()))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_rules_without_composition_rules() {
        for bad in ["short", "password", "password123", "robinrobin", "12345678"] {
            assert!(check_password(bad, "robin").is_err(), "{bad}");
        }
        assert!(check_password(&"x".repeat(129), "robin").is_err());
        assert!(check_password("harbour lantern tuesday violet", "robin").is_ok());
    }

    #[test]
    fn codes_match_one_step_each_way_and_never_twice() {
        let secret = [7u8; 20];
        let t = totp(&secret).unwrap();
        let now = 1_790_000_000u64;
        let code = t.generate(now);
        let step = i64::try_from(now / 30).unwrap();
        assert_eq!(code_step(&secret, &code, now, None).unwrap(), Some(step));
        assert_eq!(code_step(&secret, &code, now + 30, None).unwrap(), Some(step));
        assert_eq!(code_step(&secret, &code, now + 90, None).unwrap(), None, "too old");
        assert_eq!(code_step(&secret, &code, now, Some(step)).unwrap(), None, "reused");
        assert_eq!(code_step(&secret, "12345", now, None).unwrap(), None);
        assert!(check_login("robin.k").is_ok());
        assert!(check_login("Robin").is_err() && check_login("ro").is_err());
    }
}
