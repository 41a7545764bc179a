//! The mentee's data: export (JSON or CSV), import, delete everything.

use serde::{Deserialize, Serialize};

/// The words the mentee types to confirm deleting everything.
pub const DELETE_ALL_WORDS: &str = "delete everything";

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// One complete JSON file (can be imported).
    Json,
    /// One CSV file per kind of record.
    Csv,
}

/// Export everything to a place the mentee picks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportReq {
    pub kind: ExportKind,
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
