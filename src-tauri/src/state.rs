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
use kindred_core::ipc::{CommandCode, CommandError, StoreState, StoreStatus};
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
    /// The keystore could not be used at start: the store lives in memory for this session
    /// and nothing is written to disk (SECURITY.md KY-3).
    session_only: std::sync::atomic::AtomicBool,
    /// The app lock now (SECURITY.md LK-1): locked, and when the PIN was last entered.
    lock: Mutex<LockNow>,
    /// Everything was deleted and nothing is open: the data folder stays empty until the
    /// mentee starts again ([`AppState::start_fresh`]) or the app next starts.
    deleted: std::sync::atomic::AtomicBool,
}

/// The lock's state in this run of the app (never stored: a start is locked when a PIN is set).
#[derive(Debug, Default)]
struct LockNow {
    locked: bool,
    unlocked_at: Option<std::time::Instant>,
}

/// How long an unlock counts as fresh for export, connecting, disconnecting, delete
/// everything, another phone's removal and the PIN itself (SECURITY.md LK-3).
const FRESH_UNLOCK: std::time::Duration = std::time::Duration::from_secs(120);

/// The answer after delete everything, until the mentee starts again.
fn deleted_error() -> CommandError {
    CommandError {
        code: CommandCode::Storage,
        message: "Everything on this phone was deleted, and nothing is kept now. Tap \"Start \
                  again\" when you want to begin fresh."
            .into(),
    }
}

/// The answer while locked.
pub fn locked_error() -> CommandError {
    CommandError { code: CommandCode::Locked, message: "Kindred is locked.".into() }
}

impl AppState {
    /// Opens the secret store and the store in `dir`. A store failure is kept and reported by
    /// every command, so the window still opens and explains, and the file is left untouched.
    pub fn open(dir: PathBuf) -> AppState {
        let secrets = keystore::open(&dir);
        let state = AppState {
            inner: Mutex::new(Err(unavailable())),
            dir,
            secrets,
            on_write: OnceLock::new(),
            session_only: std::sync::atomic::AtomicBool::new(false),
            lock: Mutex::new(LockNow::default()),
            deleted: std::sync::atomic::AtomicBool::new(false),
        };
        let mut opened = state.open_store();
        // A PIN set means every start begins locked.
        let locked = opened.as_mut().is_ok_and(|k| k.lock_enabled().unwrap_or(false));
        state.lock.lock().unwrap_or_else(PoisonError::into_inner).locked = locked;
        *state.inner.lock().unwrap_or_else(PoisonError::into_inner) = opened;
        state
    }

