//! `/mentor` — the primary and backup mentor: one tap to call, text or e-mail through the OS,
//! their usual hours (outside them the page says so and points to the backup and 988), and a
//! form to add or change each.

use kindred_core::ipc::{
    CommandError, ContactChannel, ContactMentorReq, ContactView, ContactsView, SaveContactReq,
};
use kindred_core::model::contact::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::app::use_data_version;
use crate::components::common::{text_input, ErrorNote};
use crate::{ipc, text};

#[component]
pub fn MentorPage() -> impl IntoView {
    let version = use_data_version();
    let contacts = LocalResource::new(move || {
        version.track();
        ipc::get_contacts()
    });
    view! {
        <h1>{text::MENTOR}</h1>
        <Transition fallback=|| view! { <p class="muted">{text::LOADING}</p> }>
            {move || Suspend::new(async move {
                match contacts.await {
                    Ok(ContactsView { primary, backup }) => view! {
                        <Section role=Role::Primary c=primary/>
                        <Section role=Role::Backup c=backup/>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNote err=Some(e)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Section(role: Role, c: Option<ContactView>) -> impl IntoView {
    let title = match role {
        Role::Primary => text::PRIMARY,
        Role::Backup => text::BACKUP,
    };
    let editing = RwSignal::new(c.is_none());
    let error = RwSignal::new(None::<CommandError>);
    let reach = move |channel: ContactChannel| {
        spawn_local(async move {
            error.set(ipc::contact_mentor(ContactMentorReq { role, channel }).await.err());
        });
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
            <ErrorNote err=error/>
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
    let version = use_data_version();
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
    let error = RwSignal::new(None::<CommandError>);
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
        spawn_local(async move {
            match ipc::save_contact(req).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form on:submit=submit data-test=format!("{key}-form")>
            <label>{text::NAME} {text_input(name, "text", format!("{key}-name-input"))}</label>
            <label>{text::PHONE} {text_input(phone, "tel", format!("{key}-phone"))}</label>
            <label>{text::SMS} {text_input(sms, "tel", format!("{key}-sms"))}</label>
            <label>{text::EMAIL} {text_input(email, "email", format!("{key}-email-input"))}</label>
            <fieldset>
                <legend>{text::HOURS_DAYS}</legend>
                {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
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
                    <label>{text::HOURS_FROM} {text_input(from, "time", format!("{key}-from"))}</label>
                    <label>{text::HOURS_TO} {text_input(to, "time", format!("{key}-to"))}</label>
                </div>
            </fieldset>
            <label>{text::NOTE} {text_input(note, "text", format!("{key}-note"))}</label>
            <ErrorNote err=error/>
            <button type="submit" class="primary" data-test=format!("{key}-save")>{text::SAVE}</button>
        </form>
    }
}
