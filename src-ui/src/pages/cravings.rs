//! `/cravings` — the craving log by day, newest first.

use kindred_core::ipc::{CravingDay, CravingRow};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::common::Loaded;
use crate::state::data_resource;
use crate::{ipc, text};

#[component]
pub fn CravingsPage() -> impl IntoView {
    let log = data_resource(ipc::craving_log);
    view! {
        <h1>{text::CRAVINGS}</h1>
        <Loaded res=log let:v>
            {if v.days.is_empty() {
                view! { <p class="muted">{text::NO_CRAVINGS}</p> }.into_any()
            } else {
                view! {
                    <div data-test="craving-log">
                        {v.days.into_iter().map(|d| view! { <Day d=d/> }).collect_view()}
                    </div>
                }
                .into_any()
            }}
        </Loaded>
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
