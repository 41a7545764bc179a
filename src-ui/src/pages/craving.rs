//! `/cravings/:id` — add or change a craving's details later, a little at a time: HALT first,
//! how it went, then (folded until used) other triggers, what helped, where and with whom, the
//! intensity at the end and a private note. Titled in words ("Tonight, 22:21 · strong").
//! Delete with undo.

use kindred_core::ipc::{CommandCode, CommandError, CravingView, SaveCravingReq};
use kindred_core::model::craving::{Outcome, Trigger};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::common::{
    use_delete_with_undo, ErrorNote, Loaded, Mutation, TextArea, TextInput,
};
use crate::components::surf::Surf;
use crate::state::{IpcResource, Undo};
use crate::{ipc, text};

#[component]
pub fn CravingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = IpcResource::new(move || ipc::craving_detail(id()));
    view! {
        <Loaded res=detail let:c>
            <Form c=c/>
        </Loaded>
    }
}

/// Hungry, angry, lonely, tired: asked first, the rest behind "Something else".
const HALT: [Trigger; 4] = [Trigger::Hungry, Trigger::Angry, Trigger::Lonely, Trigger::Tired];

fn split(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

fn toggle<T: PartialEq + Clone + Send + Sync + 'static>(sig: RwSignal<Vec<T>>, item: T) {
    sig.update(|v| match v.iter().position(|x| *x == item) {
        Some(i) => {
            v.remove(i);
        }
        None => v.push(item),
    });
}

#[component]
fn Form(c: CravingView) -> impl IntoView {
    let surf = view! { <Surf c=c.clone()/> };
    let m = Mutation::new();
    let delete_with_undo = use_delete_with_undo(m);
    let id = StoredValue::new(c.id.to_string());
    let triggers = RwSignal::new(c.triggers);
    let tags = RwSignal::new(c.tags.join(", "));
    let place = RwSignal::new(c.place);
    let with_whom = RwSignal::new(c.with_whom);
    let options = c.coping_options;
    let own: Vec<String> = c.coping.iter().filter(|x| !options.contains(x)).cloned().collect();
    let coping =
        RwSignal::new(c.coping.into_iter().filter(|x| options.contains(x)).collect::<Vec<_>>());
    let own_coping = RwSignal::new(own.join(", "));
    let outcome = RwSignal::new(c.outcome);
    let end = RwSignal::new(c.end_intensity.map(|v| v.to_string()).unwrap_or_default());
    let note = RwSignal::new(c.note);
    let saved = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let end_raw = end.get_untracked();
        let end_intensity = match end_raw.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    return m.fail(CommandError {
                        code: CommandCode::Invalid,
                        message: text::BAD_END_INTENSITY.into(),
                    })
                }
            },
        };
        let mut all_coping = coping.get_untracked();
        all_coping.extend(split(&own_coping.get_untracked()));
        let req = SaveCravingReq {
            id: id.get_value(),
            triggers: triggers.get_untracked(),
            tags: split(&tags.get_untracked()),
            place: place.get_untracked(),
            with_whom: with_whom.get_untracked(),
            coping: all_coping,
            outcome: outcome.get_untracked(),
            end_intensity,
            note: note.get_untracked(),
        };
        m.run_or(ipc::save_craving(req), move |()| saved.set(true), move || saved.set(false));
    };
    let delete = move |_| delete_with_undo(Undo::Craving(id.get_value()));

    let chip = move |t: Trigger| {
        view! {
            <label class="chip">
                <input
                    type="checkbox"
                    data-test=format!("trigger-{}", t.key())
                    prop:checked=move || triggers.get().contains(&t)
                    on:change=move |_| toggle(triggers, t)
                />
                {t.label()}
            </label>
        }
    };
    let (halt, other): (Vec<Trigger>, Vec<Trigger>) =
        Trigger::ALL.into_iter().partition(|t| HALT.contains(t));
    // A disclosure starts open when something in it is filled in, so nothing saved is hidden.
    let other_open = triggers.get_untracked().iter().any(|t| !HALT.contains(t))
        || !tags.get_untracked().is_empty();
    let coping_open = !coping.get_untracked().is_empty() || !own_coping.get_untracked().is_empty();
    let more_open = [place, with_whom, end, note].iter().any(|s| !s.get_untracked().is_empty());

    view! {
        <h1 data-test="craving-title">{c.title.clone()}</h1>
        <p class="muted">{c.when.clone()} " · " {text::INTENSITY} " "
            <strong data-test="detail-intensity">{c.intensity}</strong></p>
        {surf}
        <form on:submit=save data-test="craving-form">
            <fieldset>
                <legend>{text::HALT}</legend>
                {halt.into_iter().map(chip).collect_view()}
            </fieldset>
            <details open=other_open>
                <summary data-test="more-triggers">{text::MORE_TRIGGERS}</summary>
                {other.into_iter().map(chip).collect_view()}
                <label>{text::OWN_TAGS} <TextInput value=tags test="tags"/></label>
            </details>
            <fieldset>
                <legend>{text::OUTCOME}</legend>
                {Outcome::ALL
                    .into_iter()
                    .map(|o| view! {
                        <label class="chip">
                            <input
                                type="radio"
                                name="outcome"
                                data-test=format!("outcome-{}", o.key())
                                prop:checked=move || outcome.get() == Some(o)
                                on:change=move |_| outcome.set(Some(o))
                            />
                            {o.label()}
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <details open=coping_open>
                <summary data-test="coping-details">{text::COPING}</summary>
                {options
                    .into_iter()
                    .map(|o| {
                        let item = o.clone();
                        let checked = o.clone();
                        view! {
                            <label class="chip">
                                <input
                                    type="checkbox"
                                    prop:checked=move || coping.get().contains(&checked)
                                    on:change=move |_| toggle(coping, item.clone())
                                />
                                {o}
                            </label>
                        }
                    })
                    .collect_view()}
                <label>{text::OWN_COPING} <TextInput value=own_coping test="own-coping"/></label>
            </details>
            <details open=more_open>
                <summary data-test="more-details">{text::MORE_DETAILS}</summary>
                <label>{text::PLACE} <TextInput value=place test="place"/></label>
                <label>{text::WITH_WHOM} <TextInput value=with_whom test="with-whom"/></label>
                <label>
                    {text::END_INTENSITY}
                    <input
                        type="number"
                        min="0"
                        max="10"
                        inputmode="numeric"
                        data-test="end-intensity"
                        prop:value=move || end.get()
                        on:input=move |ev| end.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {text::NOTE}
                    <TextArea value=note test="note"/>
                    <small class="muted">{text::KEPT_ON_PHONE}</small>
                </label>
            </details>
            <ErrorNote err=m.error/>
            <Show when=move || saved.get()>
                <p class="muted" role="status" data-test="saved">{text::SAVED}</p>
            </Show>
            <button type="submit" class="primary" data-test="save-craving">{text::SAVE}</button>
        </form>
        <button class="quiet" data-test="delete-craving" on:click=delete>{text::DELETE_CRAVING}</button>
    }
}
