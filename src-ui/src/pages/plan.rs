//! `/plan` — the relapse-prevention plan agreed with the mentor (warning signs, hard situations,
//! what to do instead, people to call, reasons) and goals with their status.

use kindred_core::ipc::{AddGoalReq, AddPlanItemReq, CommandError, GoalView, PlanSectionView};
use kindred_core::model::plan::GoalStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_data_version;
use crate::components::common::ErrorNote;
use crate::ipc::IpcResult;
use crate::{ipc, text};

/// Runs a mutation, then refreshes the page's data or shows the error.
fn mutate(
    error: RwSignal<Option<CommandError>>,
    version: RwSignal<u32>,
    fut: impl std::future::Future<Output = IpcResult<()>> + 'static,
) {
    spawn_local(async move {
        match fut.await {
            Ok(()) => {
                error.set(None);
                version.update(|v| *v += 1);
            }
            Err(e) => error.set(Some(e)),
        }
    });
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let version = use_data_version();
    let plan = LocalResource::new(move || {
        version.track();
        ipc::get_plan()
    });
    view! {
        <h1>{text::PLAN}</h1>
        <p class="muted">{text::PLAN_INTRO}</p>
        <Transition fallback=|| view! { <p class="muted">{text::LOADING}</p> }>
            {move || Suspend::new(async move {
                match plan.await {
                    Ok(p) => view! {
                        {p.sections.into_iter().map(|s| view! { <Section s=s/> }).collect_view()}
                        <Goals goals=p.goals/>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNote err=Some(e)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Section(s: PlanSectionView) -> impl IntoView {
    let version = use_data_version();
    let error = RwSignal::new(None::<CommandError>);
    let draft = RwSignal::new(String::new());
    let section = s.section;
    let key = section.key();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        draft.set(String::new());
        mutate(error, version, ipc::add_plan_item(AddPlanItemReq { section, text }));
    };
    view! {
        <section class="card pad" data-test=format!("plan-{key}")>
            <h2>{section.label()}</h2>
            <ul>
                {s.items
                    .into_iter()
                    .map(|i| {
                        let id = i.id.to_string();
                        view! {
                            <li data-test="plan-item">
                                {i.text}
                                <button class="quiet small" on:click=move |_| {
                                    mutate(error, version, ipc::delete_plan_item(id.clone()))
                                }>{text::REMOVE}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form on:submit=add class="row">
                <input
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    data-test=format!("plan-{key}-input")
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button type="submit" data-test=format!("plan-{key}-add")>{text::ADD}</button>
            </form>
            <ErrorNote err=error/>
        </section>
    }
}

#[component]
fn Goals(goals: Vec<GoalView>) -> impl IntoView {
    let version = use_data_version();
    let error = RwSignal::new(None::<CommandError>);
    let draft = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        draft.set(String::new());
        mutate(error, version, ipc::add_goal(AddGoalReq { text }));
    };
    view! {
        <section class="card pad" data-test="goals">
            <h2>{text::GOALS}</h2>
            <ul>
                {goals
                    .into_iter()
                    .map(|g| {
                        let id = g.id.to_string();
                        let remove = id.clone();
                        view! {
                            <li data-test="goal">
                                <span>{g.text}</span>
                                <select
                                    data-test="goal-status"
                                    prop:value=g.status.key()
                                    on:change=move |ev| {
                                        if let Some(status) = GoalStatus::from_key(&event_target_value(&ev)) {
                                            mutate(error, version, ipc::set_goal_status(id.clone(), status));
                                        }
                                    }
                                >
                                    {GoalStatus::ALL
                                        .into_iter()
                                        .map(|s| view! { <option value=s.key()>{s.label()}</option> })
                                        .collect_view()}
                                </select>
                                <button class="quiet small" on:click=move |_| {
                                    mutate(error, version, ipc::delete_goal(remove.clone()))
                                }>{text::REMOVE}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form on:submit=add class="row">
                <input
                    type="text"
                    autocomplete="off"
                    data-test="goal-input"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button type="submit" data-test="goal-add">{text::ADD}</button>
            </form>
            <ErrorNote err=error/>
        </section>
    }
}
