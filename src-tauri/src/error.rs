//! What a command answers with when it fails: the small, serializable
//! [`kindred_core::ipc::CommandError`], never an internal error with paths or content.

use kindred_core::ipc::{CommandCode, CommandError};

/// Result of every command.
pub type CommandResult<T> = Result<T, CommandError>;

/// Maps a client error to the UI's error.
pub fn map(e: kindred_client::Error) -> CommandError {
    e.to_command_error()
}

/// The error returned while the store could not be opened.
pub fn unavailable() -> CommandError {
    CommandError {
        code: CommandCode::Storage,
        message: "Kindred's data isn't available right now. Nothing has been deleted.".into(),
    }
}
