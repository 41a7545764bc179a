//! The mentee's account on the program server, from the phone (SECURITY.md AU-2, PR-5): the
//! list of their phones, disconnecting another one, and deleting their data on the server
//! before the phone's own copy goes. Each runs one request on a pinned connection built from
//! the enrolment; the store is never locked while it is in flight.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kindred_core::ipc::{DeviceView, DevicesView};
use kindred_core::sync::account::{DeviceList, Done};

use super::http::HttpTransport;
use super::{Locked, TransportError};
use crate::keys::CredentialStore;
use crate::{views, Kindred};

/// Why an account request didn't happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("This phone isn't connected to a program.")]
    NotConnected,
    #[error("Couldn't reach your program's server. Nothing was changed; please try again when you're online.")]
    Unreachable,
    #[error(
        "Kindred couldn't confirm it was talking to your program's server, so it sent nothing."
    )]
    Untrusted,
    #[error("Your program's server said no ({0}). Nothing was changed.")]
    Refused(String),
}

impl From<TransportError> for AccountError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Network(_) => AccountError::Unreachable,
            TransportError::Untrusted => AccountError::Untrusted,
            TransportError::Insecure => AccountError::NotConnected,
            TransportError::Http { code, .. } => AccountError::Refused(code.to_string()),
        }
    }
}

/// A transport for the phone's enrolment.
fn transport<L: Locked>(
    k: &L,
    creds: Arc<dyn CredentialStore>,
) -> Result<HttpTransport, AccountError> {
    let enrolled = k.with(Kindred::enrolment).ok().flatten().ok_or(AccountError::NotConnected)?;
    Ok(HttpTransport::new(&enrolled.server_url, enrolled.pins, creds)?)
}

/// The mentee's phones as the program's server knows them.
pub fn devices<L: Locked>(
    k: &L,
    creds: Arc<dyn CredentialStore>,
) -> Result<DevicesView, AccountError> {
    let list = transport(k, creds)?.devices()?;
    Ok(k.with(|k| k.devices_view(&list)).unwrap_or_default())
}

/// Disconnects another of the mentee's phones (or this one) on the server; the new list.
pub fn revoke_device<L: Locked>(
    k: &L,
    creds: Arc<dyn CredentialStore>,
    device_id: &str,
) -> Result<DevicesView, AccountError> {
    let mut t = transport(k, creds)?;
    t.revoke_device(device_id)?;
    let list = t.devices()?;
    Ok(k.with(|k| k.devices_view(&list)).unwrap_or_default())
}

/// Deletes the mentee's data on the program's server; `None` when not connected.
pub fn delete_on_server<L: Locked>(
    k: &L,
    creds: Arc<dyn CredentialStore>,
) -> Result<Option<Done>, AccountError> {
    match transport(k, creds) {
        Err(AccountError::NotConnected) => Ok(None),
        Err(e) => Err(e),
        Ok(mut t) => Ok(Some(t.delete_my_data()?)),
    }
}

impl Kindred {
    /// The device list in the mentee's zone and words.
    pub fn devices_view(&mut self, list: &DeviceList) -> crate::Result<DevicesView> {
        let tz = self.settings()?.tz;
        let at = |ms: i64| Utc.timestamp_millis_opt(ms).single();
        Ok(DevicesView {
            devices: list
                .devices
                .iter()
                .map(|d| DeviceView {
                    id: d.device_id.clone(),
                    this_phone: d.this_device,
                    label: if d.this_device { "This phone" } else { "Another phone" }.into(),
                    connected: at(d.enrolled_at).map(|t| views::day(t, tz)).unwrap_or_default(),
                    last_synced: d.last_seen_at.and_then(at).map(|t| views::when(t, tz)),
                    revoked: d.revoked,
                })
                .collect(),
        })
    }
}
