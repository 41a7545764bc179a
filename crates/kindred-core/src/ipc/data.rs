//! The mentee's data: export (JSON or CSV), import, delete everything; whether the encrypted
//! store is open, and starting fresh when its file can't be read.

use serde::{Deserialize, Serialize};

/// The words the mentee types to confirm deleting everything.
pub const DELETE_ALL_WORDS: &str = "delete everything";

/// How the store on this phone is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreState {
    /// Open and encrypted.
    Ok,
    /// The phone's keystore can't be used: entries are kept only in memory until the app closes.
    SessionOnly,
    /// The data file can't be opened (a key problem or a damaged file): the recovery screen.
    Unreadable,
    /// The data file was written by a newer Kindred: update the app (nothing to recover).
    NewerVersion,
    /// Everything was deleted: no file is kept until the mentee starts again (or the app
    /// next starts).
    Deleted,
}

/// The store's state and a calm sentence about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStatus {
    pub state: StoreState,
    pub message: String,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// One complete JSON file (can be imported).
    Json,
    /// One CSV file per kind of record.
    Csv,
}

/// Export everything to a place the mentee picks. The one-file export is sealed with
/// `passphrase` (the age format); spreadsheets are plain (desktop only, with a warning).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportReq {
    pub kind: ExportKind,
    #[serde(default)]
    pub passphrase: String,
}

/// Import an export file (picked in a dialog); a sealed one is opened with `passphrase`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportReq {
    #[serde(default)]
    pub passphrase: String,
}

impl std::fmt::Debug for ExportReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportReq").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ImportReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportReq").finish_non_exhaustive()
    }
}

/// How an export or import went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataDone {
    /// `false` when the mentee cancelled the file dialog.
    pub done: bool,
    /// A plain sentence about what happened.
    pub message: String,
}

/// Delete everything: on the program's server first (when connected), then on this device;
/// `confirm` must be [`DELETE_ALL_WORDS`]. With `this_phone_only` the server is not asked (the
/// mentee chose that after it couldn't be reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteAllReq {
    pub confirm: String,
    #[serde(default)]
    pub this_phone_only: bool,
}
