//! `/sharing` — who can see what: one sentence per linked mentor of what they see now, a form
//! to share categories with a mentor (each with its plain description, an optional last day
//! and number, the revocation statement shown before the tap), and every grant's receipt
//! with "Stop sharing" (one tap). `/sharing/log` — who looked: a weekly summary, then each
//! row.

use kindred_core::ipc::{GrantReq, GrantView, SharingView};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::common::{ErrorNote, Loaded, Mutation, TextInput};
use crate::state::data_resource;
use crate::{ipc, text};

#[component]
pub fn SharingPage() -> impl IntoView {
    let view = data_resource(ipc::sharing);
    view! {
        <h1>{text::SHARING}</h1>
        <p>{text::SHARING_INTRO}</p>
        <Loaded res=view let:v>
            <Sharing v=v/>
        </Loaded>
    }
}

#[component]
fn Sharing(v: SharingView) -> impl IntoView {
    if !v.connected {
        return view! {
            <section class="card pad" data-test="sharing-offline">
                <p>{text::NOT_CONNECTED_SHARING}</p>
                <A href="/connect" attr:class="button">{text::CONNECT_LINK}</A>
            </section>
        }
        .into_any();
    }
    let now = v.now.clone();
    let active: Vec<_> = v.mentors.iter().filter(|m| m.active).cloned().collect();
    let grants = v.grants.clone();
    view! {
        <section class="card pad" data-test="sees-now">
            <h2>{text::SEES_NOW}</h2>
            {if now.is_empty() {
                view! { <p class="muted">{text::NO_MENTOR_LINKED}</p> }.into_any()
            } else {
                view! { <ul>{now.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
            }}
            <p class="muted">{v.never_text.clone()}</p>
            <A href="/sharing/log">{text::WHO_LOOKED_LINK}</A>
        </section>
        {active
            .into_iter()
            .map(|m| {
                let current = grants.iter().find(|g| g.live && g.mentor == m.name).cloned();
                view! { <ShareForm v=v.clone() assignment=m.assignment_id name=m.name current=current/> }
            })
            .collect_view()}
        <section class="card pad" data-test="grants">
            <h2>{text::YOUR_GRANTS}</h2>
            {grants.is_empty().then(|| view! { <p class="muted">{text::NO_GRANTS}</p> })}
            {grants.into_iter().map(|g| view! { <Receipt g=g/> }).collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn ShareForm(
    v: SharingView,
    assignment: String,
    name: String,
    current: Option<GrantView>,
) -> impl IntoView {
    let m = Mutation::new().one_at_a_time();
    let chosen =
        RwSignal::new(current.as_ref().map(|g| g.category_keys.clone()).unwrap_or_default());
    let until = RwSignal::new(String::new());
    let phone = RwSignal::new(current.as_ref().and_then(|g| g.phone.clone()).unwrap_or_default());
    let replaces = current.as_ref().map(|g| g.id.clone());
    let title = if current.is_some() { text::SHARE_CHANGE } else { text::SHARE_WITH };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = GrantReq {
            assignment_id: assignment.clone(),
            categories: chosen.get_untracked(),
            until: Some(until.get_untracked()),
            phone: Some(phone.get_untracked()),
            replaces: replaces.clone(),
        };
        m.run(ipc::grant_sharing(req), |_| {});
    };
    view! {
        <form class="card pad" on:submit=submit data-test="share-form">
            <h2>{title} " " {name.clone()}</h2>
            <fieldset>
                <legend>{text::SHARE_WHAT}</legend>
                {v.categories
                    .into_iter()
                    .map(|c| {
                        let key = c.key.clone();
                        let k2 = key.clone();
                        view! {
                            <label class="choice" data-test=format!("share-{}", c.key)>
                                <input
                                    type="checkbox"
                                    prop:checked=move || chosen.get().contains(&key)
                                    on:change=move |_| chosen.update(|v| match v.iter().position(|x| *x == k2) {
                                        Some(i) => { v.remove(i); }
                                        None => v.push(k2.clone()),
                                    })
                                />
                                <span><strong>{c.title}</strong><br/><span class="muted">{c.description}</span></span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label>{text::SHARE_UNTIL} <TextInput value=until kind="date" test="share-until"/></label>
            <label>{text::SHARE_PHONE} <TextInput value=phone kind="tel" test="share-phone"/></label>
            <p class="notice">{v.revoke_text}</p>
            <ErrorNote err=m.error/>
            <button type="submit" class="primary" data-test="share" prop:disabled=move || m.busy()>{text::SHARE}</button>
        </form>
    }
}

#[component]
fn Receipt(g: GrantView) -> impl IntoView {
    let m = Mutation::new().one_at_a_time();
    let id = g.id.clone();
    let stop = move |_| {
        m.run(ipc::revoke_sharing(id.clone()), |_| {});
    };
    view! {
        <div class="receipt" data-test="receipt" data-live=g.live.to_string()>
            <p><strong>{g.mentor.clone()}</strong> " · " {g.state.clone()}</p>
            <p>{g.categories.join(", ")}</p>
            <p class="muted">{text::PURPOSE} ": " {g.purpose.clone()}</p>
            <p class="muted">{text::UNTIL} ": " {g.until.clone()}</p>
            <p class="muted small">{g.signed.clone()}</p>
            {(!g.synced).then(|| view! { <p class="muted small">{text::WAITING_TO_SEND}</p> })}
            <ErrorNote err=m.error/>
            {g.live.then(|| view! {
                <button class="danger" data-test="stop-sharing" on:click=stop>{text::STOP_SHARING}</button>
            })}
        </div>
    }
}

#[component]
pub fn DisclosurePage() -> impl IntoView {
    let log = data_resource(ipc::disclosure_log);
    view! {
        <h1>{text::WHO_LOOKED}</h1>
        <p>{text::WHO_LOOKED_INTRO}</p>
        <Loaded res=log let:l>
            <section class="card pad" data-test="log-weeks">
                <ul>{l.weeks.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
            </section>
            <section class="card pad" data-test="log-rows">
                {l.rows.is_empty().then(|| view! { <p class="muted">{text::NO_ONE_LOOKED}</p> })}
                <ul class="rows">
                    {l.rows
                        .into_iter()
                        .map(|r| view! {
                            <li data-test="log-row">
                                <strong>{r.when}</strong> " · " {r.mentor} " saw " {r.page} ": "
                                {r.categories.join(", ")}
                            </li>
                        })
                        .collect_view()}
                </ul>
            </section>
        </Loaded>
    }
}
