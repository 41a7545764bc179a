//! `/trackers/:id/reset` — record a lapse, back-dated to when it really happened, with an
//! optional short debrief. The history is kept; the wording is calm.

use kindred_core::ipc::ResetTrackerReq;
use kindred_core::model::tracker::Halt;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::common::{DateTimeInput, ErrorNote, Mutation, TextArea};
use crate::{ipc, text};

#[component]
pub fn ResetPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read_untracked().get("id").unwrap_or_default();
    let lapse = RwSignal::new(String::new());
    let new_start = RwSignal::new(String::new());
    let halt = RwSignal::new(Vec::<Halt>::new());
    let what = RwSignal::new(String::new());
    let differently = RwSignal::new(String::new());
    let m = Mutation::new();
    let navigate = use_navigate();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id();
        let req = ResetTrackerReq {
            id: id.clone(),
            lapse_local: lapse.get_untracked(),
            new_start_local: Some(new_start.get_untracked()).filter(|s| !s.trim().is_empty()),
            halt: halt.get_untracked(),
            what_happened: what.get_untracked(),
            differently: differently.get_untracked(),
        };
        let navigate = navigate.clone();
        m.run(ipc::reset_tracker(req), move |()| {
            navigate(&format!("/trackers/{id}"), Default::default());
        });
    };

    view! {
        <h1>{text::LAPSE_TITLE}</h1>
        <p>{text::LAPSE_INTRO}</p>
        <form on:submit=submit data-test="reset-form">
            <label>
                {text::LAPSE_WHEN}
                <DateTimeInput value=lapse test="lapse-at"/>
            </label>
            <label>
                {text::NEW_START}
                <DateTimeInput value=new_start test="new-start"/>
            </label>
            <fieldset>
                <legend>{text::HALT}</legend>
                {Halt::ALL
                    .into_iter()
                    .map(|h| {
                        view! {
                            <label class="chip">
                                <input
                                    type="checkbox"
                                    data-test=format!("halt-{}", h.label().to_lowercase())
                                    prop:checked=move || halt.get().contains(&h)
                                    on:change=move |_| {
                                        halt.update(|v| {
                                            if let Some(i) = v.iter().position(|x| *x == h) {
                                                v.remove(i);
                                            } else {
                                                v.push(h);
                                            }
                                        })
                                    }
                                />
                                {h.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label>{text::WHAT_HAPPENED} <TextArea value=what test="what-happened"/></label>
            <label>{text::DIFFERENTLY} <TextArea value=differently test="differently"/></label>
            <p class="muted">{text::KEPT_ON_PHONE}</p>
            <ErrorNote err=m.error/>
            <button type="submit" class="primary" data-test="reset-save">{text::START_AGAIN}</button>
        </form>
    }
}
