//! `/mentor` — the primary and backup mentor: one tap to call, text or e-mail through the OS,
//! their usual hours (outside them the page says so and points to the backup and 988), and a
//! form to add or change each.

use kindred_core::ipc::{ContactChannel, ContactMentorReq, ContactView, SaveContactReq};
use kindred_core::model::contact::Role;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::common::{ErrorNote, Loaded, Mutation, TextInput};
use crate::state::data_resource;
use crate::{ipc, text};

#[component]
pub fn MentorPage() -> impl IntoView {
    let contacts = data_resource(ipc::get_contacts);
    view! {
        <h1>{text::MENTOR}</h1>
        <Loaded res=contacts let:c>
            <Section role=Role::Primary c=c.primary/>
            <Section role=Role::Backup c=c.backup/>
        </Loaded>
        <p><A href="/sharing" attr:data-test="sharing-link">{text::SHARING_LINK}</A></p>
    }
}

#[component]
fn Section(role: Role, c: Option<ContactView>) -> impl IntoView {
    let title = match role {
        Role::Primary => text::PRIMARY,
        Role::Backup => text::BACKUP,
    };
    let editing = RwSignal::new(c.is_none());
    let m = Mutation::local();
    let reach = move |channel: ContactChannel| {
        m.run(ipc::contact_mentor(ContactMentorReq { role, channel }), |()| {});
    };
    let card = c.clone().map(|c| {
        let outside = (!c.available_now).then(|| {
            view! {
                <p class="notice" data-test="outside-hours">
                    {text::OUTSIDE_HOURS} " " <A href="/help">{text::GET_HELP}</A>
                </p>
            }
        });
        view! {
            <p class="big-name" data-test=format!("{}-name", role.key())>{c.name.clone()}</p>
            {c.hours_text.clone().map(|h| view! { <p class="muted">{h}</p> })}
            {outside}
            <div class="actions">
                {c.phone.is_some().then(|| view! {
                    <button class="primary" data-test=format!("{}-call", role.key())
                        on:click=move |_| reach(ContactChannel::Call)>{text::CALL}</button>
                })}
                {(c.sms.is_some() || c.phone.is_some()).then(|| view! {
                    <button data-test=format!("{}-text", role.key())
                        on:click=move |_| reach(ContactChannel::Text)>{text::TEXT}</button>
                })}
                {c.email.is_some().then(|| view! {
                    <button data-test=format!("{}-email", role.key())
                        on:click=move |_| reach(ContactChannel::Email)>{text::EMAIL}</button>
                })}
            </div>
            {(!c.note.is_empty()).then(|| view! { <p class="note">{c.note.clone()}</p> })}
        }
    });
    let empty = c.is_none().then(|| view! { <p class="muted">{text::NO_CONTACT}</p> });
    view! {
        <section class="card pad" data-test=format!("contact-{}", role.key())>
            <h2>{title}</h2>
            {card}
            {empty}
            <ErrorNote err=m.error/>
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <button class="quiet" data-test=format!("{}-edit", role.key())
                        on:click=move |_| editing.set(true)>{text::EDIT}</button>
                }
            >
                <ContactForm role=role c=c.clone()/>
            </Show>
        </section>
    }
}

#[component]
fn ContactForm(role: Role, c: Option<ContactView>) -> impl IntoView {
    let m = Mutation::new();
    let c = c.unwrap_or(ContactView {
        role,
        name: String::new(),
        phone: None,
        sms: None,
        email: None,
        hours_text: None,
        hours_days: vec![],
        hours_from: "09:00".into(),
        hours_to: "17:00".into(),
        available_now: true,
        note: String::new(),
    });
    let name = RwSignal::new(c.name);
    let phone = RwSignal::new(c.phone.clone().unwrap_or_default());
    let sms = RwSignal::new(c.sms.filter(|s| Some(s) != c.phone.as_ref()).unwrap_or_default());
    let email = RwSignal::new(c.email.unwrap_or_default());
    let days = RwSignal::new(c.hours_days);
    let from = RwSignal::new(c.hours_from);
    let to = RwSignal::new(c.hours_to);
    let note = RwSignal::new(c.note);
    let key = role.key();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = SaveContactReq {
            role,
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            sms: sms.get_untracked(),
            email: email.get_untracked(),
            hours_days: days.get_untracked(),
            hours_from: from.get_untracked(),
            hours_to: to.get_untracked(),
            note: note.get_untracked(),
        };
        m.run(ipc::save_contact(req), |()| {});
    };
    view! {
        <form on:submit=submit data-test=format!("{key}-form")>
            <label>{text::NAME} <TextInput value=name test=format!("{key}-name-input")/></label>
            <label>{text::PHONE} <TextInput value=phone kind="tel" test=format!("{key}-phone")/></label>
            <label>{text::SMS} <TextInput value=sms kind="tel" test=format!("{key}-sms")/></label>
            <label>{text::EMAIL} <TextInput value=email kind="email" test=format!("{key}-email-input")/></label>
            <fieldset>
                <legend>{text::HOURS_DAYS}</legend>
                {text::WEEKDAYS
                    .into_iter()
                    .zip(0u8..)
                    .map(|(label, d)| view! {
                        <label class="chip">
                            <input
                                type="checkbox"
                                prop:checked=move || days.get().contains(&d)
                                on:change=move |_| days.update(|v| match v.iter().position(|x| *x == d) {
                                    Some(i) => { v.remove(i); }
                                    None => v.push(d),
                                })
                            />
                            {label}
                        </label>
                    })
                    .collect_view()}
                <div class="row">
                    <label>{text::HOURS_FROM} <TextInput value=from kind="time" test=format!("{key}-from")/></label>
                    <label>{text::HOURS_TO} <TextInput value=to kind="time" test=format!("{key}-to")/></label>
                </div>
            </fieldset>
            <label>{text::NOTE} <TextInput value=note test=format!("{key}-note")/></label>
            <ErrorNote err=m.error/>
            <button type="submit" class="primary" data-test=format!("{key}-save")>{text::SAVE}</button>
        </form>
    }
}
