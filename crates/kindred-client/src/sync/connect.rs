//! Connecting this phone to a program with an invite code, and disconnecting (SYNC.md §5,
//! SECURITY.md AU-2): the code is exchanged for the sign-in tokens, which go to the app's
//! secret store ([`crate::keys`]), never the database; the enrolment facts go to the store.
//! Nothing recorded before is lost either way.

use kindred_core::ipc::{CommandCode, CommandError};
use kindred_core::sync::wire::ErrorCode;

use kindred_core::sync::pin::{self, Pin};

use super::tls::Trust;
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
/// Longest address field: a QR payload with its pins fits.
const PAYLOAD_MAX_CHARS: usize = 600;

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
    /// The server's key did not match the invite: the code was not sent.
    #[error("Kindred couldn't confirm this is your program's server, so it didn't send your code. Check the address and code on your invite, or ask your program.")]
    Untrusted,
    /// A typed code without its server check, or with characters a code never has.
    #[error(
        "That code isn't complete. Type all six groups from your invite, including the last two."
    )]
    Incomplete,
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
    let max = if server.trim_start().starts_with("kindred:") {
        PAYLOAD_MAX_CHARS
    } else {
        SERVER_MAX_CHARS
    };
    if server.chars().count() > max || code.chars().count() > CODE_MAX_CHARS {
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

/// An invite as the phone got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The server address (`https://…`).
    pub server: String,
    /// The secret part of the code, normalized (what the server gets).
    pub code: String,
    /// How the server's key is checked: the QR's pins, or the typed code's server check.
    pub trust: Trust,
}

/// Reads an invite: a QR payload (`kindred://enrol?server=…&code=…&pin=…`, scanned or pasted
/// into the address field; the code field is then ignored), or an address and a typed code
/// whose last two groups are the server check ([`kindred_core::sync::pin`]).
pub fn read_invite(server: &str, code: &str) -> std::result::Result<Invite, ConnectError> {
    let field = server.trim();
    if field.starts_with("kindred:") {
        let url = url::Url::parse(field).map_err(|_| ConnectError::BadCode)?;
        if url.host_str() != Some("enrol") {
            return Err(ConnectError::BadCode);
        }
        let (mut server, mut code, mut pins) = (None, None, Vec::new());
        for (k, v) in url.query_pairs() {
            match &*k {
                "server" => server = Some(v.into_owned()),
                "code" => code = pin::secret_code(&v),
                "pin" => pins.push(v.into_owned()),
                _ => {}
            }
        }
        let server = http::normalize_server(&server.ok_or(ConnectError::BadCode)?)
            .map_err(ConnectError::BadAddress)?;
        let code = code.ok_or(ConnectError::BadCode)?;
        let pins = Pin::parse_all(pins.iter().map(String::as_str)).ok_or(ConnectError::BadCode)?;
        return Ok(Invite { server, code, trust: Trust::Pins(pins) });
    }
    let server = http::normalize_server(server).map_err(ConnectError::BadAddress)?;
    let code = code.trim();
    if code.is_empty() {
        return Err(ConnectError::BadCode);
    }
    let (code, check) = pin::split_typed(code).ok_or(ConnectError::Incomplete)?;
    Ok(Invite { server, code, trust: Trust::Check(check) })
}

/// Connects this phone to a program: checks the server's key against the invite, exchanges
/// the invite code there for credentials, keeps them in `creds` (never in the database) and
/// records the enrolment with the program's key pins. Nothing recorded before is lost; it
/// syncs at the next cycle.
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
    let invite = read_invite(server, code)?;
    let device_id = k.with(|k| k.device_id()).map_err(|e| ConnectError::Storage(e.to_string()))?;
    let answer = http::enrol(&invite.server, invite.trust, &invite.code, &device_id, app_version)
        .map_err(|e| match e {
        TransportError::Untrusted | TransportError::Insecure => ConnectError::Untrusted,
        TransportError::Network(_) => ConnectError::Unreachable,
        TransportError::Http { status: 401, .. } => ConnectError::BadCode,
        TransportError::Http { status: 409, .. } => ConnectError::DeviceConflict,
        TransportError::Http { status: 429, .. } => ConnectError::RateLimited,
        TransportError::Http { code, .. } => ConnectError::Refused(code),
    })?;
    let enrolment = answer.enrolment;
    http::store_tokens(creds, &enrolment.tokens)
        .map_err(|e| ConnectError::Keystore(e.to_string()))?;
    let enrolled = Enrolled {
        server_url: invite.server,
        user_scope: enrolment.user_scope,
        program_scope: enrolment.program_scope,
        program_name: enrolment.program_name,
        pins: answer.pins,
    };
    k.with(|k| k.set_enrolment(&enrolled)).map_err(|e| ConnectError::Storage(e.to_string()))?;
    Ok(enrolled)
}

/// What Disconnect did on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disconnected {
    /// The server revoked this phone's sign-in (or it was already gone, or never existed).
    Revoked,
    /// The server couldn't be reached: the revoke is kept and retried by the sync worker
    /// ([`retry_pending_revoke`]).
    RevokeLater,
}

impl Disconnected {
    /// What the settings screen says afterwards.
    pub fn message(self) -> &'static str {
        match self {
            Disconnected::Revoked => {
                "This phone is disconnected, and your program's server no longer accepts its \
                 sign-in. Everything you recorded is still here."
            }
            Disconnected::RevokeLater => {
                "This phone is disconnected. Your program's server couldn't be reached, so \
                 Kindred will tell it the next time you're online. Everything you recorded is \
                 still here."
            }
        }
    }
}

