//! The mentee's data: export (JSON or CSV), import into a fresh install, delete everything (on
//! the program's server first, then on this phone).

use std::io::Write;
use std::path::Path;

use kindred_client::sync::{self as engine, account};
use kindred_core::ipc::{
    CommandCode, CommandError, DataDone, DeleteAllReq, Empty, ExportKind, ExportReq, ImportReq,
    StoreStatus, DELETE_ALL_WORDS,
};
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::files;
use crate::state::{AppState, KindredExt};

fn io_error() -> CommandError {
    CommandError {
        code: CommandCode::Storage,
        message: "That file couldn't be written or read. Nothing in Kindred was changed.".into(),
    }
}

/// Writes a file only the mentee's account can read.
fn write_private(path: &Path, bytes: &[u8]) -> CommandResult<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(|_| io_error())?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|_| io_error())
}

fn cancelled() -> DataDone {
    DataDone { done: false, message: "Nothing was saved.".into() }
}

#[tauri::command(async)]
pub fn export_data<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ExportReq,
) -> CommandResult<DataDone> {
    state.require_fresh_unlock()?;
    match req.kind {
        ExportKind::Json => {
            // Sealed before the dialog opens: a weak passphrase is refused first.
            let sealed = state.with(|k| k.export_sealed(&req.passphrase))?;
            let Some(path) = files::save_file(&app, "kindred-export.age") else {
                return Ok(cancelled());
            };
            write_private(&path, &sealed)?;
            Ok(DataDone {
                done: true,
                message: "Saved everything in one file, locked with your passphrase.".into(),
            })
        }
        #[cfg(mobile)]
        ExportKind::Csv => Ok(DataDone {
            done: false,
            message: "Spreadsheets can be exported on a computer; here, use the one-file export."
                .into(),
        }),
        #[cfg(desktop)]
        ExportKind::Csv => {
            let csvs = state.with(|k| k.export_csv())?;
            let Some(dir) = files::pick_folder(&app) else { return Ok(cancelled()) };
            for (name, body) in &csvs {
                write_private(&dir.join(name), body.as_bytes())?;
            }
            Ok(DataDone { done: true, message: format!("Saved {} spreadsheet files.", csvs.len()) })
        }
    }
}

#[tauri::command(async)]
pub fn import_data<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ImportReq,
) -> CommandResult<DataDone> {
    let Some(path) = files::open_file(&app) else {
        return Ok(DataDone { done: false, message: "Nothing was imported.".into() });
    };
    let too_big = CommandError {
        code: CommandCode::Invalid,
        message: "That file is too big to be a Kindred export.".into(),
    };
    let len = std::fs::metadata(&path).map_err(|_| io_error())?.len();
    if len > kindred_client::export::MAX_BYTES as u64 {
        return Err(too_big);
    }
    let bytes = std::fs::read(&path).map_err(|_| io_error())?;
    let s = state.write(|k| k.import_file(&bytes, &req.passphrase))?;
    Ok(DataDone {
        done: true,
        message: format!(
            "Imported {} trackers, {} cravings and {} check-ins.",
            s.trackers, s.cravings, s.check_ins
        ),
    })
}

/// Delete everything: first the mentee's data on the program's server (when connected; if it
/// can't be reached nothing is deleted and the mentee is told, and may choose
/// `this_phone_only`), then this phone's sign-in and store.
#[tauri::command]
pub async fn delete_all_data<R: Runtime>(
    app: AppHandle<R>,
    req: DeleteAllReq,
) -> CommandResult<DataDone> {
    if req.confirm.trim().to_lowercase() != DELETE_ALL_WORDS {
        return Err(CommandError {
            code: CommandCode::Invalid,
            message: format!("To delete everything, type \"{DELETE_ALL_WORDS}\"."),
        });
    }
    app.kindred().require_fresh_unlock()?;
    let worker = app.clone();
    let message = tauri::async_runtime::spawn_blocking(move || {
        let state = worker.kindred();
        let message = if req.this_phone_only {
            // The sign-in is revoked now or later; the server's copy stays until asked.
            let _ = engine::disconnect(&*state, &*state.secrets());
            THIS_PHONE_ONLY
        } else {
            match account::delete_on_server(&*state, state.secrets()) {
                Ok(Some(_)) => EVERYWHERE,
                Ok(None) => ON_THIS_PHONE,
                Err(e) => {
                    return Err(CommandError {
                        code: CommandCode::Connect,
                        message: format!("{e} {SERVER_FIRST}"),
                    })
                }
            }
        };
        state.delete_everything()?;
        Ok(message)
    })
    .await
    .map_err(|_| CommandError {
        code: CommandCode::Invalid,
        message: "That was interrupted. Nothing was deleted; please try again.".into(),
    })??;
    // WebKit's own folders (caches, storage) hold nothing of ours by design (SECURITY.md ST-1);
    // they are cleared anyway, so delete everything leaves nothing behind there either.
    if let Some(w) = tauri::Manager::get_webview_window(&app, "main") {
        let _ = w.clear_all_browsing_data();
    }
    crate::sync::trigger(&app, crate::sync::Trigger::Enrolment);
    crate::notify::replan(&app);
    Ok(DataDone { done: true, message: message.into() })
}

/// After deleting on the server and on this phone.
const EVERYWHERE: &str =
    "Everything was deleted, on this phone and on your program's server. Your program can see \
     that you deleted your data, not what it was.";
/// After deleting on a phone that wasn't connected.
const ON_THIS_PHONE: &str = "Everything on this phone was deleted.";
/// After the mentee chose this phone only.
const THIS_PHONE_ONLY: &str =
    "Everything on this phone was deleted. Your program's server still has its copy: connect \
     again to delete it, or ask your program to.";
/// Said when the server's copy couldn't be deleted first.
const SERVER_FIRST: &str = "Your entries on this phone weren't touched either. You can try \
     again, or delete only what's on this phone.";

/// Whether the encrypted store is open, in memory only, or unreadable.
#[tauri::command]
pub fn store_status(state: State<'_, AppState>, req: Empty) -> CommandResult<StoreStatus> {
    let Empty {} = req;
    Ok(state.store_status())
}

/// Set in the environment only by `cargo xtask bench P3`: the app exits when Today has painted.
pub const BENCH_EXIT_ENV: &str = "KINDRED_BENCH_EXIT_WHEN_READY";

/// The UI's first Today screen has painted with its data read from the store. Nothing happens,
/// except in a cold-start benchmark run ([`BENCH_EXIT_ENV`]), where this ends the process, as
/// the hello-world baseline's command does.
#[tauri::command]
pub fn ui_ready(req: Empty) -> CommandResult<()> {
    let Empty {} = req;
    if std::env::var_os(BENCH_EXIT_ENV).is_some() {
        std::process::exit(0);
    }
    Ok(())
}

/// Sets an unreadable data file aside (never deleted) and starts with an empty store; after
/// delete everything, starts the empty store.
#[tauri::command(async)]
pub fn start_fresh(state: State<'_, AppState>, req: Empty) -> CommandResult<DataDone> {
    let Empty {} = req;
    let now = kindred_core::clock::Clock::now(&kindred_client::clock::SystemClock);
    let label = now.format("%Y%m%dT%H%M%SZ").to_string();
    let set_aside = state.start_fresh(&label)?;
    let message = if set_aside {
        "Kindred has started fresh. Your old file is kept, untouched, in case it can be opened \
         later. You can bring your entries back from an export, or by connecting to your \
         program again."
    } else {
        "Kindred has started fresh. You can bring entries back from an export, or by \
         connecting to your program."
    };
    Ok(DataDone { done: true, message: message.into() })
}
