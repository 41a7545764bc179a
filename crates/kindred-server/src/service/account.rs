//! The mentee's own account, from their phone (SECURITY.md AU-2, PR-5): Disconnect revokes
//! this device with its refresh token; the device list; revoking another of the mentee's
//! devices; and deleting the mentee's data on the server — every record and change-log row of
//! their scope (content and metadata), every device's sign-in — keeping only the fact, for
//! staff, that they deleted it and when.

use kindred_core::sync::account::{DeviceEntry, DeviceList, Done, DELETE_WORD};
use kindred_core::sync::wire::ErrorCode;

use super::{security_event, SecurityEvent, Service};
use crate::db::{run, Mode};
use crate::principal::{user_scope, DeviceAuth};
use crate::secrets;
use crate::{Error, Result};

impl Service {
    /// Revokes the device that holds `refresh_token` (used or not: a rotated token still names
    /// its device) and deletes its tokens. An unknown token is `token_invalid`.
    pub fn revoke_by_refresh(&self, refresh_token: &str) -> Result<Done> {
        let now = self.clock.now_ms();
        let hash = secrets::hash(refresh_token);
        run(&*self.db, Mode::Write, |tx| {
            let device = tx
                .one(
                    "SELECT device_id FROM token WHERE hash = $1 AND kind = 'refresh'",
                    &[hash.as_str().into()],
                )?
                .ok_or(Error::Unauthorized(
                    ErrorCode::TokenInvalid,
                    "This phone's sign-in is already gone.",
                ))?
                .text(0)?;
            let n = tx.exec(
                "UPDATE device SET revoked_at = $2, revoked_reason = 'mentee'
                 WHERE device_id = $1 AND revoked_at IS NULL",
                &[(&device).into(), now.into()],
            )?;
            tx.exec("DELETE FROM token WHERE device_id = $1", &[(&device).into()])?;
            security_event(tx, now, SecurityEvent::DeviceRevoked, Some(&device))?;
            Ok(Done { devices_revoked: i64::try_from(n).unwrap_or(0), records_deleted: 0 })
        })
    }

    /// The mentee's devices, the asking one marked.
    pub fn my_devices(&self, auth: &DeviceAuth) -> Result<DeviceList> {
        let rows = run(&*self.db, Mode::Read, |tx| {
            tx.query(
                "SELECT device_id, created_at, last_seen_at, app_version, revoked_at FROM device
                 WHERE user_id = $1 ORDER BY created_at, device_id",
                &[auth.user_id.as_str().into()],
            )
        })?;
        let devices = rows
            .into_iter()
            .map(|r| {
                let device_id = r.text(0)?;
                Ok(DeviceEntry {
                    this_device: device_id == auth.device_id,
                    device_id,
                    enrolled_at: r.int(1)?,
                    last_seen_at: r.opt_int(2)?,
                    app_version: r.opt_text(3)?,
                    revoked: r.opt_int(4)?.is_some(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(DeviceList { devices })
    }

    /// Revokes one of the mentee's devices (another phone, or this one). A device of someone
    /// else is `not_found`, as if it did not exist. Its tokens are kept so that phone hears
    /// `device_revoked` and says so.
    pub fn revoke_my_device(&self, auth: &DeviceAuth, device_id: &str) -> Result<Done> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let n = tx.exec(
                "UPDATE device SET revoked_at = $3, revoked_reason = 'mentee'
                 WHERE device_id = $1 AND user_id = $2 AND revoked_at IS NULL",
                &[device_id.into(), auth.user_id.as_str().into(), now.into()],
            )?;
            if n == 0
                && tx
                    .one(
                        "SELECT 1 FROM device WHERE device_id = $1 AND user_id = $2",
                        &[device_id.into(), auth.user_id.as_str().into()],
                    )?
                    .is_none()
            {
                return Err(Error::NotFound("device"));
            }
            if n > 0 {
                security_event(tx, now, SecurityEvent::DeviceRevoked, Some(device_id))?;
            }
            Ok(Done { devices_revoked: i64::try_from(n).unwrap_or(0), records_deleted: 0 })
        })
    }

    /// Deletes the mentee's data on the server: every record, field clock and change-log row
    /// of their scope; revokes every device of theirs and deletes the sign-ins; records when it
    /// happened. The scope's sequence is kept (cursors never go back). The files' freed pages
    /// are overwritten (`secure_delete`) and the SQLite WAL truncated afterwards.
    pub fn delete_my_data(&self, auth: &DeviceAuth, confirm: &str) -> Result<Done> {
        if confirm != DELETE_WORD {
            return Err(Error::BadRequest(
                ErrorCode::NotConfirmed,
                format!("To delete, send confirm: \"{DELETE_WORD}\"."),
            ));
        }
        let now = self.clock.now_ms();
        let scope = user_scope(&auth.user_id);
        let user = auth.user_id.as_str();
        let done = run(&*self.db, Mode::Write, |tx| {
            let records = tx.exec("DELETE FROM record WHERE scope_id = $1", &[(&scope).into()])?;
            tx.exec("DELETE FROM change_log WHERE scope_id = $1", &[(&scope).into()])?;
            crate::consent::forget(tx, &auth.user_id)?;
            tx.exec("UPDATE sync_scope SET digest = 0 WHERE scope_id = $1", &[(&scope).into()])?;
            let devices = tx.exec(
                "UPDATE device SET revoked_at = $2, revoked_reason = 'data_deleted'
                 WHERE user_id = $1 AND revoked_at IS NULL",
                &[user.into(), now.into()],
            )?;
            tx.exec(
                "DELETE FROM token WHERE device_id IN (SELECT device_id FROM device WHERE user_id = $1)",
                &[user.into()],
            )?;
            tx.exec(
                "UPDATE person SET data_deleted_at = $2 WHERE id = $1",
                &[user.into(), now.into()],
            )?;
            security_event(tx, now, SecurityEvent::DataDeleted, Some(&auth.device_id))?;
            Ok(Done {
                devices_revoked: i64::try_from(devices).unwrap_or(0),
                records_deleted: i64::try_from(records).unwrap_or(0),
            })
        })?;
        self.db.after_purge()?;
        Ok(done)
    }
}