/// A revoke kept for later: where, with which pins, and the refresh token.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingRevoke {
    server: String,
    pins: Vec<String>,
    refresh_token: String,
}

/// Disconnects: revokes this phone's sign-in on the server first, then forgets the program
/// and the sign-in here. When the server can't be reached the phone still forgets them, and
/// keeps only what the revoke needs in the secret store to retry it. Local data and unsent
/// changes stay.
pub fn disconnect<L: Locked>(k: &L, creds: &dyn CredentialStore) -> Result<Disconnected> {
    let enrolled = k.with(Kindred::enrolment)?;
    let refresh = creds.get(keys::REFRESH).ok().flatten();
    let outcome = match (enrolled, refresh) {
        (Some(e), Some(refresh_token)) => {
            match http::revoke(&e.server_url, e.pins.clone(), &refresh_token) {
                Ok(()) | Err(TransportError::Insecure) => Disconnected::Revoked,
                Err(_) => {
                    let pending = PendingRevoke {
                        server: e.server_url,
                        pins: e.pins.iter().map(Pin::to_string).collect(),
                        refresh_token,
                    };
                    let json = serde_json::to_string(&pending).unwrap_or_default();
                    // If the secret store can't keep it either, the token dies with its
                    // 180-day lifetime; the phone forgets it all the same.
                    let _ = creds.set(keys::PENDING_REVOKE, &json);
                    Disconnected::RevokeLater
                }
            }
        }
        _ => Disconnected::Revoked,
    };
    keys::forget_sign_in(creds);
    k.with(Kindred::forget_enrolment)?;
    Ok(outcome)
}

/// Retries a revoke kept by [`disconnect`]; `true` when none is left.
pub fn retry_pending_revoke(creds: &dyn CredentialStore) -> bool {
    let Some(json) = creds.get(keys::PENDING_REVOKE).ok().flatten() else { return true };
    let Ok(p) = serde_json::from_str::<PendingRevoke>(&json) else {
        let _ = creds.delete(keys::PENDING_REVOKE);
        return true;
    };
    let pins = Pin::parse_all(p.pins.iter().map(String::as_str)).unwrap_or_default();
    match http::revoke(&p.server, pins, &p.refresh_token) {
        Ok(()) | Err(TransportError::Insecure) => creds.delete(keys::PENDING_REVOKE).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever is typed or pasted, reading it never panics, and anything accepted is an
        /// HTTPS address, a 16-character code and a way to check the server's key.
        #[test]
        fn any_input_is_refused_or_a_checkable_invite(
            server in proptest::prop_oneof![
                "\\PC{0,80}",
                "kindred://enrol\\?[a-z=&%0-9A-F./:+-]{0,120}",
                "https://[a-z.]{1,20}(:[0-9]{1,5})?",
            ],
            code in "\\PC{0,40}",
        ) {
            if let Ok(i) = read_invite(&server, &code) {
                proptest::prop_assert!(i.server.starts_with("https://"));
                proptest::prop_assert_eq!(i.code.len(), pin::CODE_CHARS);
                match i.trust {
                    Trust::Pins(p) => proptest::prop_assert!(!p.is_empty()),
                    Trust::Check(c) => proptest::prop_assert_eq!(c.len(), pin::CHECK_CHARS),
                }
            }
        }
    }

    #[test]
    fn invites_are_read_from_a_qr_payload_or_a_typed_code() {
        let pin = Pin::of_spki(b"key").to_string();
        let qr = format!(
            "kindred://enrol?server=https%3A%2F%2Fkindred.example.org&code=abcd-efgh-jkmn-pqrs&pin={}",
            pin.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D")
        );
        let i = read_invite(&qr, "ignored").unwrap();
        assert_eq!(i.server, "https://kindred.example.org");
        assert_eq!(i.code, "ABCDEFGHJKMNPQRS");
        assert_eq!(i.trust, Trust::Pins(vec![Pin::of_spki(b"key")]));
        // No pin, a bad pin, a plain-HTTP server or a short code: refused, nothing sent.
        assert_eq!(read_invite(&qr.replace("&pin=", "&nopin="), ""), Err(ConnectError::BadCode));
        assert_eq!(read_invite(&qr.replace("sha256", "md5"), ""), Err(ConnectError::BadCode));
        assert!(matches!(
            read_invite(&qr.replace("https%3A", "http%3A"), ""),
            Err(ConnectError::BadAddress(m)) if m.contains("https://")
        ));
        assert_eq!(read_invite(&qr.replace("-pqrs", ""), ""), Err(ConnectError::BadCode));
        assert_eq!(read_invite("kindred://other?x=1", ""), Err(ConnectError::BadCode));
        // Typed: the last two groups are the server check.
        let typed = pin::typed_code("ABCD-EFGH-JKMN-PQRS", &Pin::of_spki(b"key"));
        let i = read_invite("kindred.example.org", &typed.to_lowercase()).unwrap();
        assert_eq!(i.code, "ABCDEFGHJKMNPQRS");
        assert_eq!(i.trust, Trust::Check(Pin::of_spki(b"key").check()));
        assert_eq!(
            read_invite("kindred.example.org", "ABCD-EFGH-JKMN-PQRS"),
            Err(ConnectError::Incomplete)
        );
        assert!(matches!(
            read_invite("http://kindred.example.org", &typed),
            Err(ConnectError::BadAddress(_))
        ));
    }

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
