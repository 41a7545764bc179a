//! `/recovery` — the data file can't be opened (a key problem or a damaged file; SECURITY.md
//! KY-4): what happened, in calm words, that nothing was deleted, and the way on — keep the
//! old file aside and start fresh, then import an export or connect to the program again.
//! Also the notice shown on every page while the store is unreadable or in memory only, and,
//! after delete everything, the "Start again" notice (nothing is kept until then).

use kindred_core::ipc::{StoreState, StoreStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

use crate::components::common::{ErrorNote, Loaded, Mutation};
use crate::state::{data_resource, IpcResource};
use crate::{ipc, text};

/// Shown under the tabs on every page while the store is not open on disk. An unreadable
/// store also takes the mentee to `/recovery` once.
#[component]
pub fn StoreNotice() -> impl IntoView {
    let status = data_resource(ipc::store_status);
    let navigate = use_navigate();
    let on_recovery = {
        let location = use_location();
        move || location.pathname.get() == "/recovery"
    };
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let s = status.get().and_then(Result::ok);
        let unreadable =
            s.is_some_and(|s| matches!(s.state, StoreState::Unreadable | StoreState::NewerVersion));
        if unreadable {
            navigate("/recovery", Default::default());
        }
        unreadable
    });
    move || {
        status.get().and_then(Result::ok).and_then(|s| {
            match s.state {
            StoreState::Ok => None,
            StoreState::SessionOnly => Some(view! {
                <p class="notice store-notice" role="status" data-test="store-notice">
                    {s.message} " " {text::SESSION_ONLY_MORE}
                </p>
            }.into_any()),
            StoreState::Deleted => Some(view! { <StartAgain message=s.message/> }.into_any()),
            StoreState::Unreadable | StoreState::NewerVersion if on_recovery() => None,
            StoreState::Unreadable | StoreState::NewerVersion => Some(view! {
                <p class="notice store-notice" role="status" data-test="store-notice">
                    {text::RECOVERY_TITLE} ". " <A href="/recovery">{text::RECOVERY_NOTICE_LINK}</A>
                </p>
            }.into_any()),
        }
        })
    }
}

/// After delete everything: nothing is kept until the mentee starts again.
#[component]
fn StartAgain(message: String) -> impl IntoView {
    let m = Mutation::new().one_at_a_time();
    view! {
        <div class="notice store-notice" role="status" data-test="deleted-notice">
            <p>{message}</p>
            <button class="primary" data-test="start-again"
                on:click=move |_| m.run_or(ipc::start_fresh(), |_| (), || ())>
                {text::START_AGAIN}
            </button>
            <ErrorNote err=m.error/>
        </div>
    }
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    // Read once: starting fresh changes the status, and the page must keep saying what it did.
    let status = IpcResource::new(ipc::store_status);
    view! {
        <h1>{text::RECOVERY_TITLE}</h1>
        <Loaded res=status let:s>
            <Recovery s=s/>
        </Loaded>
    }
}

#[component]
fn Recovery(s: StoreStatus) -> impl IntoView {
    let m = Mutation::new().one_at_a_time();
    let done = RwSignal::new(None::<String>);
    match s.state {
        StoreState::Ok | StoreState::SessionOnly | StoreState::Deleted => view! {
            <p data-test="recovery-fine">{s.message}</p>
            <A href="/">{text::TODAY}</A>
        }.into_any(),
        StoreState::NewerVersion => view! {
            <p data-test="recovery-message">{text::RECOVERY_UPDATE}</p>
        }.into_any(),
        StoreState::Unreadable => view! {
            <section class="card pad" data-test="recovery">
                <p data-test="recovery-message">{s.message}</p>
                <p>{text::RECOVERY_WHY}</p>
                <p>{text::RECOVERY_KEPT}</p>
                <p class="muted">{text::RECOVERY_WAYS}</p>
                {move || match done.get() {
                    None => view! {
                        <button class="primary" data-test="start-fresh"
                            on:click=move |_| m.run_or(ipc::start_fresh(), move |d| done.set(Some(d.message)), || ())>
                            {text::RECOVERY_START_FRESH}
                        </button>
                    }.into_any(),
                    Some(msg) => view! {
                        <p role="status" data-test="recovery-done">{msg}</p>
                        <A href="/settings" attr:class="button" attr:data-test="recovery-import">{text::IMPORT}</A>
                        <A href="/connect" attr:class="button" attr:data-test="recovery-connect">{text::RECOVERY_CONNECT}</A>
                    }.into_any(),
                }}
                <ErrorNote err=m.error/>
            </section>
        }.into_any(),
    }
}
