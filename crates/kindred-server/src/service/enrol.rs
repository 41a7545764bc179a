//! Enrolment and device tokens (SECURITY.md AU-1, AU-2): a one-time invite code becomes a
//! device with an access and a refresh token; refresh rotates, a reused refresh token revokes
//! the device, and [`Service::authenticate`] turns an access token into a [`DeviceAuth`].
//! Tokens and codes are stored only as hashes.

use kindred_core::sync::wire::{EnrolRequest, Enrolment, ErrorCode, RefreshRequest, TokenPair};

use super::{
    security_event, SecurityEvent, Service, ACCESS_TTL_MS, REFRESH_GRACE_MS, REFRESH_TTL_MS,
};
use crate::db::{run, Mode, Tx};
use crate::principal::{program_scope, user_scope, DeviceAuth};
use crate::secrets;
use crate::{Error, Result};

impl Service {
    /// Mints and stores an access and a refresh token for `device_id`.
    fn issue(&self, tx: &mut dyn Tx, device_id: &str, now: i64) -> Result<TokenPair> {
        let pair = TokenPair {
            access_token: secrets::token("ka_"),
            expires_in: ACCESS_TTL_MS / 1000,
            refresh_token: secrets::token("kr_"),
        };
        self.store_pair(tx, device_id, &pair, now)?;
        Ok(pair)
    }

