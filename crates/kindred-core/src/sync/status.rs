//! Where syncing stands, one enum for the device engine, the shell's status event and the UI
//! (which matches on it instead of on strings), with the calm sentence the settings screen
//! shows for it.

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
    /// The server's key did not match the program's pins: nothing was sent; retrying later.
    Untrusted,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 8] = [
        Status::Off,
        Status::Ok,
        Status::Offline,
        Status::Revoked,
        Status::Reconnect,
        Status::Upgrade,
        Status::Stalled,
        Status::Untrusted,
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
            Status::Untrusted => "untrusted",
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

    /// The plain sentence shown when the state needs the mentee (or explains a quiet wait);
    /// none when all is well or not connected.
    pub fn message(self) -> Option<&'static str> {
        match self {
            Status::Revoked => Some(
                "This phone was disconnected from your program. Everything you recorded is still \
                 here.",
            ),
            Status::Reconnect => Some(
                "Your program's sign-in on this phone ran out. Ask your program for a new code \
                 and connect again. Everything you recorded is still here.",
            ),
            Status::Upgrade => Some(
                "Your program needs a newer version of Kindred. Please update the app; your \
                 changes are kept and will sync after.",
            ),
            Status::Offline => Some("Will sync when there's a connection."),
            Status::Stalled => Some("Syncing paused for a moment. It will try again by itself."),
            Status::Untrusted => Some(UNTRUSTED),
            Status::Off | Status::Ok => None,
        }
    }
}

/// What the settings screen says when the server's key did not match.
pub const UNTRUSTED: &str = "Kindred couldn't confirm it was talking to your program's server, so \
    it sent nothing. Everything you recorded is safe on this phone, and it will try again later. \
    If this keeps happening, let your program know.";

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

    #[test]
    fn messages_are_calm_and_only_where_needed() {
        assert_eq!(Status::Off.message(), None);
        assert_eq!(Status::Ok.message(), None);
        assert_eq!(Status::Offline.message(), Some("Will sync when there's a connection."));
        assert_eq!(
            Status::Revoked.message(),
            Some(
                "This phone was disconnected from your program. Everything you recorded is \
                 still here."
            )
        );
        assert_eq!(
            Status::Reconnect.message(),
            Some(
                "Your program's sign-in on this phone ran out. Ask your program for a new code and \
                 connect again. Everything you recorded is still here."
            )
        );
        assert_eq!(
            Status::Upgrade.message(),
            Some(
                "Your program needs a newer version of Kindred. Please update the app; your changes \
                 are kept and will sync after."
            )
        );
        assert_eq!(
            Status::Stalled.message(),
            Some("Syncing paused for a moment. It will try again by itself.")
        );
        for s in Status::ALL {
            assert_eq!(s.message().is_some(), !matches!(s, Status::Off | Status::Ok));
        }
    }
}
