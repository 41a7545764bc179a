//! Every error and rejection code that crosses the wire, in one enum.
//!
//! The server answers `{error, message}` with one of these in `error`, and a push result's
//! `code` says why a change was refused; the phone's retry classification and the UI match on
//! the same enum, so no code string is spelled twice. A code this build does not know (from a
//! newer server) reads as [`ErrorCode::Unknown`] instead of failing the whole answer.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! codes {
    ($($(#[$doc:meta])* $v:ident = $s:literal,)*) => {
        /// A stable machine-readable code (SYNC.md §8, SECURITY.md logging rules: codes carry
        /// no health data, tokens or ids).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[$doc])* $v,)*
            /// A code this build does not know (a newer server, or a body that isn't ours).
            Unknown,
        }

        impl ErrorCode {
            /// Every known code (not [`ErrorCode::Unknown`]).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$v,)*];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$v => $s,)*
                    ErrorCode::Unknown => "unknown",
                }
            }

            /// The code spelled `s`, or [`ErrorCode::Unknown`].
            pub fn parse(s: &str) -> ErrorCode {
                match s {
                    $($s => ErrorCode::$v,)*
                    _ => ErrorCode::Unknown,
                }
            }
        }
    };
}

codes! {
    // ----- request errors (`ErrorBody::error`) -----
    /// The server's database is unavailable or busy; nothing was applied.
    Unavailable = "unavailable",
    /// The server failed in a way it did not expect.
    Internal = "internal",
    /// The database is configured with weaker durability than the server needs.
    Durability = "durability",
    /// Too many requests; `Retry-After` says when to come back.
    RateLimited = "rate_limited",
    /// The body is over the size limit (after gzip decoding).
    BodyTooLarge = "body_too_large",
    /// A push with more changes than `MAX_CHANGES_PER_PUSH`.
    BatchTooLarge = "batch_too_large",
    /// The body is not valid JSON of the expected shape.
    BadJson = "bad_json",
    /// The query string is not valid.
    BadQuery = "bad_query",
    /// No bearer token.
    MissingToken = "missing_token",
    /// A token the server does not know.
    TokenInvalid = "token_invalid",
    /// An access or refresh token past its lifetime.
    TokenExpired = "token_expired",
    /// The device was disconnected by staff, or its refresh token was reused.
    DeviceRevoked = "device_revoked",
    /// A pull without the `Sync-Epoch` header.
    MissingEpoch = "missing_epoch",
    /// The server was restored and its epoch rotated (SYNC.md §13).
    EpochChanged = "epoch_changed",
    /// A cursor that is negative or beyond the scope's history.
    BadCursor = "bad_cursor",
    /// The device may not read that scope.
    ScopeForbidden = "scope_forbidden",
    /// The body's device id is not the authenticated device.
    DeviceMismatch = "device_mismatch",
    /// An invite code that is unknown, used or expired.
    InviteInvalid = "invite_invalid",
    /// The device is enrolled for another mentee.
    DeviceConflict = "device_conflict",
    /// The device id is not a UUID.
    BadDeviceId = "bad_device_id",
    /// The app version string is too long.
    BadAppVersion = "bad_app_version",
    /// A role that is not mentee or mentor.
    BadRole = "bad_role",
    /// An invite lifetime outside a minute to a day.
    BadTtl = "bad_ttl",
    /// A name that is empty, too long or has control characters.
    BadName = "bad_name",
    /// Input that breaks a rule (staff writes).
    Invalid = "invalid",
    /// A route or a named thing that does not exist.
    NotFound = "not_found",
    /// The route does not take this method.
    MethodNotAllowed = "method_not_allowed",
    /// A body that is not JSON, or an encoding other than gzip.
    UnsupportedMediaType = "unsupported_media_type",
    /// The body could not be decoded (a broken gzip stream).
    BadEncoding = "bad_encoding",
    /// The request took too long to arrive or to answer.
    Timeout = "timeout",
    /// A destructive request without its confirmation words.
    NotConfirmed = "not_confirmed",
    /// A mentee's data the mentee has not shared with this mentor (no live grant).
    NotShared = "not_shared",
    /// A sign-in that failed (wrong password or code, or no such account: never which).
    SignInFailed = "sign_in_failed",
    /// A web form without its CSRF token, or sent from another site.
    CsrfFailed = "csrf_failed",
    // ----- push rejections (`PushResult::code`) -----
    /// The entity is not in the registry.
    UnknownEntity = "unknown_entity",
    /// The entity version is newer than the server knows (or 0).
    EntityVersionUnsupported = "entity_version_unsupported",
    /// A field that isn't in the registry, or is device-only.
    FieldNotAllowed = "field_not_allowed",
    /// `op` and `cl` disagree, or a delete carries fields.
    BadOp = "bad_op",
    /// This writer may not write that entity.
    NotWritable = "not_writable",
    /// The record id is not a UUID.
    BadId = "bad_id",
    /// A value of the wrong type.
    WrongType = "wrong_type",
    /// A text over its cap.
    TooLong = "too_long",
    /// A number out of its range.
    OutOfRange = "out_of_range",
    /// A domain time more than a day ahead of the server's clock.
    TimeInFuture = "time_in_future",
    /// A create without a field that may not be null.
    MissingField = "missing_field",
    /// An earlier change in the batch that this one depends on was rejected.
    DependsOnRejected = "depends_on_rejected",
    /// A change id seen before with another payload.
    IdempotencyKeyReused = "idempotency_key_reused",
    /// A record id already used by another entity.
    EntityMismatch = "entity_mismatch",
    /// A create or edit of a record that was deleted.
    RecordDeleted = "record_deleted",
    /// A staff write that was refused.
    Rejected = "rejected",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(ErrorCode::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_round_trips_and_is_spelled_once() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} spelled twice");
            assert_eq!(ErrorCode::parse(c.as_str()), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), c);
        }
        assert!(!seen.contains("unknown"));
    }

    #[test]
    fn an_unknown_code_reads_as_unknown() {
        assert_eq!(serde_json::from_str::<ErrorCode>("\"brand_new\"").unwrap(), ErrorCode::Unknown);
        assert_eq!(ErrorCode::parse(""), ErrorCode::Unknown);
        assert!(serde_json::from_str::<ErrorCode>("3").is_err());
    }
}
