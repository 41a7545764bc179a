//! "Your data" on the settings page: export everything (one JSON file, or spreadsheets), import
//! an export into a fresh install, and delete everything with a typed confirmation. Shown even
//! when the data file can't be read, so the mentee is never stuck.

use std::future::Future;

use kindred_core::ipc::{CommandCode, DataDone, ExportKind, DELETE_ALL_WORDS};
use leptos::prelude::*;

use super::common::{ErrorNote, Mutation, TextInput};
use crate::ipc::IpcResult;
use crate::{ipc, text};

/// Runs one data action (one at a time); its message, or the error, shows under the buttons.
fn run(
    m: Mutation,
    status: RwSignal<Option<String>>,
    fut: impl Future<Output = IpcResult<DataDone>> + 'static,
) {
    m.run_or(fut, move |d| status.set(Some(d.message)), move || status.set(None));
}

#[component]
pub fn YourData() -> impl IntoView {
    let m = Mutation::new().one_at_a_time();
    let status = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(String::new());
    // The passphrase that locks a new export or opens one being imported. Kept in memory only.
    let passphrase = RwSignal::new(String::new());
    // The program's server couldn't delete its copy: offer this phone only.
    let server_failed = RwSignal::new(false);
    let lock = crate::state::use_lock();
    let delete = move |this_phone_only: bool| {
        let words = confirm.get_untracked();
        m.run_or(
            ipc::delete_all_data(words, this_phone_only),
            move |d| {
                status.set(Some(d.message));
                confirm.set(String::new());
                server_failed.set(false);
                // The PIN went with the store.
                lock.status.set(None);
            },
            move || {
                status.set(None);
                let code = m.error.get_untracked().map(|e| e.code);
                server_failed.set(code == Some(CommandCode::Connect));
            },
        );
    };
    view! {
        <section class="card pad" data-test="your-data">
            <h2>{text::YOUR_DATA}</h2>
            <p class="muted">{text::YOUR_DATA_INTRO}</p>
            <p class="muted">{text::EXPORT_PASSPHRASE_HINT}</p>
            <label class="field">
                {text::EXPORT_PASSPHRASE}
                <TextInput value=passphrase test="export-passphrase" kind="password"/>
            </label>
            <button data-test="export-json"
                on:click=move |_| run(m, status, ipc::export_data(ExportKind::Json, passphrase.get_untracked()))>
                {text::EXPORT_JSON}
            </button>
            <button data-test="import"
                on:click=move |_| run(m, status, ipc::import_data(passphrase.get_untracked()))>
                {text::IMPORT}
            </button>
            <p class="muted">{text::EXPORT_CSV_WARNING}</p>
            <button data-test="export-csv" on:click=move |_| run(m, status, ipc::export_data(ExportKind::Csv, String::new()))>
                {text::EXPORT_CSV}
            </button>
            <h3>{text::DELETE_ALL}</h3>
            <p class="muted">{text::DELETE_ALL_INTRO} " \"" {DELETE_ALL_WORDS} "\""</p>
            <label class="field">
                {text::DELETE_ALL_CONFIRM_LABEL}
                <TextInput value=confirm test="delete-all-confirm"/>
            </label>
            <button
                class="danger"
                data-test="delete-all"
                prop:disabled=move || confirm.get().trim().to_lowercase() != DELETE_ALL_WORDS
                on:click=move |_| delete(false)
            >
                {text::DELETE_ALL}
            </button>
            {move || server_failed.get().then(|| view! {
                <button class="danger" data-test="delete-this-phone" on:click=move |_| delete(true)>
                    {text::DELETE_THIS_PHONE_ONLY}
                </button>
            })}
            {move || status.get().map(|m| view! { <p role="status" data-test="data-status">{m}</p> })}
            <ErrorNote err=m.error/>
        </section>
    }
}
