//! `/help` — crisis and help lines, bundled so they work offline. Each needs a second tap to
//! confirm, against pocket-dials.

use kindred_core::ipc::CommandError;
use kindred_core::model::help::{Channel, HELP_LINES};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::common::ErrorNote;
use crate::{ipc, text};

#[component]
pub fn HelpPage() -> impl IntoView {
    let confirming = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<CommandError>);
    view! {
        <h1>{text::HELP_TITLE}</h1>
        <p>{text::HELP_INTRO}</p>
        <ErrorNote err=error/>
        <ul class="cards help-lines">
            {HELP_LINES
                .iter()
                .map(|h| {
                    let (verb, ask) = match h.channel {
                        Channel::Call => (text::CALL, text::HELP_CONFIRM_CALL),
                        Channel::Text => (text::TEXT, text::HELP_CONFIRM_TEXT),
                    };
                    let id = h.id;
                    view! {
                        <li class="card pad" data-test=format!("help-{id}")>
                            <h2>{h.name}</h2>
                            <p class="muted">{h.detail}</p>
                            <Show
                                when=move || confirming.get() == Some(id)
                                fallback=move || view! {
                                    <button
                                        class="primary"
                                        data-test="help-start"
                                        on:click=move |_| confirming.set(Some(id))
                                    >
                                        {verb}
                                    </button>
                                }
                            >
                                <p><strong>{ask}</strong></p>
                                <button
                                    class="primary"
                                    data-test="help-confirm"
                                    on:click=move |_| {
                                        confirming.set(None);
                                        spawn_local(async move {
                                            error.set(ipc::open_help(id).await.err());
                                        });
                                    }
                                >
                                    {verb}
                                </button>
                                <button on:click=move |_| confirming.set(None)>{text::CANCEL}</button>
                            </Show>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
