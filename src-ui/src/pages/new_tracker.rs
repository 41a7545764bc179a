//! `/trackers/new` — create a tracker: a name, a start that may be in the past, a milestone list.

use kindred_core::ipc::{CommandError, CreateTrackerReq};
use kindred_core::model::ladder::{Ladder, Span};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::app::use_data_version;
use crate::components::common::ErrorNote;
use crate::{ipc, text};

/// Parses "1, 3, 10" into day spans; `None` when a part isn't a whole number.
pub fn parse_custom_days(s: &str) -> Option<Vec<Span>> {
    s.split([',', ' '])
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.trim().parse::<u32>().ok().map(Span::Days))
        .collect()
}

/// The ladder chosen in a `<select>` (plus the custom days field).
pub fn ladder_from(choice: &str, custom: &str) -> Result<Ladder, CommandError> {
    Ok(match choice {
        "aa" => Ladder::AaChips,
        "na" => Ladder::NaKeyTags,
        "custom" => Ladder::Custom(parse_custom_days(custom).ok_or_else(|| CommandError {
            code: "invalid".into(),
            message: "Please list whole numbers of days, separated by commas.".into(),
        })?),
        _ => Ladder::Default,
    })
}

/// The milestone-list `<select>` with the custom field.
#[component]
pub fn LadderPicker(choice: RwSignal<String>, custom: RwSignal<String>) -> impl IntoView {
    view! {
        <label>
            {text::LADDER}
            <select
                data-test="ladder"
                prop:value=move || choice.get()
                on:change=move |ev| choice.set(event_target_value(&ev))
            >
                <option value="default">"Standard (24 h, 7 d, 30/60/90 d, 6 mo, 9 mo, 1 y, 18 mo, yearly)"</option>
                <option value="aa">"AA chips"</option>
                <option value="na">"NA key tags"</option>
                <option value="custom">"My own list"</option>
            </select>
        </label>
        <Show when=move || choice.get() == "custom">
            <label>
                {text::CUSTOM_DAYS}
                <input
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    data-test="custom-days"
                    prop:value=move || custom.get()
                    on:input=move |ev| custom.set(event_target_value(&ev))
                />
            </label>
        </Show>
    }
}

#[component]
pub fn NewTracker() -> impl IntoView {
    let label = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let choice = RwSignal::new("default".to_owned());
    let custom = RwSignal::new(String::new());
    let error = RwSignal::new(None::<CommandError>);
    let busy = RwSignal::new(false);
    let version = use_data_version();
    let navigate = use_navigate();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let ladder = match ladder_from(&choice.get_untracked(), &custom.get_untracked()) {
            Ok(l) => l,
            Err(e) => return error.set(Some(e)),
        };
        let req = CreateTrackerReq {
            label: label.get_untracked(),
            start_local: start.get_untracked(),
            tz: None,
            ladder,
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match ipc::create_tracker(req).await {
                Ok(_) => {
                    version.update(|v| *v += 1);
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    view! {
        <h1>{text::ADD_TRACKER}</h1>
        <form on:submit=submit data-test="new-tracker-form">
            <label>
                {text::NAME}
                <input
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    data-test="label"
                    prop:value=move || label.get()
                    on:input=move |ev| label.set(event_target_value(&ev))
                />
                <small class="muted">{text::NAME_HINT}</small>
            </label>
            <label>
                {text::START}
                <input
                    type="datetime-local"
                    data-test="start"
                    prop:value=move || start.get()
                    on:input=move |ev| start.set(event_target_value(&ev))
                    on:change=move |ev| start.set(event_target_value(&ev))
                />
            </label>
            <LadderPicker choice=choice custom=custom/>
            <ErrorNote err=error/>
            <button type="submit" class="primary" data-test="save" prop:disabled=move || busy.get()>
                {text::SAVE}
            </button>
        </form>
    }
}
