//! Where exports go and imports come from: the OS file dialog, opened from Rust so the UI never
//! sends a path (SECURITY.md TA-5). With the `e2e` feature (test builds only) the dialogs are
//! replaced by fixed places: exports go to `<data>/e2e-export/`, imports come from the file named
//! by `KINDRED_E2E_IMPORT`.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};

/// A file to save `name` to, or `None` when the mentee cancelled.
#[cfg(not(feature = "e2e"))]
pub fn save_file<R: Runtime>(app: &AppHandle<R>, name: &str) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    app.dialog().file().set_file_name(name).blocking_save_file()?.into_path().ok()
}

/// A folder to write several files into, or `None` when the mentee cancelled. Desktop only: the
/// mobile dialogs pick files, not folders.
#[cfg(all(desktop, not(feature = "e2e")))]
pub fn pick_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    app.dialog().file().blocking_pick_folder()?.into_path().ok()
}

/// A file to import, or `None` when the mentee cancelled.
#[cfg(not(feature = "e2e"))]
pub fn open_file<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    app.dialog()
        .file()
        .add_filter("Kindred export", &["json"])
        .blocking_pick_file()?
        .into_path()
        .ok()
}

#[cfg(feature = "e2e")]
fn e2e_dir<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    let dir = crate::state::data_dir(app).ok()?.join("e2e-export");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

#[cfg(feature = "e2e")]
pub fn save_file<R: Runtime>(app: &AppHandle<R>, name: &str) -> Option<PathBuf> {
    Some(e2e_dir(app)?.join(name))
}

#[cfg(all(desktop, feature = "e2e"))]
pub fn pick_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    e2e_dir(app)
}

#[cfg(feature = "e2e")]
pub fn open_file<R: Runtime>(_app: &AppHandle<R>) -> Option<PathBuf> {
    std::env::var_os("KINDRED_E2E_IMPORT").map(PathBuf::from)
}
