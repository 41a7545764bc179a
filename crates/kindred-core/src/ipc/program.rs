//! Program DTOs: the sync status (and the event that carries it), connecting with an invite
//! code, and the help numbers and resources the program published.

use serde::{Deserialize, Serialize};

use super::ContactChannel;

/// The event the shell emits after every sync cycle, with a [`SyncEvent`] payload.
pub const SYNC_EVENT: &str = "sync-status";

/// Where syncing with the mentee's program stands, as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatusView {
    /// Connected to a program (also while revoked or waiting for a new code).
    pub connected: bool,
    pub program_name: Option<String>,
    /// The server's host (and port), for recognising it; never a path or token.
    pub server: Option<String>,
    pub status: crate::sync::status::Status,
    /// When the last cycle finished (unix ms).
    pub last_synced_at: Option<i64>,
    /// Changes recorded here and not yet accepted by the program's server.
    pub pending: i64,
    /// Changes the server refused (kept on this phone).
    pub rejected: i64,
    /// A plain sentence when the state needs the mentee (or explains a quiet wait).
    pub message: Option<String>,
}

/// Payload of [`SYNC_EVENT`]: the new status and how many rows the cycle brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEvent {
    pub status: SyncStatusView,
    pub pulled: u64,
}

/// Connect this phone to a program with the address and invite code the program gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectProgramReq {
    pub server: String,
    pub code: String,
}

/// A help number the program published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramHelpNumber {
    pub id: String,
    pub label: String,
    /// Shown as published; calling goes through [`cmd::CallProgramHelp`](super::cmd::CallProgramHelp).
    pub phone: Option<String>,
    pub sms: Option<String>,
    pub hours: Option<String>,
}

/// A resource the program published (text only; a web address is shown, not opened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramResource {
    pub id: String,
    pub title: String,
    pub body: Option<String>,
    pub url: Option<String>,
}

/// The program's help numbers and resources, in the program's order. Empty when not connected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramHelpView {
    pub program_name: Option<String>,
    pub numbers: Vec<ProgramHelpNumber>,
    pub resources: Vec<ProgramResource>,
}

/// Call or text one of the program's help numbers: the shell builds the link from the stored
/// number (`Email` is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramHelpReq {
    pub id: String,
    pub channel: ContactChannel,
}

/// What Disconnect did: the new status and a plain sentence (whether the program's server
/// heard it now, or will when the phone is next online).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisconnectView {
    pub status: SyncStatusView,
    pub message: String,
}

/// One of the mentee's phones as the program's server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    pub this_phone: bool,
    /// "This phone" or "Another phone".
    pub label: String,
    /// When it was connected, as a local date.
    pub connected: String,
    /// When it last synced, as a local date and time.
    pub last_synced: Option<String>,
    /// Disconnected: it no longer syncs.
    pub revoked: bool,
}

/// The mentee's phones (read from the program's server when asked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesView {
    pub devices: Vec<DeviceView>,
}

/// Disconnect another of the mentee's phones from the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeDeviceReq {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn program_requests_round_trip() {
        round_trip(ConnectProgramReq { server: "kindred.example.org".into(), code: "ab".into() });
        round_trip(ProgramHelpReq { id: "h".into(), channel: ContactChannel::Text });
        round_trip(RevokeDeviceReq { id: "d".into() });
        let err =
            serde_json::from_str::<ConnectProgramReq>(r#"{"server":"a","code":"b","token":"c"}"#);
        assert!(err.is_err());
    }
}
