//! `/help` — crisis and help lines, bundled so they work offline, then the help numbers and
//! resources of the mentee's program (when connected). Each call or text needs a second tap to
//! confirm, against pocket-dials.

use kindred_core::ipc::{CommandError, ContactChannel, ProgramHelpNumber, ProgramHelpView};
use kindred_core::model::help::{Channel, HELP_LINES};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_data_version;
use crate::components::common::ErrorNote;
use crate::{ipc, text};

#[component]
pub fn HelpPage() -> impl IntoView {
    let confirming = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<CommandError>);
    let version = use_data_version();
    let program = LocalResource::new(move || {
        version.track();
        ipc::program_help()
    });
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match program.await {
                    Ok(p) if !p.numbers.is_empty() || !p.resources.is_empty() => {
                        view! { <ProgramHelp p=p/> }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProgramHelp(p: ProgramHelpView) -> impl IntoView {
    let confirming = RwSignal::new(None::<(String, ContactChannel)>);
    let error = RwSignal::new(None::<CommandError>);
    let resources = (!p.resources.is_empty()).then(|| {
        view! {
            <h3>{text::RESOURCES}</h3>
            <ul class="cards">
                {p.resources
                    .into_iter()
                    .map(|r| view! {
                        <li class="card pad" data-test="program-resource">
                            <h2>{r.title}</h2>
                            {r.body.map(|b| view! { <p class="note">{b}</p> })}
                            {r.url.map(|u| view! { <p class="muted">{u}</p> })}
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <section data-test="program-help">
            <h2>{p.program_name.unwrap_or_else(|| text::FROM_PROGRAM.to_owned())}</h2>
            <ErrorNote err=error/>
            <ul class="cards">
                {p.numbers
                    .into_iter()
                    .map(|n| view! { <ProgramNumber n=n confirming=confirming error=error/> })
                    .collect_view()}
            </ul>
            {resources}
        </section>
    }
}

#[component]
fn ProgramNumber(
    n: ProgramHelpNumber,
    confirming: RwSignal<Option<(String, ContactChannel)>>,
    error: RwSignal<Option<CommandError>>,
) -> impl IntoView {
    let button = move |id: String, channel: ContactChannel| {
        let (verb, ask, test) = match channel {
            ContactChannel::Text => (text::TEXT, text::HELP_CONFIRM_TEXT, "text"),
            _ => (text::CALL, text::HELP_CONFIRM_CALL, "call"),
        };
        let key = (id.clone(), channel);
        let asking = move || confirming.get().as_ref() == Some(&key);
        let ask_id = id.clone();
        view! {
            <Show
                when=asking
                fallback=move || {
                    let id = ask_id.clone();
                    view! {
                        <button
                            class="primary"
                            data-test=format!("program-{test}")
                            on:click=move |_| confirming.set(Some((id.clone(), channel)))
                        >
                            {verb}
                        </button>
                    }
                }
            >
                <p><strong>{ask}</strong></p>
                <button
                    class="primary"
                    data-test=format!("program-{test}-confirm")
                    on:click={
                        let id = id.clone();
                        move |_| {
                            confirming.set(None);
                            let id = id.clone();
                            spawn_local(async move {
                                error.set(ipc::call_program_help(id, channel).await.err());
                            });
                        }
                    }
                >
                    {verb}
                </button>
                <button on:click=move |_| confirming.set(None)>{text::CANCEL}</button>
            </Show>
        }
    };
    let call = n.phone.is_some().then(|| button(n.id.clone(), ContactChannel::Call));
    let sms = n.sms.is_some().then(|| button(n.id.clone(), ContactChannel::Text));
    view! {
        <li class="card pad" data-test="program-help-number">
            <h2>{n.label}</h2>
            {n.phone.map(|p| view! { <p class="muted" data-test="program-phone">{p}</p> })}
            {n.hours.map(|h| view! { <p class="muted">{h}</p> })}
            {call}
            {sms}
        </li>
    }
}
