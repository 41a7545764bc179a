//! `/connect` — connect this phone to the mentee's program with the server address and the
//! one-time code the program gave (typed or pasted; capitals, spaces and dashes don't matter).
//! The shell does the exchange; the page only shows busy, the calm error, or goes back to
//! settings.

use kindred_core::ipc::CommandError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::common::{text_input, ErrorNote};
use crate::components::program::use_sync;
use crate::{ipc, text};

#[component]
pub fn ConnectPage() -> impl IntoView {
    let sync = use_sync();
    let server = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<CommandError>);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        let (s, c) = (server.get_untracked(), code.get_untracked());
        spawn_local(async move {
            match ipc::connect_program(s, c).await {
                Ok(v) => {
                    sync.status.set(Some(v));
                    sync.syncing.set(true);
                    navigate("/settings", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{text::CONNECT_TITLE}</h1>
        <p>{text::CONNECT_INTRO}</p>
        <form on:submit=submit data-test="connect-form">
            <label>{text::SERVER_ADDRESS} {text_input(server, "text", "server".into())}</label>
            <label>{text::INVITE_CODE} {text_input(code, "text", "invite-code".into())}</label>
            <p class="muted">{text::PRIVACY_LINE}</p>
            <ErrorNote err=error/>
            <button
                type="submit"
                class="primary"
                data-test="connect"
                prop:disabled=move || busy.get()
            >
                {move || if busy.get() { text::CONNECTING } else { text::CONNECT }}
            </button>
        </form>
    }
}
