//! The managed application state: the opened [`Kindred`] facade (or why it could not open),
//! reached from commands through [`KindredExt`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kindred_client::clock::{system_tz, SystemClock};
use kindred_client::ids::UuidV7;
use kindred_client::Kindred;
use kindred_core::ipc::CommandError;
use tauri::{Manager, Runtime};

use crate::error::{map, unavailable, CommandResult};

/// Environment variable that overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "KINDRED_DATA_DIR";

/// Shared state: the store behind one lock (one writer connection).
pub struct AppState {
    inner: Mutex<Result<Kindred, CommandError>>,
    dir: PathBuf,
}

impl AppState {
    /// Opens the store in `dir`. A failure is kept and reported by every command, so the window
    /// still opens and explains, and the file is left untouched.
    pub fn open(dir: PathBuf) -> AppState {
        AppState { inner: Mutex::new(Self::open_store(&dir)), dir }
    }

    fn open_store(dir: &std::path::Path) -> Result<Kindred, CommandError> {
        Kindred::open_dir(dir, Arc::new(SystemClock), Arc::new(UuidV7), system_tz()).map_err(map)
    }

    /// Deletes the store files and starts again with an empty store (delete everything).
    /// This also clears an unreadable file the mentee chose to let go of.
    pub fn delete_everything(&self) -> CommandResult<()> {
        let mut guard = self.inner.lock().map_err(|_| unavailable())?;
        // Close the connection before deleting its files.
        *guard = Err(unavailable());
        kindred_client::delete_store(&self.dir).map_err(map)?;
        *guard = Self::open_store(&self.dir);
        guard.as_ref().map(|_| ()).map_err(Clone::clone)
    }

    /// Runs `f` with the store.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Kindred) -> kindred_client::Result<T>,
    ) -> CommandResult<T> {
        let mut guard = self.inner.lock().map_err(|_| unavailable())?;
        match guard.as_mut() {
            Ok(k) => f(k).map_err(map),
            Err(e) => Err(e.clone()),
        }
    }
}

/// The data folder: [`DATA_DIR_ENV`] when set, else the platform's app-data folder.
pub fn data_dir<R: Runtime, M: Manager<R>>(app: &M) -> tauri::Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => app.path().app_data_dir(),
    }
}

/// Access to the state from anything that can reach the app.
pub trait KindredExt<R: Runtime> {
    /// The managed [`AppState`].
    fn kindred(&self) -> tauri::State<'_, AppState>;
}

impl<R: Runtime, T: Manager<R>> KindredExt<R> for T {
    fn kindred(&self) -> tauri::State<'_, AppState> {
        self.state::<AppState>()
    }
}
