//! The client's error type, with a mapping to the small [`CommandError`] the UI shows.

use kindred_core::ipc::{CommandCode, CommandError};
use thiserror::Error;

/// Everything that can go wrong in the device store.
#[derive(Debug, Error)]
pub enum Error {
    /// The input broke a domain rule; the message is safe to show.
    #[error(transparent)]
    Invalid(#[from] kindred_core::Error),
    /// A record the request named does not exist (or was deleted).
    #[error("That {0} doesn't exist any more.")]
    NotFound(&'static str),
    /// The data file was written by a newer Kindred.
    #[error(
        "This data was saved by a newer version of Kindred ({found}; this app knows {known})."
    )]
    NewerVersion { found: i64, known: i64 },
    /// The data file is not a readable database.
    #[error("The data file can't be read; it may be damaged.")]
    Corrupt,
    /// The data file is intact but the key it was opened with is not its key. Kept apart from
    /// [`Error::Corrupt`]: a wrong key must never be reported (or handled) as a damaged file.
    #[error("The data file can't be unlocked with this device's key.")]
    WrongKey,
    /// The linked SQLite has no encryption codec: the store refuses to open rather than write
    /// a plain file (SECURITY.md KY-1).
    #[error("This build of Kindred can't encrypt its data file.")]
    NoCodec,
    /// The phone's secure keystore can't be used, so the store is not opened on disk.
    #[error("The phone's secure storage isn't available.")]
    KeystoreUnavailable,
    /// The app lock's PIN was refused or couldn't be kept; the message says why, plainly.
    #[error("{0}")]
    Lock(String),
    /// An import file was refused; the message says why, in plain words.
    #[error("{0}")]
    Import(String),
    /// A program help number the UI named is no longer published.
    #[error("That number isn't available any more.")]
    HelpNumberGone,
    /// A program help number is not a number this phone can safely dial or text.
    #[error("That number can't be dialled from here. You can dial it yourself.")]
    NotDialable,
    /// A stored e-mail address a `mailto:` link can't safely be built from.
    #[error("That e-mail address can't be opened from here. You can write to it yourself.")]
    NotMailable,
    /// Nothing to undo.
    #[error("There is nothing to undo any more.")]
    UndoExpired,
    /// Any other SQLite failure (disk full, read-only folder, ...).
    #[error("storage error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A stored JSON value could not be read back.
    #[error("stored value unreadable: {0}")]
    Json(#[from] serde_json::Error),
    /// The data folder could not be created or read.
    #[error("data folder: {0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Error::Corrupt,
            _ => Error::Sqlite(e),
        }
    }
}

/// Result alias for the client.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The small, stable error the UI receives. Storage details stay out of it: they can carry
    /// file paths or content.
    pub fn to_command_error(&self) -> CommandError {
        let (code, message) = match self {
            Error::Invalid(e) => (CommandCode::Invalid, e.to_string()),
            Error::Import(why) | Error::Lock(why) => (CommandCode::Invalid, why.clone()),
            Error::HelpNumberGone | Error::NotDialable | Error::NotMailable => {
                (CommandCode::Invalid, self.to_string())
            }
            Error::NotFound(_) | Error::UndoExpired => (CommandCode::NotFound, self.to_string()),
            Error::NewerVersion { .. } => (
                CommandCode::NewerVersion,
                "Your data was saved by a newer version of Kindred. Please update the app; \
                 nothing has been changed or deleted."
                    .to_owned(),
            ),
            Error::Corrupt => (
                CommandCode::Corrupt,
                "Kindred can't read its data file. It has not been changed or deleted. \
                 Please contact your program for help recovering it."
                    .to_owned(),
            ),
            Error::WrongKey => (
                CommandCode::WrongKey,
                "Kindred can't unlock its data file on this device. It has not been changed or \
                 deleted. Please contact your program for help recovering it."
                    .to_owned(),
            ),
            Error::KeystoreUnavailable => (
                CommandCode::Unavailable,
                "This phone's secure storage isn't available right now, so Kindred won't save \
                 anything to it. What you enter now is kept only until you close the app."
                    .to_owned(),
            ),
            Error::NoCodec => (
                CommandCode::Storage,
                "This copy of Kindred can't keep your entries encrypted, so it won't save \
                 anything. Please reinstall Kindred from your app store."
                    .to_owned(),
            ),
            Error::Sqlite(_) | Error::Io(_) | Error::Json(_) => (
                CommandCode::Storage,
                "Kindred couldn't save or read that just now. Nothing was lost; please try again."
                    .to_owned(),
            ),
        };
        CommandError { code, message }
    }
}
