//! `/trackers/:id` — one tracker: sober time, the numbers that don't reset, milestones reached
//! and coming up, the history of attempts, and rename / milestone list / delete.

use kindred_core::ipc::{AttemptRow, MilestoneRow, RenameTrackerReq, SetLadderReq, TrackerDetail};
use kindred_core::model::ladder::{Ladder, Span};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::new_tracker::{ladder_from, LadderPicker};
use crate::components::common::{
    sober_text, tag_class, use_delete_with_undo, ErrorNote, Loaded, Mutation, TextInput,
};
use crate::state::{data_resource, Undo};
use crate::{ipc, text};

#[component]
pub fn TrackerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = data_resource(move || ipc::tracker_detail(id()));
    view! {
        <Loaded res=detail after_error=|| view! { <A href="/">{text::BACK}</A> } let:d>
            <Detail d=d/>
        </Loaded>
    }
}

#[component]
fn Detail(d: TrackerDetail) -> impl IntoView {
    let s = d.stats;
    let reset_href = format!("/trackers/{}/reset", d.id);
    let numbers = [
        (text::CURRENT, s.current_streak_days),
        (text::LONGEST, s.longest_streak_days),
        (text::TOTAL_DAYS, s.total_sober_days),
        (text::LAST_30, s.sober_days_30),
        (text::LAST_90, s.sober_days_90),
        (text::LAST_365, s.sober_days_365),
    ];
    view! {
        <h1 data-test="detail-label">{d.label.clone()}</h1>
        <p class="big" data-test="detail-sober">{sober_text(d.sober)}</p>
        <p class="muted">{text::SINCE} " " {d.since.clone()}</p>
        <A href=reset_href attr:class="button" attr:data-test="lapse">{text::LAPSE_LINK}</A>

        <h2>{text::NUMBERS}</h2>
        <p class="muted">{text::NUMBERS_RULE}</p>
        <dl class="numbers" data-test="numbers">
            {numbers
                .into_iter()
                .map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> })
                .collect_view()}
        </dl>

        <h2>{text::MILESTONES}</h2>
        <h3>{text::REACHED}</h3>
        <MilestoneList rows=d.reached test="reached"/>
        <h3>{text::UPCOMING}</h3>
        <MilestoneList rows=d.upcoming test="upcoming"/>

        <h2>{text::HISTORY}</h2>
        <ol class="history" data-test="history">
            {d.attempts
                .into_iter()
                .map(|a| view! { <Attempt a=a tracker=d.id.to_string()/> })
                .collect_view()}
        </ol>

        <Manage id=d.id.to_string() label=d.label ladder=d.ladder/>
    }
}

#[component]
fn MilestoneList(rows: Vec<MilestoneRow>, test: &'static str) -> impl IntoView {
    view! {
        <ul class="milestones" data-test=test>
            {rows
                .into_iter()
                .map(|m| {
                    view! {
                        <li class=tag_class(m.tag)>
                            <span class="label">{m.label}</span>
                            <span class="muted">{m.when}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Attempt(a: AttemptRow, tracker: String) -> impl IntoView {
    let end = a.end.unwrap_or_else(|| text::CURRENT_ATTEMPT.to_owned());
    let halt = (!a.halt.is_empty())
        .then(|| a.halt.iter().map(|h| h.label()).collect::<Vec<_>>().join(", "));
    view! {
        <li data-test="attempt">
            <p>
                <strong>{text::days(a.days)}</strong>
                <span class="muted">{format!(" · {} → {}", a.start, end)}</span>
            </p>
            {halt.map(|h| view! { <p class="muted">{h}</p> })}
            {a.what_happened.map(|t| view! { <p class="note">{t}</p> })}
            {a.differently.map(|t| view! { <p class="note">{t}</p> })}
            {a.debrief_id.map(|reset| view! { <RemoveNotes tracker=tracker reset=reset/> })}
        </li>
    }
}

/// Removes one lapse's debrief after a confirmation (the text never syncs, so there is no undo).
#[component]
fn RemoveNotes(tracker: String, reset: String) -> impl IntoView {
    let m = Mutation::new();
    let confirm = RwSignal::new(false);
    let ids = StoredValue::new((tracker, reset));
    let remove = move |_| {
        let (tracker, reset) = ids.get_value();
        m.run(ipc::delete_debrief(tracker, reset), |()| {});
    };
    view! {
        <Show
            when=move || confirm.get()
            fallback=move || view! {
                <button class="quiet small" data-test="debrief-remove"
                    on:click=move |_| confirm.set(true)>
                    {text::REMOVE_NOTES}
                </button>
            }
        >
            <p>{text::REMOVE_NOTES_CONFIRM}</p>
            <button class="danger" data-test="debrief-remove-confirm" on:click=remove>
                {text::YES_REMOVE}
            </button>
            <button on:click=move |_| confirm.set(false)>{text::CANCEL}</button>
        </Show>
        <ErrorNote err=m.error/>
    }
}

fn ladder_choice(l: &Ladder) -> (String, String) {
    match l {
        Ladder::Default => ("default".into(), String::new()),
        Ladder::AaChips => ("aa".into(), String::new()),
        Ladder::NaKeyTags => ("na".into(), String::new()),
        Ladder::Custom(spans) => (
            "custom".into(),
            spans
                .iter()
                .filter_map(|s| match s {
                    Span::Days(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

#[component]
fn Manage(id: String, label: String, ladder: Ladder) -> impl IntoView {
    let m = Mutation::new();
    let delete_with_undo = use_delete_with_undo(m);
    let name = RwSignal::new(label);
    let (c, d) = ladder_choice(&ladder);
    let choice = RwSignal::new(c);
    let custom = RwSignal::new(d);
    let confirm = RwSignal::new(false);
    let id = StoredValue::new(id);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.get_value();
        let ladder = match ladder_from(&choice.get_untracked(), &custom.get_untracked()) {
            Ok(l) => l,
            Err(e) => return m.fail(e),
        };
        let label = name.get_untracked();
        let save = async move {
            ipc::rename_tracker(RenameTrackerReq { id: id.clone(), label }).await?;
            ipc::set_ladder(SetLadderReq { id, ladder }).await
        };
        m.run(save, |()| {});
    };
    let delete = move |_| delete_with_undo(Undo::Tracker(id.get_value()));

    view! {
        <h2>{text::RENAME}</h2>
        <form on:submit=save data-test="manage-form">
            <label>
                {text::NAME}
                <TextInput value=name test="rename"/>
            </label>
            <LadderPicker choice=choice custom=custom/>
            <ErrorNote err=m.error/>
            <button type="submit" data-test="save-manage">{text::SAVE}</button>
        </form>
        <Show
            when=move || confirm.get()
            fallback=move || view! {
                <button class="quiet" data-test="delete" on:click=move |_| confirm.set(true)>
                    {text::DELETE}
                </button>
            }
        >
            <p>{text::DELETE_CONFIRM}</p>
            <button class="danger" data-test="delete-confirm" on:click=delete.clone()>
                {text::YES_DELETE}
            </button>
            <button on:click=move |_| confirm.set(false)>{text::CANCEL}</button>
        </Show>
    }
}
