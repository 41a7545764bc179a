//! `/plan` — the relapse-prevention plan agreed with the mentor (warning signs, hard situations,
//! what to do instead, people to call, reasons) and goals with their status.

use kindred_core::ipc::{AddGoalReq, AddPlanItemReq, GoalView, PlanSectionView};
use kindred_core::model::plan::GoalStatus;
use leptos::prelude::*;

use crate::components::common::{ErrorNote, Loaded, Mutation, TextInput};
use crate::state::data_resource;
use crate::{ipc, text};

#[component]
pub fn PlanPage() -> impl IntoView {
    let plan = data_resource(ipc::get_plan);
    view! {
        <h1>{text::PLAN}</h1>
        <p class="muted">{text::PLAN_INTRO}</p>
        <Loaded res=plan let:p>
            {p.sections.into_iter().map(|s| view! { <Section s=s/> }).collect_view()}
            <Goals goals=p.goals/>
        </Loaded>
    }
}

#[component]
fn Section(s: PlanSectionView) -> impl IntoView {
    let m = Mutation::new();
    let draft = RwSignal::new(String::new());
    let section = s.section;
    let key = section.key();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        draft.set(String::new());
        m.run(ipc::add_plan_item(AddPlanItemReq { section, text }), |()| {});
    };
    let (prompt, example) = text::plan_prompt(key);
    let empty = s.items.is_empty().then(|| view! { <p class="muted">{example}</p> });
    view! {
        <section class="card pad" data-test=format!("plan-{key}")>
            <h2>{section.label()}</h2>
            {empty}
            <ul class="items">
                {s.items
                    .into_iter()
                    .map(|i| {
                        let id = i.id.to_string();
                        view! {
                            <li data-test="plan-item">
                                {i.text}
                                <button class="quiet small" on:click=move |_| {
                                    m.run(ipc::delete_plan_item(id.clone()), |()| {})
                                }>{text::REMOVE}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form on:submit=add class="add-row">
                <label class="field">
                    {prompt}
                    <TextInput value=draft test=format!("plan-{key}-input")/>
                </label>
                <button type="submit" data-test=format!("plan-{key}-add")>{text::ADD}</button>
            </form>
            <ErrorNote err=m.error/>
        </section>
    }
}

#[component]
fn Goals(goals: Vec<GoalView>) -> impl IntoView {
    let m = Mutation::new();
    let draft = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        draft.set(String::new());
        m.run(ipc::add_goal(AddGoalReq { text }), |()| {});
    };
    let empty = goals.is_empty().then(|| view! { <p class="muted">{text::GOALS_EMPTY}</p> });
    view! {
        <section class="card pad" data-test="goals">
            <h2>{text::GOALS}</h2>
            {empty}
            <ul class="items">
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
                                    aria-label=text::GOAL_STATUS
                                    prop:value=g.status.key()
                                    on:change=move |ev| {
                                        if let Some(status) = GoalStatus::from_key(&event_target_value(&ev)) {
                                            m.run(ipc::set_goal_status(id.clone(), status), |()| {});
                                        }
                                    }
                                >
                                    {GoalStatus::ALL
                                        .into_iter()
                                        .map(|s| view! { <option value=s.key()>{s.label()}</option> })
                                        .collect_view()}
                                </select>
                                <button class="quiet small" on:click=move |_| {
                                    m.run(ipc::delete_goal(remove.clone()), |()| {})
                                }>{text::REMOVE}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form on:submit=add class="add-row">
                <label class="field">
                    {text::ADD_GOAL}
                    <TextInput value=draft test="goal-input"/>
                </label>
                <button type="submit" data-test="goal-add">{text::ADD}</button>
            </form>
            <ErrorNote err=m.error/>
        </section>
    }
}
