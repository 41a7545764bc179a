//! Where syncing stands, one enum for the device engine, the shell's status event and the UI
//! (which matches on it instead of on strings).

use serde::{Deserialize, Serialize};

/// Where syncing stands, as the settings screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not connected to a program.
    Off,
    /// The last cycle finished.
    Ok,
    /// The server could not be reached; retrying later.
    Offline,
    /// The program disconnected this phone; local data stays.
    Revoked,
    /// The sign-in ran out; connect again with a new code.
    Reconnect,
    /// The server needs a newer app; everything is kept and queued.
    Upgrade,
    /// The server kept answering without progress; retrying later.
    Stalled,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 7] = [
        Status::Off,
        Status::Ok,
        Status::Offline,
        Status::Revoked,
        Status::Reconnect,
        Status::Upgrade,
        Status::Stalled,
    ];

    /// The stored (and serialized) spelling.
    pub fn key(self) -> &'static str {
        match self {
            Status::Off => "off",
            Status::Ok => "ok",
            Status::Offline => "offline",
            Status::Revoked => "revoked",
            Status::Reconnect => "reconnect",
            Status::Upgrade => "upgrade",
            Status::Stalled => "stalled",
        }
    }

    /// The status stored as `s`; anything unknown reads as [`Status::Off`].
    pub fn parse(s: &str) -> Status {
        Status::ALL.into_iter().find(|st| st.key() == s).unwrap_or(Status::Off)
    }

    /// Whether syncing stops until the user acts.
    pub fn stops(self) -> bool {
        matches!(self, Status::Revoked | Status::Reconnect)
    }

    /// Whether the mentee has to act (disconnected by the program, new code, update the app).
    pub fn needs_you(self) -> bool {
        matches!(self, Status::Revoked | Status::Reconnect | Status::Upgrade)
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn key_parse_and_serde_agree() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.key()));
        }
        assert_eq!(Status::parse("nonsense"), Status::Off);
    }
}
