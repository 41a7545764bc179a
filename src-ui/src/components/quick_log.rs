//! Quick log: "Log an urge", then an intensity from 0 to 10 — two taps, saved at once, and the
//! screen says so. Details can be added right away or later.

use kindred_core::ipc::LoggedCraving;
use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{ErrorNote, Mutation};
use crate::{ipc, text};

#[component]
pub fn QuickLog() -> impl IntoView {
    let open = RwSignal::new(false);
    let logged = RwSignal::new(None::<LoggedCraving>);
    let m = Mutation::new().one_at_a_time();
    let log = move |intensity: i64| {
        m.run(ipc::log_craving(intensity), move |l| {
            logged.set(Some(l));
            open.set(false);
        });
    };
    view! {
        <section class="quick-log">
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <button
                        class="primary wide"
                        data-test="log-craving"
                        on:click=move |_| {
                            logged.set(None);
                            open.set(true);
                        }
                    >
                        {text::LOG_CRAVING}
                    </button>
                }
            >
                <p>{text::HOW_STRONG}</p>
                <div class="intensity" role="group" aria-label=text::INTENSITY>
                    {(0..=10i64)
                        .map(|i| view! {
                            <button data-test=format!("intensity-{i}") on:click=move |_| log(i)>
                                {i}
                            </button>
                        })
                        .collect_view()}
                </div>
                <button class="quiet" on:click=move |_| open.set(false)>{text::CANCEL}</button>
            </Show>
            {move || logged.get().map(|l| view! {
                <div class="confirm" role="status" data-test="logged">
                    <p>{text::LOGGED} " (" {l.time.clone()} ")"</p>
                    {l.offer_plan.then(|| view! {
                        <p data-test="intense-offer">{text::INTENSE_OFFER}</p>
                        <A href="/mentor" attr:class="button primary">{text::MENTOR}</A>
                        <A href="/plan" attr:class="button" attr:data-test="offer-plan">{text::PLAN}</A>
                    })}
                    <A href=format!("/cravings/{}", l.id) attr:class="button" attr:data-test="add-details">
                        {text::ADD_DETAILS}
                    </A>
                </div>
            })}
            <ErrorNote err=m.error/>
        </section>
    }
}
