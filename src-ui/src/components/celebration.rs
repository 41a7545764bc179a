//! The celebration screen shown the first time the app opens after a milestone is reached.

use kindred_core::ipc::{AckCelebrationReq, Celebration};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::common::tag_class;
use crate::{ipc, text};

/// Full-screen, calm celebration. `on_done` runs after it is acknowledged.
#[component]
pub fn CelebrationScreen(c: Celebration, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let ack = AckCelebrationReq { tracker_id: c.tracker_id.to_string(), keys: c.keys.clone() };
    let tag = c.tag.map(|t| {
        view! { <p class=tag_class(Some(t))>{text::key_tag(t.name())}</p> }
    });
    view! {
        <section class="celebration" data-test="celebration" role="dialog" aria-modal="true">
            <h1>{text::CELEBRATE_TITLE}</h1>
            <p class="big">{c.milestone_label}</p>
            <p class="muted">{c.tracker_label}</p>
            {tag}
            <p>{text::CELEBRATE_BODY}</p>
            {c.message.map(|m| view! {
                <blockquote class="mentor-message" data-test="mentor-message">
                    <p>{m.text}</p>
                    <footer>"— " {m.from}</footer>
                </blockquote>
            })}
            <button
                class="primary"
                data-test="celebration-ok"
                on:click=move |_| {
                    let ack = ack.clone();
                    spawn_local(async move {
                        let _ = ipc::ack_celebration(ack).await;
                        on_done.run(());
                    });
                }
            >
                {text::CELEBRATE_OK}
            </button>
        </section>
    }
}
