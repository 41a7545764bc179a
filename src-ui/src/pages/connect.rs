//! `/connect` — connect this phone to the mentee's program with the server address and the
//! one-time code the program gave (typed or pasted; capitals, spaces and dashes don't matter).
//! The shell does the exchange; the page only shows busy, the calm error, or goes back to
//! settings.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::common::{ErrorNote, Mutation, TextInput};
use crate::state::use_sync;
use crate::{ipc, text};

#[component]
pub fn ConnectPage() -> impl IntoView {
    let sync = use_sync();
    let server = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let m = Mutation::local().one_at_a_time();
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let (s, c) = (server.get_untracked(), code.get_untracked());
        m.run(ipc::connect_program(s, c), move |v| {
            sync.status.set(Some(v));
            sync.syncing.set(true);
            navigate("/settings", Default::default());
        });
    };
    view! {
        <h1>{text::CONNECT_TITLE}</h1>
        <p>{text::CONNECT_INTRO}</p>
        <form on:submit=submit data-test="connect-form">
            <label>{text::SERVER_ADDRESS} <TextInput value=server test="server"/></label>
            <label>{text::INVITE_CODE} <TextInput value=code test="invite-code"/></label>
            <p class="muted" data-test="connect-sends">{text::CONNECT_SENDS}</p>
            <p class="muted" data-test="connect-mentor">{text::CONNECT_MENTOR}</p>
            <ErrorNote err=m.error/>
            <button
                type="submit"
                class="primary"
                data-test="connect"
                prop:disabled=move || m.busy()
            >
                {move || if m.busy() { text::CONNECTING } else { text::CONNECT }}
            </button>
        </form>
    }
}
