//! `/cravings/:id` — add or change a craving's details later: triggers, where and with whom,
//! what helped, how it went, the intensity at the end, a private note. Delete with undo.

use kindred_core::ipc::{CommandError, CravingView, SaveCravingReq};
use kindred_core::model::craving::{Outcome, Trigger};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::use_data_version;
use crate::components::common::{text_input, use_toast, ErrorNote, Toast, Undo};
use crate::components::surf::Surf;
use crate::{ipc, text};

#[component]
pub fn CravingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = LocalResource::new(move || ipc::craving_detail(id()));
    view! {
        <Transition fallback=|| view! { <p class="muted">{text::LOADING}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(c) => view! { <Form c=c/> }.into_any(),
                    Err(e) => view! { <ErrorNote err=Some(e)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

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
    let version = use_data_version();
    let toast = use_toast();
    let navigate = use_navigate();
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
    let error = RwSignal::new(None::<CommandError>);
    let saved = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let end_raw = end.get_untracked();
        let end_intensity = match end_raw.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    return error.set(Some(CommandError {
                        code: "invalid".into(),
                        message: "Intensity goes from 0 to 10.".into(),
                    }))
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
        spawn_local(async move {
            match ipc::save_craving(req).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    saved.set(false);
                    error.set(Some(e));
                }
            }
        });
    };
    let delete = move |_| {
        let id = id.get_value();
        let navigate = navigate.clone();
        spawn_local(async move {
            match ipc::delete_craving(id.clone()).await {
                Ok(()) => {
                    toast.set(Some(Toast {
                        message: text::CRAVING_DELETED,
                        undo: Some(Undo::Craving(id)),
                    }));
                    version.update(|v| *v += 1);
                    navigate("/cravings", Default::default());
                    set_timeout(move || toast.set(None), crate::components::common::UNDO_TOAST);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field = |sig, test: &str| text_input(sig, "text", test.to_owned());

    view! {
        <h1>{c.when.clone()}</h1>
        <p>{text::INTENSITY} " " <strong data-test="detail-intensity">{c.intensity}</strong></p>
        {surf}
        <form on:submit=save data-test="craving-form">
            <fieldset>
                <legend>{text::TRIGGERS}</legend>
                {Trigger::ALL
                    .into_iter()
                    .map(|t| view! {
                        <label class="chip">
                            <input
                                type="checkbox"
                                data-test=format!("trigger-{}", t.key())
                                prop:checked=move || triggers.get().contains(&t)
                                on:change=move |_| toggle(triggers, t)
                            />
                            {t.label()}
                        </label>
                    })
                    .collect_view()}
                <label>{text::OWN_TAGS} {field(tags, "tags")}</label>
            </fieldset>
            <label>{text::PLACE} {field(place, "place")}</label>
            <label>{text::WITH_WHOM} {field(with_whom, "with-whom")}</label>
            <fieldset>
                <legend>{text::COPING}</legend>
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
                <label>{text::OWN_COPING} {field(own_coping, "own-coping")}</label>
            </fieldset>
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
                <textarea
                    rows="3"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    data-test="note"
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
                <small class="muted">{text::KEPT_ON_PHONE}</small>
            </label>
            <ErrorNote err=error/>
            <Show when=move || saved.get()>
                <p class="muted" role="status" data-test="saved">{text::SAVED}</p>
            </Show>
            <button type="submit" class="primary" data-test="save-craving">{text::SAVE}</button>
        </form>
        <button class="quiet" data-test="delete-craving" on:click=delete>{text::DELETE_CRAVING}</button>
    }
}
