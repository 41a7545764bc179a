//! `/help` — crisis and help lines, bundled so they work offline, then the help numbers and
//! resources of the mentee's program (when connected). Each call or text needs a second tap to
//! confirm, against pocket-dials.

use kindred_core::ipc::{ContactChannel, ProgramHelpNumber, ProgramHelpView};
use kindred_core::model::help::{Channel, HELP_LINES};
use leptos::prelude::*;

use crate::components::common::{ErrorNote, Loaded, Mutation};
use crate::state::data_resource;
use crate::{ipc, text};

#[component]
pub fn HelpPage() -> impl IntoView {
    let confirming = RwSignal::new(None::<&'static str>);
    let m = Mutation::local();
    let program = data_resource(ipc::program_help);
    view! {
        <h1>{text::HELP_TITLE}</h1>
        <p>{text::HELP_INTRO}</p>
        <ErrorNote err=m.error/>
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
                                        m.run(ipc::open_help(id), |()| {});
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
        <Loaded res=program silent=true let:p>
            {(!p.numbers.is_empty() || !p.resources.is_empty()).then(|| view! { <ProgramHelp p=p/> })}
        </Loaded>
    }
}

#[component]
fn ProgramHelp(p: ProgramHelpView) -> impl IntoView {
    let confirming = RwSignal::new(None::<(String, ContactChannel)>);
    let m = Mutation::local();
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
            <ErrorNote err=m.error/>
            <ul class="cards">
                {p.numbers
                    .into_iter()
                    .map(|n| view! { <ProgramNumber n=n confirming=confirming m=m/> })
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
    m: Mutation,
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
                            m.run(ipc::call_program_help(id.clone(), channel), |()| {});
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
