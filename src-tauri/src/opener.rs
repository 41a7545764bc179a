//! Hands `tel:`, `sms:` and `mailto:` links to the OS. Links are built in Rust from stored,
//! validated data (the UI never sends a URL), and only those three schemes are ever opened.
//! With the `e2e` feature (test builds only) the link is appended to
//! `opened-links.log` in the data folder instead, so tests can check it without dialing.

use tauri::{AppHandle, Runtime};

use crate::error::CommandResult;
use kindred_core::ipc::{CommandCode, CommandError};

/// The schemes Kindred opens.
pub const SCHEMES: &[&str] = &["tel:", "sms:", "mailto:"];

fn refused() -> CommandError {
    CommandError { code: CommandCode::Invalid, message: "That link can't be opened.".into() }
}

/// Opens `url` through the OS (or records it in test builds).
pub fn open<R: Runtime>(app: &AppHandle<R>, url: &str) -> CommandResult<()> {
    if !SCHEMES.iter().any(|s| url.starts_with(s)) {
        return Err(refused());
    }
    deliver(app, url)
}

#[cfg(not(feature = "e2e"))]
fn deliver<R: Runtime>(app: &AppHandle<R>, url: &str) -> CommandResult<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_url(url, None::<&str>).map_err(|_| CommandError {
        code: CommandCode::Unavailable,
        message: "This device couldn't open that. You can dial or type it yourself.".into(),
    })
}

#[cfg(feature = "e2e")]
fn deliver<R: Runtime>(app: &AppHandle<R>, url: &str) -> CommandResult<()> {
    use std::io::Write;
    let dir = crate::state::data_dir(app).map_err(|_| refused())?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("opened-links.log"))
        .map_err(|_| refused())?;
    writeln!(f, "{url}").map_err(|_| refused())
}
