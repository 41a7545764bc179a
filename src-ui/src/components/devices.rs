//! "Your phones" inside "Your program": the mentee's phones as the program's server knows them
//! (read only when asked: it needs the network), and disconnecting another one (a lost or old
//! phone) after a confirmation.

use kindred_core::ipc::{DeviceView, DevicesView};
use leptos::prelude::*;

use super::common::{ErrorNote, Mutation};
use crate::{ipc, text};

#[component]
pub fn YourPhones() -> impl IntoView {
    let m = Mutation::local().one_at_a_time();
    let list = RwSignal::new(None::<DevicesView>);
    // The phone waiting for "Yes, disconnect it".
    let confirming = RwSignal::new(None::<String>);
    let show = move |_| m.run(ipc::program_devices(), move |v| list.set(Some(v)));
    let revoke = move |id: String| {
        confirming.set(None);
        m.run(ipc::revoke_device(id), move |v| list.set(Some(v)));
    };
    let phone = move |d: DeviceView| {
        let id = d.id.clone();
        let can_revoke = !d.this_phone && !d.revoked;
        let state = if d.revoked { Some(text::PHONE_DISCONNECTED) } else { None };
        view! {
            <li data-test="phone">
                <strong data-test="phone-label">{d.label.clone()}</strong>
                {state.map(|s| view! { <span class="muted" data-test="phone-revoked">" · " {s}</span> })}
                <span class="muted when">{text::PHONE_CONNECTED} " " {d.connected.clone()}</span>
                {d.last_synced.clone().map(|t| view! {
                    <span class="muted when">{text::LAST_SYNCED} " " {t}</span>
                })}
                {can_revoke.then(|| {
                    let asked = id.clone();
                    let chosen = id.clone();
                    view! {
                        <Show
                            when=move || confirming.get().as_deref() == Some(asked.as_str())
                            fallback=move || {
                                let id = id.clone();
                                view! {
                                    <button class="quiet" data-test="phone-disconnect"
                                        on:click=move |_| confirming.set(Some(id.clone()))>
                                        {text::DISCONNECT_PHONE}
                                    </button>
                                }
                            }
                        >
                            {
                                let chosen = chosen.clone();
                                view! {
                                    <div class="confirm">
                                        <p>{text::DISCONNECT_PHONE_CONFIRM}</p>
                                        <button class="danger" data-test="phone-disconnect-confirm"
                                            on:click=move |_| revoke(chosen.clone())>
                                            {text::YES_DISCONNECT_PHONE}
                                        </button>
                                        <button on:click=move |_| confirming.set(None)>{text::CANCEL}</button>
                                    </div>
                                }
                            }
                        </Show>
                    }
                })}
            </li>
        }
    };
    view! {
        <h3 data-test="your-phones">{text::YOUR_PHONES}</h3>
        {move || match list.get() {
            None => view! {
                <button data-test="show-phones" prop:disabled=move || m.busy() on:click=show>
                    {text::SHOW_PHONES}
                </button>
            }
            .into_any(),
            Some(v) => view! {
                <ul class="phones" data-test="phones">{v.devices.into_iter().map(phone).collect_view()}</ul>
            }
            .into_any(),
        }}
        <ErrorNote err=m.error/>
    }
}
