//! The managed application state: the opened [`Kindred`] facade (or why it could not open) and
//! this install's secret store ([`crate::keystore`]), reached from commands through
//! [`KindredExt`]. Commands that change data go through [`AppState::write`], which tells the
//! sync worker afterwards; the sync engine reaches the store through the [`Locked`] impl, one
//! short step at a time, and takes the secret store from here.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use kindred_client::keys::CredentialStore;
use kindred_client::sync::Locked;
use kindred_client::{Kindred, OpenOptions};
use kindred_core::ipc::CommandError;
use tauri::{Manager, Runtime};

use crate::error::{map, unavailable, CommandResult};
use crate::keystore;

/// Environment variable that overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "KINDRED_DATA_DIR";

/// Called after every committed write.
type WriteHook = Box<dyn Fn() + Send + Sync>;

/// Shared state: the store behind one lock (one writer connection), and the secret store.
pub struct AppState {
    inner: Mutex<Result<Kindred, CommandError>>,
    dir: PathBuf,
    secrets: Arc<dyn CredentialStore>,
    on_write: OnceLock<WriteHook>,
}

impl AppState {
    /// Opens the secret store and the store in `dir`. A store failure is kept and reported by
    /// every command, so the window still opens and explains, and the file is left untouched.
    pub fn open(dir: PathBuf) -> AppState {
        let secrets = keystore::open(&dir);
        AppState {
            inner: Mutex::new(Self::open_store(&dir)),
            dir,
            secrets,
            on_write: OnceLock::new(),
        }
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This install's secret store (the sign-in tokens; the database key next).
    pub fn secrets(&self) -> Arc<dyn CredentialStore> {
        Arc::clone(&self.secrets)
    }

    /// Sets what runs after each committed write (the sync trigger). Set once, at start.
    pub fn set_on_write(&self, hook: impl Fn() + Send + Sync + 'static) {
        let _ = self.on_write.set(Box::new(hook));
    }

    fn open_store(dir: &std::path::Path) -> Result<Kindred, CommandError> {
        // The encrypted store will take its key from `secrets` here (OpenOptions::with_key).
        Kindred::open_dir(dir, OpenOptions::system()).map_err(map)
    }

    /// Deletes this phone's program sign-in and the store files, and starts again with an
    /// empty store (delete everything). This also clears an unreadable file the mentee chose to
    /// let go of.
    pub fn delete_everything(&self) -> CommandResult<()> {
        kindred_client::keys::forget_sign_in(&*self.secrets);
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

    /// Runs a write `f` with the store; once it has committed, tells the sync worker.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Kindred) -> kindred_client::Result<T>,
    ) -> CommandResult<T> {
        let out = self.with(f)?;
        if let Some(hook) = self.on_write.get() {
            hook();
        }
        Ok(out)
    }
}

impl Locked for AppState {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Kindred) -> kindred_client::Result<T>,
    ) -> kindred_client::Result<T> {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_mut() {
            Ok(k) => f(k),
            Err(_) => Err(kindred_client::Error::NotFound("store")),
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