    /// Exchanges a one-time invite code for device credentials (SECURITY.md AU-1).
    pub fn enrol(&self, req: &EnrolRequest) -> Result<Enrolment> {
        let device = uuid::Uuid::try_parse(&req.device_id)
            .map_err(|_| {
                Error::BadRequest(ErrorCode::BadDeviceId, "device_id must be a UUID".into())
            })?
            .to_string();
        if req.app_version.chars().count() > 32 || req.app_version.chars().any(char::is_control) {
            return Err(Error::BadRequest(
                ErrorCode::BadAppVersion,
                "app_version must be at most 32 characters, without control characters".into(),
            ));
        }
        let code = secrets::normalize_code(&req.code);
        if code.len() != 16 {
            return Err(Error::Unauthorized(
                ErrorCode::InviteInvalid,
                "This code isn't valid. Ask your program for a new one.",
            ));
        }
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            // Claim the code in one conditional update: of two phones racing with one code,
            // exactly one gets a row back (PostgreSQL re-checks the condition after the first
            // commits; SQLite has one writer).
            let claimed = tx.one(
                "UPDATE invite SET used_at = $2
                 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING mentee_id",
                &[secrets::hash(&code).into(), now.into()],
            )?;
            let inv = match claimed {
                Some(c) => tx.one(
                    "SELECT p.id, p.program_id, g.name FROM person p
                     JOIN program g ON g.id = p.program_id WHERE p.id = $1",
                    &[c.text(0)?.into()],
                )?,
                None => None,
            };
            let Some(inv) = inv else {
                security_event(tx, now, SecurityEvent::EnrolFailed, None)?;
                return Err(Error::Unauthorized(
                    ErrorCode::InviteInvalid,
                    "This code isn't valid any more. Ask your program for a new one.",
                ));
            };
            let (mentee, program, program_name) = (inv.text(0)?, inv.text(1)?, inv.text(2)?);
            if let Some(existing) =
                tx.one("SELECT user_id FROM device WHERE device_id = $1", &[(&device).into()])?
            {
                if existing.text(0)? != mentee {
                    return Err(Error::Conflict(
                        ErrorCode::DeviceConflict,
                        "This device is enrolled for someone else.",
                    ));
                }
                tx.exec("DELETE FROM token WHERE device_id = $1", &[(&device).into()])?;
                tx.exec(
                    "UPDATE device SET revoked_at = NULL, revoked_reason = NULL, app_version = $2
                     WHERE device_id = $1",
                    &[(&device).into(), req.app_version.as_str().into()],
                )?;
            } else {
                tx.exec(
                    "INSERT INTO device (device_id, user_id, created_at, app_version) VALUES ($1, $2, $3, $4)",
                    &[(&device).into(), (&mentee).into(), now.into(), req.app_version.as_str().into()],
                )?;
            }
            tracing::info!(event = "enrolled", "device enrolled");
            Ok(Enrolment {
                device_id: device.clone(),
                user_scope: user_scope(&mentee),
                program_scope: program_scope(&program),
                program_name,
                tokens: self.issue(tx, &device, now)?,
                pins: self.pins(),
            })
        })
    }

    /// Stores an access and a refresh token for `device_id`.
    fn store_pair(
        &self,
        tx: &mut dyn Tx,
        device_id: &str,
        pair: &TokenPair,
        now: i64,
    ) -> Result<()> {
        for (t, kind, ttl) in [
            (&pair.access_token, "access", ACCESS_TTL_MS),
            (&pair.refresh_token, "refresh", REFRESH_TTL_MS),
        ] {
            tx.exec(
                "INSERT INTO token (hash, device_id, kind, expires_at) VALUES ($1, $2, $3, $4)",
                &[secrets::hash(t).into(), device_id.into(), kind.into(), (now + ttl).into()],
            )?;
        }
        Ok(())
    }

    /// The successor pair of a refresh token: derived from it under the server's secret, so
    /// a phone that lost the answer and asks again within [`REFRESH_GRACE_MS`] gets the same
    /// pair back without the server keeping any token in the clear.
    fn successor(&self, refresh_token: &str) -> TokenPair {
        TokenPair {
            access_token: secrets::derived_token(&self.mac_key, "ka_", "access", refresh_token),
            expires_in: ACCESS_TTL_MS / 1000,
            refresh_token: secrets::derived_token(&self.mac_key, "kr_", "refresh", refresh_token),
        }
    }

    /// Rotates a refresh token (SECURITY.md AU-2). The token is claimed in one conditional
    /// update, so of two refreshes racing with one token exactly one rotates it; the other,
    /// and a retry after a lost answer, get the same successor pair while it is unused and
    /// within [`REFRESH_GRACE_MS`]. Any other second use revokes the device.
    pub fn refresh(&self, req: &RefreshRequest) -> Result<TokenPair> {
        let now = self.clock.now_ms();
        let hash = secrets::hash(&req.refresh_token);
        let next = self.successor(&req.refresh_token);
        let answer = run(&*self.db, Mode::Write, |tx| {
            let claimed = tx.one(
                "UPDATE token SET used_at = $2
                 WHERE hash = $1 AND kind = 'refresh' AND used_at IS NULL AND expires_at > $2
                 RETURNING device_id",
                &[hash.as_str().into(), now.into()],
            )?;
            let Some(r) = tx.one(
                "SELECT t.device_id, t.expires_at, t.used_at, d.revoked_at FROM token t
                 JOIN device d ON d.device_id = t.device_id WHERE t.hash = $1 AND t.kind = 'refresh'",
                &[hash.as_str().into()],
            )?
            else {
                return Err(Error::Unauthorized(ErrorCode::TokenInvalid, "Please connect this phone again."));
            };
            let device = r.text(0)?;
            if r.opt_int(3)?.is_some() {
                return Err(Error::Unauthorized(
                    ErrorCode::DeviceRevoked,
                    "This phone was disconnected from the program.",
                ));
            }
            if claimed.is_some() {
                tx.exec(
                    "DELETE FROM token WHERE device_id = $1 AND kind = 'access' AND expires_at <= $2",
                    &[(&device).into(), now.into()],
                )?;
                self.store_pair(tx, &device, &next, now)?;
                return Ok(Some(next.clone()));
            }
            let used_at = r.opt_int(2)?;
            if used_at.is_none() {
                // Not claimed and never used: it has expired.
                return Err(Error::Unauthorized(
                    ErrorCode::TokenExpired,
                    "Please connect this phone again.",
                ));
            }
            // Used before. The same answer again while the successor is unused and recent.
            let successor_unused = tx
                .one(
                    "SELECT 1 FROM token WHERE hash = $1 AND kind = 'refresh' AND used_at IS NULL",
                    &[secrets::hash(&next.refresh_token).into()],
                )?
                .is_some();
            if successor_unused && used_at.is_some_and(|u| now - u <= REFRESH_GRACE_MS) {
                let access_expires = tx
                    .one(
                        "SELECT expires_at FROM token WHERE hash = $1 AND kind = 'access'",
                        &[secrets::hash(&next.access_token).into()],
                    )?
                    .map_or(Ok(now), |e| e.int(0))?;
                let mut again = next.clone();
                again.expires_in = ((access_expires - now) / 1000).max(0);
                return Ok(Some(again));
            }
            security_event(tx, now, SecurityEvent::RefreshReused, Some(&device))?;
            tx.exec(
                "UPDATE device SET revoked_at = $2, revoked_reason = $3 WHERE device_id = $1",
                &[(&device).into(), now.into(), SecurityEvent::RefreshReused.as_str().into()],
            )?;
            // Tokens stay on record: they now answer `device_revoked`, so the phone says why.
            Ok(None)
        })?;
        // The revocation above is committed before the refusal goes out.
        answer.ok_or(Error::Unauthorized(
            ErrorCode::DeviceRevoked,
            "This phone was disconnected from the program.",
        ))
    }

    /// Checks an access token.
    pub fn authenticate(&self, access_token: &str) -> Result<DeviceAuth> {
        let now = self.clock.now_ms();
        let hash = secrets::hash(access_token);
        let r = run(&*self.db, Mode::Read, |tx| {
            tx.one(
                "SELECT t.device_id, t.expires_at, d.user_id, d.revoked_at, p.program_id FROM token t
                 JOIN device d ON d.device_id = t.device_id JOIN person p ON p.id = d.user_id
                 WHERE t.hash = $1 AND t.kind = 'access'",
                &[hash.as_str().into()],
            )
        })?
        .ok_or(Error::Unauthorized(ErrorCode::TokenInvalid, "Please connect this phone again."))?;
        if r.opt_int(3)?.is_some() {
            return Err(Error::Unauthorized(
                ErrorCode::DeviceRevoked,
                "This phone was disconnected from the program.",
            ));
        }
        if r.int(1)? <= now {
            return Err(Error::Unauthorized(
                ErrorCode::TokenExpired,
                "The sign-in ran out; it renews on its own.",
            ));
        }
        Ok(DeviceAuth { device_id: r.text(0)?, user_id: r.text(2)?, program_id: r.text(4)? })
    }
}
