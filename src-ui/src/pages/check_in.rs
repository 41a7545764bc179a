//! `/check-in` — the daily check-in: mood, craving yes/no, HALT, one line. Recent check-ins
//! below, without streaks or counts of missed days.

use kindred_core::ipc::{CheckInReq, CheckInRow, CommandError};
use kindred_core::model::tracker::Halt;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_data_version;
use crate::components::common::ErrorNote;
use crate::{ipc, text};

const MOODS: [(i64, &str); 5] =
    [(1, "Very low"), (2, "Low"), (3, "Okay"), (4, "Good"), (5, "Very good")];

#[component]
pub fn CheckInPage() -> impl IntoView {
    let version = use_data_version();
    let mood = RwSignal::new(None::<i64>);
    let craving = RwSignal::new(false);
    let halt = RwSignal::new(Vec::<Halt>::new());
    let line = RwSignal::new(String::new());
    let error = RwSignal::new(None::<CommandError>);
    let saved = RwSignal::new(false);
    let list = LocalResource::new(move || {
        version.track();
        ipc::check_ins()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(m) = mood.get_untracked() else {
            return error.set(Some(CommandError {
                code: "invalid".into(),
                message: text::PICK_MOOD.into(),
            }));
        };
        let req = CheckInReq {
            mood: m,
            craving: craving.get_untracked(),
            halt: halt.get_untracked(),
            line: line.get_untracked(),
        };
        spawn_local(async move {
            match ipc::check_in(req).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    mood.set(None);
                    craving.set(false);
                    halt.set(vec![]);
                    line.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h1>{text::CHECK_IN}</h1>
        <form on:submit=submit data-test="check-in-form">
            <fieldset>
                <legend>{text::MOOD}</legend>
                {MOODS
                    .into_iter()
                    .map(|(m, label)| view! {
                        <label class="chip">
                            <input
                                type="radio"
                                name="mood"
                                data-test=format!("mood-{m}")
                                prop:checked=move || mood.get() == Some(m)
                                on:change=move |_| mood.set(Some(m))
                            />
                            {label}
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <label class="row">
                <input
                    type="checkbox"
                    data-test="check-in-craving"
                    prop:checked=move || craving.get()
                    on:change=move |ev| craving.set(event_target_checked(&ev))
                />
                {text::HAD_CRAVING}
            </label>
            <fieldset>
                <legend>{text::HALT}</legend>
                {Halt::ALL
                    .into_iter()
                    .map(|h| view! {
                        <label class="chip">
                            <input
                                type="checkbox"
                                prop:checked=move || halt.get().contains(&h)
                                on:change=move |_| halt.update(|v| match v.iter().position(|x| *x == h) {
                                    Some(i) => { v.remove(i); }
                                    None => v.push(h),
                                })
                            />
                            {h.label()}
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <label>
                {text::ONE_LINE}
                <input
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    data-test="check-in-line"
                    prop:value=move || line.get()
                    on:input=move |ev| line.set(event_target_value(&ev))
                />
            </label>
            <ErrorNote err=error/>
            <Show when=move || saved.get()>
                <p class="muted" role="status" data-test="checked-in">{text::CHECKED_IN}</p>
            </Show>
            <button type="submit" class="primary" data-test="check-in-save">{text::SAVE}</button>
        </form>
        <h2>{text::RECENT}</h2>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(v) => view! {
                        <ul class="cards" data-test="check-ins">
                            {v.entries.into_iter().map(|c| view! { <Row c=c/> }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNote err=Some(e)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Row(c: CheckInRow) -> impl IntoView {
    let mood = MOODS.iter().find(|(m, _)| *m == i64::from(c.mood)).map(|(_, l)| *l).unwrap_or("");
    let halt = c.halt.iter().map(|h| h.label()).collect::<Vec<_>>().join(", ");
    view! {
        <li class="card pad" data-test="check-in-row">
            <strong>{mood}</strong>
            <span class="muted">" · " {c.when}</span>
            {c.craving.then(|| view! { <p class="muted">{text::HAD_CRAVING}</p> })}
            {(!halt.is_empty()).then(|| view! { <p class="muted">{halt}</p> })}
            {c.line.map(|l| view! { <p class="note">{l}</p> })}
        </li>
    }
}
