//! `/check-in` — the daily check-in: mood, craving yes/no, HALT, one line. Recent check-ins
//! below, without streaks or counts of missed days.

use kindred_core::ipc::{CheckInReq, CheckInRow, CommandCode, CommandError};
use kindred_core::model::tracker::Halt;
use leptos::prelude::*;

use crate::components::common::{ErrorNote, Loaded, Mutation, TextInput};
use crate::state::data_resource;
use crate::{ipc, text};

/// The moods with their stored values, 1 to 5.
fn moods() -> impl Iterator<Item = (i64, &'static str)> {
    (1..).zip(text::MOODS)
}

#[component]
pub fn CheckInPage() -> impl IntoView {
    let mood = RwSignal::new(None::<i64>);
    let craving = RwSignal::new(false);
    let halt = RwSignal::new(Vec::<Halt>::new());
    let line = RwSignal::new(String::new());
    let m = Mutation::new();
    let saved = RwSignal::new(false);
    let list = data_resource(ipc::check_ins);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(picked) = mood.get_untracked() else {
            return m.fail(CommandError {
                code: CommandCode::Invalid,
                message: text::PICK_MOOD.into(),
            });
        };
        let req = CheckInReq {
            mood: picked,
            craving: craving.get_untracked(),
            halt: halt.get_untracked(),
            line: line.get_untracked(),
        };
        m.run(ipc::check_in(req), move |()| {
            saved.set(true);
            mood.set(None);
            craving.set(false);
            halt.set(vec![]);
            line.set(String::new());
        });
    };
    view! {
        <h1>{text::CHECK_IN}</h1>
        <form on:submit=submit data-test="check-in-form">
            <fieldset>
                <legend>{text::MOOD}</legend>
                {moods()
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
                <TextInput value=line test="check-in-line"/>
            </label>
            <ErrorNote err=m.error/>
            <Show when=move || saved.get()>
                <p class="muted" role="status" data-test="checked-in">{text::CHECKED_IN}</p>
            </Show>
            <button type="submit" class="primary" data-test="check-in-save">{text::SAVE}</button>
        </form>
        <h2>{text::RECENT}</h2>
        <Loaded res=list quiet=true let:v>
            {v.entries.is_empty().then(|| view! {
                <p class="muted" data-test="check-ins-empty">{text::NO_CHECK_INS}</p>
            })}
            <ul class="cards" data-test="check-ins">
                {v.entries.into_iter().map(|c| view! { <Row c=c/> }).collect_view()}
            </ul>
        </Loaded>
    }
}

#[component]
fn Row(c: CheckInRow) -> impl IntoView {
    let mood = moods().find(|(m, _)| *m == i64::from(c.mood)).map(|(_, l)| l).unwrap_or("");
    let halt = c.halt.iter().map(|h| h.label()).collect::<Vec<_>>().join(", ");
    let m = Mutation::new();
    let id = c.id.clone();
    view! {
        <li class="card pad" data-test="check-in-row">
            <strong>{mood}</strong>
            <span class="muted">" · " {c.when}</span>
            {c.craving.then(|| view! { <p class="muted">{text::HAD_CRAVING}</p> })}
            {(!halt.is_empty()).then(|| view! { <p class="muted">{halt}</p> })}
            {c.line.map(|l| view! { <p class="note">{l}</p> })}
            <button class="quiet small" data-test="check-in-delete"
                on:click=move |_| m.run(ipc::delete_check_in(id.clone()), |()| {})>
                {text::REMOVE}
            </button>
            <ErrorNote err=m.error/>
        </li>
    }
}
