//! The mentee's program: the "Your program" section of the settings page, and the notice shown
//! on every page only when syncing needs the mentee (disconnected by the program, a new code
//! needed, an app update). The sync status itself is `state::SyncCtx`.

use kindred_core::ipc::SyncStatusView;
use kindred_core::sync::status::Status;
use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{ErrorNote, Mutation};
use super::devices::YourPhones;
use crate::state::use_sync;
use crate::{ipc, text};

/// Shown under the tabs on every page, only when syncing needs the mentee.
#[component]
pub fn SyncNotice() -> impl IntoView {
    let sync = use_sync();
    move || {
        sync.status.get().filter(|s| s.status.needs_you()).and_then(|s| s.message).map(|m| {
            view! {
                <p class="notice sync-notice" role="status" data-test="sync-notice">
                    {m} " " <A href="/settings">{text::YOUR_PROGRAM}</A>
                </p>
            }
        })
    }
}

/// "Your program" on the settings page.
#[component]
pub fn YourProgram() -> impl IntoView {
    let sync = use_sync();
    // Kept out here: a new status (every cycle) re-renders the details, not these.
    let m = Mutation::local();
    let confirming = RwSignal::new(false);
    // What Disconnect said (shown once it is done).
    let said = RwSignal::new(None::<String>);
    view! {
        <section class="card pad" data-test="your-program">
            <h2>{text::YOUR_PROGRAM}</h2>
            {move || match sync.status.get() {
                None => view! { <p class="muted">{text::LOADING}</p> }.into_any(),
                Some(s) if !s.connected => view! {
                    {move || said.get().map(|m| view! {
                        <p role="status" data-test="disconnect-message">{m}</p>
                    })}
                    <p class="muted">{text::PROGRAM_INTRO}</p>
                    <p class="muted">{text::PRIVACY_LINE}</p>
                    <A href="/connect" attr:class="button primary" attr:data-test="connect-link">
                        {text::CONNECT_LINK}
                    </A>
                }
                .into_any(),
                Some(s) => view! { <Connected s=s m=m confirming=confirming said=said/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Connected(
    s: SyncStatusView,
    m: Mutation,
    confirming: RwSignal<bool>,
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    let sync = use_sync();
    let now = js_sys::Date::now() as i64;
    let last = match s.last_synced_at {
        Some(t) => text::last_synced(t, now),
        None => text::NOT_SYNCED_YET.to_owned(),
    };
    let waiting = match s.pending {
        0 if s.status == Status::Ok => Some(text::ALL_SYNCED.to_owned()),
        0 => None,
        n => Some(text::changes(n, text::CHANGES_WAITING)),
    };
    let rejected = (s.rejected > 0).then(|| text::changes(s.rejected, text::CHANGES_REJECTED));
    let again = s.status.stops();
    let sync_now = move |_| {
        sync.syncing.set(true);
        m.run_or(ipc::sync_now(), |_| {}, move || sync.syncing.set(false));
    };
    let disconnect = move |_| {
        confirming.set(false);
        m.run(ipc::disconnect_program(), move |v| {
            said.set(Some(v.message));
            sync.status.set(Some(v.status));
        });
    };
    view! {
        <p class="muted">{text::CONNECTED_TO}</p>
        <p class="big-name" data-test="program-name">{s.program_name.clone()}</p>
        {s.server.clone().map(|h| view! { <p class="muted" data-test="program-server">{h}</p> })}
        {s.message.clone().map(|m| view! { <p class="notice" data-test="sync-message">{m}</p> })}
        <p data-test="last-synced">{last}</p>
        {waiting.map(|w| view! { <p class="muted" data-test="pending">{w}</p> })}
        {rejected.map(|r| view! { <p class="muted" data-test="rejected">{r}</p> })}
        <ErrorNote err=m.error/>
        {again.then(|| view! {
            <A href="/connect" attr:class="button primary" attr:data-test="connect-again">
                {text::CONNECT_AGAIN}
            </A>
        })}
        {(!again).then(|| view! {
            <button
                class="primary"
                data-test="sync-now"
                prop:disabled=move || sync.syncing.get()
                on:click=sync_now
            >
                {move || if sync.syncing.get() { text::SYNCING } else { text::SYNC_NOW }}
            </button>
        })}
        <YourPhones/>
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                <button class="quiet" data-test="disconnect" on:click=move |_| confirming.set(true)>
                    {text::DISCONNECT}
                </button>
            }
        >
            <div class="confirm">
                <p>{text::DISCONNECT_CONFIRM}</p>
                <button class="danger" data-test="disconnect-confirm" on:click=disconnect>
                    {text::YES_DISCONNECT}
                </button>
                <button on:click=move |_| confirming.set(false)>{text::CANCEL}</button>
            </div>
        </Show>
    }
}
