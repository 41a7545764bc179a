//! The server's one error type. Every variant maps to an HTTP status and a stable `error` code
//! ([`ErrorCode`], the one list in `kindred-core`); messages are plain and never carry health data, tokens or record ids.

use kindred_core::sync::wire::ErrorCode;

/// Anything the server can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed; the request is answered 503 and nothing was applied.
    #[error("database error: {0}")]
    Db(String),
    /// The database is configured with weaker durability than the server needs (S6).
    #[error("{0}")]
    Durability(String),
    /// No database connection became free in time.
    #[error("the server is busy")]
    Busy,
    /// Missing, unknown, expired or revoked credentials; the code says which.
    #[error("{1}")]
    Unauthorized(ErrorCode, &'static str),
    /// Authenticated but not allowed (another scope, another device id).
    #[error("{1}")]
    Forbidden(ErrorCode, &'static str),
    /// Malformed or out-of-range input.
    #[error("{1}")]
    BadRequest(ErrorCode, String),
    /// A request too large to take.
    #[error("{1}")]
    TooLarge(ErrorCode, &'static str),
    /// The server was restored and its epoch rotated (SYNC.md §13).
    #[error("the server's history changed; sync will recover on its own")]
    EpochChanged { restore_point_seq: Option<i64> },
    /// A staff command named something that does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A staff command or enrolment that conflicts with existing state.
    #[error("{1}")]
    Conflict(ErrorCode, &'static str),
    /// The database was written by a newer binary; opening it changed nothing.
    #[error("This database was written by a newer kindred-server (schema {found}; this binary knows {known}). Nothing was changed.")]
    SchemaTooNew { found: i64, known: i64 },
    /// Too many failed attempts (mentor sign-in); try again after this many seconds.
    #[error("Too many tries. Please wait a few minutes and try again.")]
    TooMany { retry_secs: u64 },
    /// A start-up setting can't be used (TLS files, addresses); the server does not start.
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// The HTTP status it is answered with (the in-process test transport uses it too).
    pub fn status(&self) -> u16 {
        match self {
            Error::Db(_) | Error::Busy | Error::Durability(_) | Error::SchemaTooNew { .. } => 503,
            Error::Config(_) => 500,
            Error::Unauthorized(..) => 401,
            Error::Forbidden(..) => 403,
            Error::BadRequest(..) => 400,
            Error::TooLarge(..) => 413,
            Error::EpochChanged { .. } | Error::Conflict(..) => 409,
            Error::NotFound(_) => 404,
            Error::TooMany { .. } => 429,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Db(_) | Error::Busy | Error::SchemaTooNew { .. } => ErrorCode::Unavailable,
            Error::Config(_) => ErrorCode::Internal,
            Error::Durability(_) => ErrorCode::Durability,
            Error::Unauthorized(c, _)
            | Error::Forbidden(c, _)
            | Error::TooLarge(c, _)
            | Error::Conflict(c, _)
            | Error::BadRequest(c, _) => *c,
            Error::EpochChanged { .. } => ErrorCode::EpochChanged,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::TooMany { .. } => ErrorCode::RateLimited,
        }
    }
}
