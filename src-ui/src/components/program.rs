//! The mentee's program: the sync-status context (fed by the shell's sync event), the "Your
//! program" section of the settings page, and the notice shown on every page only when syncing
//! needs the mentee (disconnected by the program, a new code needed, an app update).

use kindred_core::ipc::{CommandError, SyncStatusView};
use kindred_core::sync::status::Status;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use super::common::ErrorNote;
use crate::{ipc, text};

/// The latest sync status, and whether a "Sync now" is waiting for its cycle.
#[derive(Clone, Copy)]
pub struct SyncCtx {
    pub status: RwSignal<Option<SyncStatusView>>,
    pub syncing: RwSignal<bool>,
}

/// Provides the sync status: read once, then kept current by the shell's event. A cycle that
/// brought rows in bumps `version`, so the page on screen reloads its data.
pub fn provide_sync_context(version: RwSignal<u32>) {
    let ctx = SyncCtx { status: RwSignal::new(None), syncing: RwSignal::new(false) };
    provide_context(ctx);
    ipc::on_sync(move |e| {
        ctx.status.set(Some(e.status));
        ctx.syncing.set(false);
        if e.pulled > 0 {
            version.update(|v| *v += 1);
        }
    });
    spawn_local(async move {
        if let Ok(s) = ipc::sync_status().await {
            ctx.status.set(Some(s));
        }
    });
}

/// The sync context.
pub fn use_sync() -> SyncCtx {
    expect_context::<SyncCtx>()
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let min = (now_ms - then_ms).max(0) / 60_000;
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match min {
        0 => "just now".into(),
        1..=59 => plural(min, "minute"),
        60..=1439 => plural(min / 60, "hour"),
        _ => plural(min / 1440, "day"),
    }
}

fn changes(n: i64, what: &str) -> String {
    if n == 1 {
        format!("1 change {what}")
    } else {
        format!("{n} changes {what}")
    }
}

/// Shown under the tabs on every page, only when syncing needs the mentee.
#[component]
pub fn SyncNotice() -> impl IntoView {
    let sync = use_sync();
    move || {
        sync.status.get().filter(|s| s.needs_you).and_then(|s| s.message).map(|m| {
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
    let error = RwSignal::new(None::<CommandError>);
    let confirming = RwSignal::new(false);
    view! {
        <section class="card pad" data-test="your-program">
            <h2>{text::YOUR_PROGRAM}</h2>
            {move || match sync.status.get() {
                None => view! { <p class="muted">{text::LOADING}</p> }.into_any(),
                Some(s) if !s.connected => view! {
                    <p class="muted">{text::PROGRAM_INTRO}</p>
                    <p class="muted">{text::PRIVACY_LINE}</p>
                    <A href="/connect" attr:class="button primary" attr:data-test="connect-link">
                        {text::CONNECT_LINK}
                    </A>
                }
                .into_any(),
                Some(s) => view! { <Connected s=s error=error confirming=confirming/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Connected(
    s: SyncStatusView,
    error: RwSignal<Option<CommandError>>,
    confirming: RwSignal<bool>,
) -> impl IntoView {
    let sync = use_sync();
    let now = js_sys::Date::now() as i64;
    let last = match s.last_synced_at {
        Some(t) => format!("{} {}.", text::LAST_SYNCED, ago(t, now)),
        None => text::NOT_SYNCED_YET.to_owned(),
    };
    let waiting = match s.pending {
        0 if s.status == Status::Ok => Some(text::ALL_SYNCED.to_owned()),
        0 => None,
        n => Some(changes(n, "waiting to sync.")),
    };
    let rejected = (s.rejected > 0).then(|| {
        changes(s.rejected, "weren't accepted by your program; they're kept on this phone.")
    });
    let again = s.status.stops();
    let sync_now = move |_| {
        sync.syncing.set(true);
        spawn_local(async move {
            match ipc::sync_now().await {
                Ok(_) => error.set(None),
                Err(e) => {
                    sync.syncing.set(false);
                    error.set(Some(e));
                }
            }
        });
    };
    let disconnect = move |_| {
        confirming.set(false);
        spawn_local(async move {
            match ipc::disconnect_program().await {
                Ok(v) => sync.status.set(Some(v)),
                Err(e) => error.set(Some(e)),
            }
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
        <ErrorNote err=error/>
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

#[cfg(test)]
mod tests {
    use super::ago;

    #[test]
    fn relative_times_are_plain() {
        let now = 10 * 86_400_000;
        assert_eq!(ago(now - 20_000, now), "just now");
        assert_eq!(ago(now - 60_000, now), "1 minute ago");
        assert_eq!(ago(now - 5 * 60_000, now), "5 minutes ago");
        assert_eq!(ago(now - 3 * 3_600_000, now), "3 hours ago");
        assert_eq!(ago(now - 2 * 86_400_000, now), "2 days ago");
        assert_eq!(ago(now + 5_000, now), "just now");
    }
}
