//! Connecting this phone to a program with an invite code, and disconnecting (SYNC.md §5,
//! SECURITY.md AU-2): the code is exchanged for the sign-in tokens, which go to the app's
//! secret store ([`crate::keys`]), never the database; the enrolment facts go to the store.
//! Nothing recorded before is lost either way.

use kindred_core::ipc::{CommandCode, CommandError};
use kindred_core::sync::wire::ErrorCode;

use super::{http, Locked, Status, TransportError};
use crate::keys::{self, CredentialStore};
use crate::store::outbox::DEVICE_ID;
use crate::store::state_get;
use crate::store::sync::{self as book, Enrolled};
use crate::{Kindred, Result};

/// Longest server address accepted as typed.
const SERVER_MAX_CHARS: usize = 200;
/// Longest invite code accepted as typed.
const CODE_MAX_CHARS: usize = 64;

/// Why connecting to a program failed, in words the settings screen can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("That's longer than an address or code can be.")]
    TooLong,
    #[error("This phone is already connected to a program.")]
    AlreadyConnected,
    #[error("{0}")]
    BadAddress(String),
    #[error("That code isn't valid any more. Ask your program for a new one.")]
    BadCode,
    #[error("Couldn't reach the program's server. Check the address and your connection, then try again.")]
    Unreachable,
    #[error("This phone is connected to someone else's account on that server.")]
    DeviceConflict,
    #[error("Too many tries. Please wait a minute and try again.")]
    RateLimited,
    #[error("The server said no ({0}). Nothing on this phone changed.")]
    Refused(ErrorCode),
    /// The secret store can't keep the sign-in (the detail names the failure, never a token).
    #[error("Couldn't keep the sign-in on this phone: {0}")]
    Keystore(String),
    /// The store can't record the enrolment.
    #[error("Couldn't save the sign-in on this phone: {0}")]
    Storage(String),
}

impl ConnectError {
    /// What the settings screen shows: `invalid` for a request that can't be tried, `connect`
    /// for a try that failed. Layer details stay out of it.
    pub fn to_command_error(&self) -> CommandError {
        let (code, message) = match self {
            ConnectError::TooLong | ConnectError::AlreadyConnected => {
                (CommandCode::Invalid, self.to_string())
            }
            ConnectError::Keystore(_) => (
                CommandCode::Connect,
                "Kindred couldn't keep the sign-in safely on this device: its password keyring \
                 isn't available. Nothing on this phone changed."
                    .to_owned(),
            ),
            ConnectError::Storage(_) => (
                CommandCode::Connect,
                "Kindred couldn't save the connection on this phone. Nothing was lost; please \
                 try again."
                    .to_owned(),
            ),
            other => (CommandCode::Connect, other.to_string()),
        };
        CommandError { code, message }
    }
}

/// Whether what was typed could be an address and a code at all (checked first, even before
/// the store is read); the error is what the settings screen shows.
pub fn check_typed(server: &str, code: &str) -> Result<(), CommandError> {
    if server.chars().count() > SERVER_MAX_CHARS || code.chars().count() > CODE_MAX_CHARS {
        return Err(ConnectError::TooLong.to_command_error());
    }
    Ok(())
}

impl Kindred {
    /// Whether this phone may try to connect: not already connected (a revoked or expired
    /// phone may connect again). Checked after [`check_typed`] and before any network call; the
    /// error is what the settings screen shows.
    pub fn may_connect(&mut self) -> Result<(), CommandError> {
        let status = self.sync_status().map_err(|e| e.to_command_error())?.status;
        if !matches!(status, Status::Off | Status::Revoked | Status::Reconnect) {
            return Err(ConnectError::AlreadyConnected.to_command_error());
        }
        Ok(())
    }

    /// This device's id.
    pub fn device_id(&mut self) -> Result<String> {
        self.store.read(|tx| Ok(state_get(tx, DEVICE_ID)?.unwrap_or_default()))
    }

    /// Records a fresh enrolment (the tokens are kept in the secret store, see [`crate::keys`]).
    pub fn set_enrolment(&mut self, e: &Enrolled) -> Result<()> {
        self.store.write(|tx| book::set_enrolled(tx, e))
    }

    /// Forgets the program. Everything recorded on this phone stays.
    pub fn forget_enrolment(&mut self) -> Result<()> {
        self.store.write(book::forget_enrolment)
    }
}

/// Connects this phone to a program: exchanges the invite code at `server` for credentials,
/// keeps them in `creds` (never in the database) and records the enrolment. Nothing recorded
/// before is lost; it syncs at the next cycle.
pub fn connect<L: Locked>(
    k: &L,
    creds: &dyn CredentialStore,
    server: &str,
    code: &str,
    app_version: &str,
) -> std::result::Result<Enrolled, ConnectError> {
    // The secret store first: an invite code is single-use, and a sign-in that can't be kept
    // would waste it.
    creds.get(keys::ACCESS).map_err(|e| ConnectError::Keystore(e.to_string()))?;
    let server = http::normalize_server(server).map_err(ConnectError::BadAddress)?;
    let code = code.trim();
    if code.is_empty() || code.chars().count() > CODE_MAX_CHARS {
        return Err(ConnectError::BadCode);
    }
    let device_id = k.with(|k| k.device_id()).map_err(|e| ConnectError::Storage(e.to_string()))?;
    let enrolment = http::enrol(&server, code, &device_id, app_version).map_err(|e| match e {
        TransportError::Network(_) => ConnectError::Unreachable,
        TransportError::Http { status: 401, .. } => ConnectError::BadCode,
        TransportError::Http { status: 409, .. } => ConnectError::DeviceConflict,
        TransportError::Http { status: 429, .. } => ConnectError::RateLimited,
        TransportError::Http { code, .. } => ConnectError::Refused(code),
    })?;
    http::store_tokens(creds, &enrolment.tokens)
        .map_err(|e| ConnectError::Keystore(e.to_string()))?;
    let enrolled = Enrolled {
        server_url: server,
        user_scope: enrolment.user_scope,
        program_scope: enrolment.program_scope,
        program_name: enrolment.program_name,
    };
    k.with(|k| k.set_enrolment(&enrolled)).map_err(|e| ConnectError::Storage(e.to_string()))?;
    Ok(enrolled)
}

/// Disconnects: forgets the program and the sign-in. Local data and unsent changes stay.
pub fn disconnect<L: Locked>(k: &L, creds: &dyn CredentialStore) -> Result<()> {
    keys::forget_sign_in(creds);
    k.with(Kindred::forget_enrolment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_screen_gets_calm_words_and_the_right_codes() {
        let e = ConnectError::TooLong.to_command_error();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("invalid", "That's longer than an address or code can be.")
        );
        let e = ConnectError::AlreadyConnected.to_command_error();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("invalid", "This phone is already connected to a program.")
        );
        let e = ConnectError::Keystore("credential store: no keyring".into()).to_command_error();
        assert_eq!(e.code, "connect");
        assert!(e.message.contains("password keyring isn't available"), "{}", e.message);
        assert!(!e.message.contains("credential store"));
        let e = ConnectError::Storage("storage error: disk I/O".into()).to_command_error();
        assert_eq!(
            e.message,
            "Kindred couldn't save the connection on this phone. Nothing was lost; please try \
             again."
        );
        let e = ConnectError::BadCode.to_command_error();
        assert_eq!(e.code, "connect");
        assert_eq!(e.message, "That code isn't valid any more. Ask your program for a new one.");
    }
}
