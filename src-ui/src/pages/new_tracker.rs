//! `/trackers/new` — create a tracker: a name, a start that may be in the past, a milestone list.

use kindred_core::ipc::{CommandCode, CommandError, CreateTrackerReq};
use kindred_core::model::ladder::{Ladder, Span};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::common::{DateTimeInput, ErrorNote, Mutation, TextInput};
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
            code: CommandCode::Invalid,
            message: text::BAD_CUSTOM_DAYS.into(),
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
                <option value="default">{text::LADDER_STANDARD}</option>
                <option value="aa">{text::LADDER_AA}</option>
                <option value="na">{text::LADDER_NA}</option>
                <option value="custom">{text::LADDER_OWN}</option>
            </select>
        </label>
        <Show when=move || choice.get() == "default">
            <p class="muted" data-test="ladder-hint">{text::LADDER_STANDARD_HINT}</p>
        </Show>
        <Show when=move || choice.get() == "custom">
            <label>
                {text::CUSTOM_DAYS}
                <TextInput value=custom test="custom-days" inputmode="numeric"/>
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
    let m = Mutation::new().one_at_a_time();
    let navigate = use_navigate();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if m.is_busy() {
            return;
        }
        let ladder = match ladder_from(&choice.get_untracked(), &custom.get_untracked()) {
            Ok(l) => l,
            Err(e) => return m.fail(e),
        };
        let req = CreateTrackerReq {
            label: label.get_untracked(),
            start_local: start.get_untracked(),
            tz: None,
            ladder,
        };
        let navigate = navigate.clone();
        m.run(ipc::create_tracker(req), move |_| navigate("/", Default::default()));
    };

    view! {
        <h1>{text::ADD_TRACKER}</h1>
        <form on:submit=submit data-test="new-tracker-form">
            <label>
                {text::NAME}
                <TextInput value=label test="label"/>
                <small class="muted">{text::NAME_HINT}</small>
            </label>
            <label>
                {text::START}
                <DateTimeInput value=start test="start"/>
            </label>
            <LadderPicker choice=choice custom=custom/>
            <ErrorNote err=m.error/>
            <button type="submit" class="primary" data-test="save" prop:disabled=move || m.busy()>
                {text::SAVE}
            </button>
        </form>
    }
}
