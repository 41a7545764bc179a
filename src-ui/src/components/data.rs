//! "Your data" on the settings page: export everything (one JSON file, or spreadsheets), import
//! an export into a fresh install, and delete everything with a typed confirmation. Shown even
//! when the data file can't be read, so the mentee is never stuck.

use kindred_core::ipc::{CommandError, DataDone, ExportKind, DELETE_ALL_WORDS};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::common::ErrorNote;
use crate::app::use_data_version;
use crate::ipc::IpcResult;
use crate::{ipc, text};

#[component]
pub fn YourData() -> impl IntoView {
    let version = use_data_version();
    let error = RwSignal::new(None::<CommandError>);
    let status = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let run =
        move |fut: std::pin::Pin<Box<dyn std::future::Future<Output = IpcResult<DataDone>>>>| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            spawn_local(async move {
                match fut.await {
                    Ok(d) => {
                        error.set(None);
                        status.set(Some(d.message));
                        version.update(|v| *v += 1);
                    }
                    Err(e) => {
                        status.set(None);
                        error.set(Some(e));
                    }
                }
                busy.set(false);
            });
        };
    let delete = move |_| {
        let words = confirm.get_untracked();
        run(Box::pin(async move {
            ipc::delete_all_data(words)
                .await
                .map(|()| DataDone { done: true, message: text::DELETED_ALL.into() })
        }));
        confirm.set(String::new());
    };
    view! {
        <section class="card pad" data-test="your-data">
            <h2>{text::YOUR_DATA}</h2>
            <p class="muted">{text::YOUR_DATA_INTRO}</p>
            <button data-test="export-json" on:click=move |_| run(Box::pin(ipc::export_data(ExportKind::Json)))>
                {text::EXPORT_JSON}
            </button>
            <button data-test="export-csv" on:click=move |_| run(Box::pin(ipc::export_data(ExportKind::Csv)))>
                {text::EXPORT_CSV}
            </button>
            <button data-test="import" on:click=move |_| run(Box::pin(ipc::import_data()))>
                {text::IMPORT}
            </button>
            <h3>{text::DELETE_ALL}</h3>
            <p class="muted">{text::DELETE_ALL_INTRO} " \"" {DELETE_ALL_WORDS} "\""</p>
            <input
                type="text"
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                data-test="delete-all-confirm"
                prop:value=move || confirm.get()
                on:input=move |ev| confirm.set(event_target_value(&ev))
            />
            <button
                class="danger"
                data-test="delete-all"
                prop:disabled=move || confirm.get().trim().to_lowercase() != DELETE_ALL_WORDS
                on:click=delete
            >
                {text::DELETE_ALL}
            </button>
            {move || status.get().map(|m| view! { <p role="status" data-test="data-status">{m}</p> })}
            <ErrorNote err=error/>
        </section>
    }
}
