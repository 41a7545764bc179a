//! `/cravings` — the craving log by day, newest first.

use kindred_core::ipc::{CravingDay, CravingRow};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::use_data_version;
use crate::components::common::ErrorNote;
use crate::{ipc, text};

#[component]
pub fn CravingsPage() -> impl IntoView {
    let version = use_data_version();
    let log = LocalResource::new(move || {
        version.track();
        ipc::craving_log()
    });
    view! {
        <h1>{text::CRAVINGS}</h1>
        <Transition fallback=|| view! { <p class="muted">{text::LOADING}</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(v) if v.days.is_empty() => {
                        view! { <p class="muted">{text::NO_CRAVINGS}</p> }.into_any()
                    }
                    Ok(v) => view! {
                        <div data-test="craving-log">
                            {v.days.into_iter().map(|d| view! { <Day d=d/> }).collect_view()}
                        </div>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNote err=Some(e)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Day(d: CravingDay) -> impl IntoView {
    view! {
        <h2>{d.day}</h2>
        <ul class="cards">{d.entries.into_iter().map(|e| view! { <Entry e=e/> }).collect_view()}</ul>
    }
}

#[component]
fn Entry(e: CravingRow) -> impl IntoView {
    let triggers = e.triggers.iter().map(|t| t.label()).collect::<Vec<_>>().join(", ");
    view! {
        <li class="card" data-test="craving-entry">
            <A href=format!("/cravings/{}", e.id) attr:class="card-link">
                <strong>{e.time}</strong>
                " · " {text::INTENSITY} " " <span data-test="entry-intensity">{e.intensity}</span>
                {(!triggers.is_empty()).then(|| view! { <p class="muted">{triggers}</p> })}
                {e.outcome.map(|o| view! { <p class="muted" data-test="entry-outcome">{o.label()}</p> })}
            </A>
        </li>
    }
}
