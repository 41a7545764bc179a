//! `/` — Today: each tracker's sober time and next milestone, and the celebration screen when a
//! milestone was reached since the app was last opened.
//! Once per start, after the first Today has painted, it tells the shell (`ui_ready`, P3).

use std::cell::Cell;
use std::time::Duration;

use kindred_core::ipc::{TodayView, TrackerCard};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::celebration::CelebrationScreen;
use crate::components::common::{sober_text, tag_class, Loaded};
use crate::components::quick_log::QuickLog;
use crate::state::{data_resource, use_data_version};
use crate::{ipc, text};

#[component]
pub fn Today() -> impl IntoView {
    let today = data_resource(ipc::today);
    view! {
        <h1>{text::TODAY}</h1>
        <QuickLog/>
        <Loaded res=today let:v>
            <TodayBody v=v/>
        </Loaded>
        <A href="/trackers/new" attr:class="button primary" attr:data-test="add-tracker">
            {text::ADD_TRACKER}
        </A>
    }
}

#[component]
fn TodayBody(v: TodayView) -> impl IntoView {
    let version = use_data_version();
    Effect::new(|_| painted());
    let celebration = v.celebration.map(|c| {
        view! { <CelebrationScreen c=c on_done=move |_| version.bump()/> }
    });
    let empty = v.trackers.is_empty().then(|| view! { <p class="muted">{text::NO_TRACKERS}</p> });
    view! {
        {celebration}
        {empty}
        <ul class="cards">
            {v.trackers.into_iter().map(|c| view! { <Card c=c/> }).collect_view()}
        </ul>
    }
}

#[component]
fn Card(c: TrackerCard) -> impl IntoView {
    let href = format!("/trackers/{}", c.id);
    let next = c.next.map(|n| {
        view! {
            <p class="next" data-test="next-milestone">
                {text::NEXT} " "
                <strong class=tag_class(n.tag) data-test="next-label">{n.label}</strong>
                " · " <span data-test="next-until">{n.until}</span>
                <br/>
                <span class="muted">{n.when}</span>
            </p>
        }
    });
    view! {
        <li class="card" data-test="tracker-card">
            <A href=href attr:class="card-link">
                <h2 data-test="tracker-label">{c.label}</h2>
                <p class="big" data-test="sober-time">{sober_text(c.sober)}</p>
                <p class="muted">{text::SINCE} " " {c.since}</p>
                {next}
            </A>
        </li>
    }
}

thread_local! {
    static PAINTED: Cell<bool> = const { Cell::new(false) };
}

/// Tells the shell, once per start, that Today has painted with its data: after the frame that
/// shows it (a timer set from the next animation frame runs after that frame's paint).
fn painted() {
    if PAINTED.replace(true) {
        return;
    }
    request_animation_frame(|| {
        set_timeout(
            || leptos::task::spawn_local(async { drop(ipc::ui_ready().await) }),
            Duration::ZERO,
        );
    });
}
