//! Delete, then undo: the deletion runs, the data version is bumped, the app goes back to the
//! list, and a toast offers "Undo" for a little less than the store's undo window. Used by the
//! tracker and craving pages; the toast is rendered once, by the root.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::Mutation;
use crate::state::{use_data_version, use_toast, DataVersion, Toast, Undo};
use crate::{ipc, text};

/// How long an "Undo" toast stays: a second less than the store's undo window.
pub const UNDO_TOAST: std::time::Duration =
    std::time::Duration::from_millis(kindred_core::model::UNDO_WINDOW_MS as u64 - 1_000);

/// The delete action for a page: `delete(what)` deletes `what` through `m` (whose error note
/// shows a failure), then goes back to its list and offers "Undo" in the toast.
pub fn use_delete_with_undo(m: Mutation) -> impl Fn(Undo) + Clone + 'static {
    let toast = use_toast();
    let navigate = use_navigate();
    move |what: Undo| {
        let navigate = navigate.clone();
        let (message, back) = match what {
            Undo::Tracker(_) => (text::DELETED, "/"),
            Undo::Craving(_) => (text::CRAVING_DELETED, "/cravings"),
        };
        let undo = what.clone();
        let delete = async move {
            match what {
                Undo::Tracker(id) => ipc::delete_tracker(id).await,
                Undo::Craving(id) => ipc::delete_craving(id).await,
            }
        };
        m.run(delete, move |()| {
            toast.set(Some(Toast { message, undo: Some(undo) }));
            navigate(back, Default::default());
            set_timeout(move || toast.set(None), UNDO_TOAST);
        });
    }
}

/// Restores what was deleted; whatever the outcome, closes the toast and reloads the data.
fn undo(what: Undo, toast: RwSignal<Option<Toast>>, version: DataVersion) {
    spawn_local(async move {
        let _ = match what {
            Undo::Tracker(id) => ipc::undo_delete_tracker(id).await,
            Undo::Craving(id) => ipc::undo_delete_craving(id).await,
        };
        toast.set(None);
        version.bump();
    });
}

/// Renders the toast, with "Undo" for a deletion.
#[component]
pub fn ToastBar() -> impl IntoView {
    let toast = use_toast();
    let version = use_data_version();
    move || {
        toast.get().map(|t| {
            let undo_button = t.undo.clone().map(|what| {
                view! {
                    <button class="link" data-test="undo" on:click=move |_| undo(what.clone(), toast, version)>
                        {text::UNDO}
                    </button>
                }
            });
            view! {
                <div class="toast" role="status">
                    <span>{t.message}</span>
                    {undo_button}
                </div>
            }
        })
    }
}