    /// Whether this session keeps nothing on disk (no keystore).
    pub fn session_only(&self) -> bool {
        self.session_only.load(std::sync::atomic::Ordering::Relaxed)
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

    /// Opens the encrypted store with its key from the keystore; without a keystore, a store
    /// in memory for this session only (never a plain file).
    fn open_store(&self) -> Result<Kindred, CommandError> {
        match Kindred::open_with_keystore(&self.dir, OpenOptions::system(), &*self.secrets) {
            Err(kindred_client::Error::KeystoreUnavailable) => {
                self.session_only.store(true, std::sync::atomic::Ordering::Relaxed);
                Kindred::session_only(OpenOptions::system()).map_err(map)
            }
            other => other.map_err(map),
        }
    }

    /// Deletes this phone's program sign-in, the store files and the store's key (so any copy
    /// of the file left anywhere can never be read: crypto-shredding, SECURITY.md PR-5)
    /// (delete everything). Nothing is opened again: the data folder stays empty until the
    /// mentee starts again or the app next starts. This also clears an unreadable file the
    /// mentee chose to let go of.
    pub fn delete_everything(&self) -> CommandResult<()> {
        kindred_client::keys::forget_sign_in(&*self.secrets);
        let mut guard = self.inner.lock().map_err(|_| unavailable())?;
        // Close the connection before deleting its files.
        *guard = Err(deleted_error());
        kindred_client::delete_store(&self.dir).map_err(map)?;
        let _ = self.secrets.delete(kindred_client::keys::DB_KEY);
        self.deleted.store(true, std::sync::atomic::Ordering::Relaxed);
        // The PIN went with the store.
        *self.lock.lock().unwrap_or_else(PoisonError::into_inner) = LockNow::default();
        Ok(())
    }

    /// How the store is doing (the recovery screen and the session-only notice read it).
    pub fn store_status(&self) -> StoreStatus {
        let guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match &*guard {
            Err(e) if self.deleted.load(std::sync::atomic::Ordering::Relaxed) => {
                StoreStatus { state: StoreState::Deleted, message: e.message.clone() }
            }
            Ok(_) if self.session_only() => StoreStatus {
                state: StoreState::SessionOnly,
                message: kindred_client::Error::KeystoreUnavailable.to_command_error().message,
            },
            Ok(_) => StoreStatus { state: StoreState::Ok, message: String::new() },
            Err(e) if e.code == CommandCode::NewerVersion => {
                StoreStatus { state: StoreState::NewerVersion, message: e.message.clone() }
            }
            Err(e) => StoreStatus { state: StoreState::Unreadable, message: e.message.clone() },
        }
    }

    /// Sets an unreadable data file aside (kept, with the key that didn't open it, under a
    /// name of its own in the keystore) and starts an empty store under a new key; after
    /// delete everything, just starts the empty store. Answers whether a file was set aside.
    /// Refused when the store is fine or only needs a newer app.
    pub fn start_fresh(&self, label: &str) -> CommandResult<bool> {
        let mut guard = self.inner.lock().map_err(|_| unavailable())?;
        if self.deleted.load(std::sync::atomic::Ordering::Relaxed) {
            // After delete everything: nothing to set aside, a new empty store under a new key.
            *guard = self.open_store();
            self.deleted.store(guard.is_err(), std::sync::atomic::Ordering::Relaxed);
            return guard.as_ref().map(|_| false).map_err(Clone::clone);
        }
        if self.store_status_of(&guard) != StoreState::Unreadable {
            return Err(CommandError {
                code: CommandCode::Invalid,
                message: "Your data file can be read, so there is nothing to set aside.".into(),
            });
        }
        kindred_client::set_aside(&self.dir, label).map_err(map)?;
        if let Ok(Some(old)) = self.secrets.get(kindred_client::keys::DB_KEY) {
            let aside = format!("{}.set-aside-{label}", kindred_client::keys::DB_KEY);
            if self.secrets.set(&aside, &old).is_ok() {
                let _ = self.secrets.delete(kindred_client::keys::DB_KEY);
            }
        }
        *guard = self.open_store();
        guard.as_ref().map(|_| true).map_err(Clone::clone)
    }

    fn store_status_of(&self, r: &Result<Kindred, CommandError>) -> StoreState {
        match r {
            Ok(_) => StoreState::Ok,
            Err(e) if e.code == CommandCode::NewerVersion => StoreState::NewerVersion,
            Err(_) => StoreState::Unreadable,
        }
    }

    /// Whether the app is locked now.
    pub fn is_locked(&self) -> bool {
        self.lock.lock().unwrap_or_else(PoisonError::into_inner).locked
    }

    /// Locks (drops nothing on disk; the UI drops what it shows).
    pub fn lock_now(&self) {
        let mut l = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        l.locked = true;
        l.unlocked_at = None;
    }

    /// Marks the app unlocked by a right PIN just now.
    pub fn mark_unlocked(&self) {
        let mut l = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        l.locked = false;
        l.unlocked_at = Some(std::time::Instant::now());
    }

    /// For the actions that need a fresh unlock when the lock is on: passes when there is no
    /// PIN or it was entered within [`FRESH_UNLOCK`]; otherwise locks the app (the UI shows
    /// the lock screen) and answers [`locked_error`] with why.
    pub fn require_fresh_unlock(&self) -> CommandResult<()> {
        let enabled = self.with_while_locked(|k| k.lock_enabled()).unwrap_or(false);
        if !enabled {
            return Ok(());
        }
        let fresh = fresh_unlock();
        let ok = self
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unlocked_at
            .is_some_and(|t| t.elapsed() < fresh);
        if ok {
            return Ok(());
        }
        self.lock_now();
        Err(CommandError {
            code: CommandCode::Locked,
            message: "For your safety, please enter your PIN again first, then try once more."
                .into(),
        })
    }

    /// Runs `f` with the store even while locked: only for the lock itself and help.
    pub fn with_while_locked<T>(
        &self,
        f: impl FnOnce(&mut Kindred) -> kindred_client::Result<T>,
    ) -> CommandResult<T> {
        let mut guard = self.inner.lock().map_err(|_| unavailable())?;
        match guard.as_mut() {
            Ok(k) => f(k).map_err(map),
            Err(e) => Err(e.clone()),
        }
    }

    /// Runs `f` with the store (refused while locked).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Kindred) -> kindred_client::Result<T>,
    ) -> CommandResult<T> {
        if self.is_locked() {
            return Err(locked_error());
        }
        self.with_while_locked(f)
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

/// [`FRESH_UNLOCK`], or in `e2e` test builds `KINDRED_E2E_FRESH_SECS` (so a test can see the
/// PIN asked again without waiting two minutes).
fn fresh_unlock() -> std::time::Duration {
    #[cfg(feature = "e2e")]
    if let Some(s) = std::env::var("KINDRED_E2E_FRESH_SECS").ok().and_then(|v| v.parse().ok()) {
        return std::time::Duration::from_secs(s);
    }
    FRESH_UNLOCK
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
