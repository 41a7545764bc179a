//! The mentee's program: sync status, connect with an invite code, disconnect, "Sync now", and
//! the program's help numbers and resources. Nothing here waits on the network except
//! `connect_program`, which runs the enrolment on a blocking thread and is what the mentee is
//! waiting for anyway.

use kindred_client::sync::{self as engine, Status};
use kindred_core::ipc::{
    CommandError, ConnectProgramReq, ContactChannel, Empty, ProgramHelpNumber, ProgramHelpReq,
    ProgramHelpView, ProgramResource, SyncStatusView,
};
use kindred_core::model::contact;
use serde_json::{Map, Value};
use tauri::{AppHandle, Runtime, State};

use crate::error::{map, CommandResult};
use crate::opener;
use crate::state::{AppState, KindredExt};
use crate::sync::{self, Trigger};

fn invalid(message: &str) -> CommandError {
    CommandError { code: "invalid".into(), message: message.into() }
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>, req: Empty) -> CommandResult<SyncStatusView> {
    let Empty {} = req;
    state.with(sync::view)
}

/// Exchanges the invite code for this phone's sign-in, then starts a sync in the background.
#[tauri::command]
pub async fn connect_program<R: Runtime>(
    app: AppHandle<R>,
    req: ConnectProgramReq,
) -> CommandResult<SyncStatusView> {
    if req.server.chars().count() > 200 || req.code.chars().count() > 64 {
        return Err(invalid("That's longer than an address or code can be."));
    }
    let (status, _, _, _) = app.kindred().with(|k| k.sync_status())?;
    if !matches!(status, Status::Off | Status::Revoked | Status::Reconnect) {
        return Err(invalid("This phone is already connected to a program."));
    }
    let worker = app.clone();
    // reqwest's blocking client must not run on the async runtime's threads.
    let done = tauri::async_runtime::spawn_blocking(move || {
        let creds = sync::credentials(&worker);
        // Check the keyring first: an invite code is single-use, and a sign-in that can't be
        // kept would waste it.
        if let Err(e) = creds.get(kindred_client::sync::creds::ACCESS) {
            return Err(engine::ConnectError::Storage(e.to_string()));
        }
        let state = worker.kindred();
        engine::connect(&*state, &*creds, &req.server, &req.code, env!("CARGO_PKG_VERSION"))
    })
    .await
    .map_err(|_| invalid("Connecting was interrupted. Please try again."))?;
    done.map_err(|e| CommandError {
        code: "connect".into(),
        message: match e {
            // The engine's text names its layers; say it plainly instead.
            engine::ConnectError::Storage(m) if m.contains("credential store") => {
                "Kindred couldn't keep the sign-in safely on this device: its password keyring \
                 isn't available. Nothing on this phone changed."
                    .into()
            }
            engine::ConnectError::Storage(_) => {
                "Kindred couldn't save the connection on this phone. Nothing was lost; please \
                 try again."
                    .into()
            }
            other => other.to_string(),
        },
    })?;
    sync::trigger(&app, Trigger::Enrolment);
    app.kindred().with(sync::view)
}

/// Forgets the program and this phone's sign-in. Everything recorded here stays.
#[tauri::command(async)]
pub fn disconnect_program<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<SyncStatusView> {
    let Empty {} = req;
    let creds = sync::credentials(&app);
    engine::disconnect(&*state, &*creds).map_err(map)?;
    sync::trigger(&app, Trigger::Enrolment);
    state.with(sync::view)
}

/// Starts a sync now (in the background); answers with the status as it is.
#[tauri::command(async)]
pub fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: Empty,
) -> CommandResult<SyncStatusView> {
    let Empty {} = req;
    sync::trigger(&app, Trigger::Now);
    state.with(sync::view)
}

fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(Into::into)
}

/// The program's help numbers and resources (empty when not connected).
#[tauri::command(async)]
pub fn program_help(state: State<'_, AppState>, req: Empty) -> CommandResult<ProgramHelpView> {
    let Empty {} = req;
    state.with(|k| {
        let Some(enrolled) = k.enrolment()? else { return Ok(ProgramHelpView::default()) };
        let numbers = k
            .program_content("help_number")?
            .into_iter()
            .filter_map(|(id, f)| {
                Some(ProgramHelpNumber {
                    label: text(&f, "label")?,
                    phone: text(&f, "phone"),
                    sms: text(&f, "sms"),
                    hours: text(&f, "hours"),
                    id,
                })
            })
            .collect();
        let resources = k
            .program_content("resource")?
            .into_iter()
            .filter_map(|(id, f)| {
                Some(ProgramResource {
                    title: text(&f, "title")?,
                    body: text(&f, "body"),
                    url: text(&f, "url"),
                    id,
                })
            })
            .collect();
        Ok(ProgramHelpView { program_name: Some(enrolled.program_name), numbers, resources })
    })
}

/// A number from the program as a dialable value: E.164 (through the same check as mentor
/// contacts) or a short code of 3 to 8 digits (e.g. a local crisis line).
fn dialable(raw: &str) -> Option<String> {
    let t = raw.trim();
    if (3..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.to_owned());
    }
    contact::phone(t).ok().flatten()
}

/// Calls or texts one of the program's help numbers; the link is built here from the stored
/// number, never taken from the UI.
#[tauri::command(async)]
pub fn call_program_help<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ProgramHelpReq,
) -> CommandResult<()> {
    let help = program_help(state, Empty {})?;
    let n = help
        .numbers
        .into_iter()
        .find(|n| n.id == req.id)
        .ok_or_else(|| invalid("That number isn't available any more."))?;
    let unusable = || invalid("That number can't be dialled from here. You can dial it yourself.");
    let url = match req.channel {
        ContactChannel::Call => {
            contact::tel_url(&n.phone.as_deref().and_then(dialable).ok_or_else(unusable)?)
        }
        ContactChannel::Text => {
            contact::sms_url(&n.sms.as_deref().and_then(dialable).ok_or_else(unusable)?)
        }
        ContactChannel::Email => return Err(unusable()),
    };
    opener::open(&app, &url)
}

#[cfg(test)]
mod tests {
    use super::dialable;

    #[test]
    fn program_numbers_are_checked_before_dialling() {
        assert_eq!(dialable("+1 555 000 1111").as_deref(), Some("+15550001111"));
        assert_eq!(dialable("988").as_deref(), Some("988"));
        assert_eq!(dialable("741741").as_deref(), Some("741741"));
        assert_eq!(dialable("*#06#"), None);
        assert_eq!(dialable("12"), None);
        assert_eq!(dialable("javascript:x"), None);
    }
}
