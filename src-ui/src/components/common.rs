//! Small widgets used by several pages.

use kindred_core::ipc::{CommandError, SoberTimeView};
use kindred_core::model::ladder::TagColor;
use leptos::prelude::*;

use crate::text;

/// A plain, calm error line (the message comes from the shell, never stored content).
#[component]
pub fn ErrorNote(#[prop(into)] err: Signal<Option<CommandError>>) -> impl IntoView {
    move || {
        err.get().map(|e| {
            view! { <p class="error" role="alert" data-test="error">{e.message}</p> }
        })
    }
}

/// "29 days" or, in the first three days, "1 day 4 h 12 min".
pub fn sober_text(s: SoberTimeView) -> String {
    let days = if s.days == 1 { "1 day".to_owned() } else { format!("{} days", s.days) };
    if s.show_hours {
        format!("{days} {} h {} min", s.hours, s.minutes)
    } else {
        days
    }
}

/// The CSS class of an NA key-tag colour.
pub fn tag_class(tag: Option<TagColor>) -> String {
    tag.map(|t| format!("tag tag-{t:?}").to_lowercase()).unwrap_or_default()
}

/// What "Undo" restores.
#[derive(Clone, Debug, PartialEq)]
pub enum Undo {
    Tracker(String),
    Craving(String),
}

/// A one-shot message with an optional undo, shown at the bottom of any page.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub message: &'static str,
    pub undo: Option<Undo>,
}

/// How long an "Undo" toast stays: a second less than the store's undo window.
pub const UNDO_TOAST: std::time::Duration =
    std::time::Duration::from_millis(kindred_core::model::UNDO_WINDOW_MS as u64 - 1_000);

/// The app-wide toast slot.
#[derive(Clone, Copy)]
pub struct ToastCtx(pub RwSignal<Option<Toast>>);

/// Provides the toast slot; call once at the root.
pub fn provide_toast_context() {
    provide_context(ToastCtx(RwSignal::new(None)));
}

/// The toast slot.
pub fn use_toast() -> RwSignal<Option<Toast>> {
    expect_context::<ToastCtx>().0
}

/// Renders the toast, with "Undo" for a deletion.
#[component]
pub fn ToastBar(#[prop(into)] on_undo: Callback<Undo>) -> impl IntoView {
    let toast = use_toast();
    move || {
        toast.get().map(|t| {
            let undo = t.undo.clone().map(|id| {
                view! {
                    <button class="link" data-test="undo" on:click=move |_| on_undo.run(id.clone())>
                        {text::UNDO}
                    </button>
                }
            });
            view! {
                <div class="toast" role="status">
                    <span>{t.message}</span>
                    {undo}
                </div>
            }
        })
    }
}

/// A private text input bound to `sig`: no autocomplete, autocapitalisation or spellcheck, so
/// nothing typed leaves the app through the keyboard's learning (SECURITY.md PR-3).
pub fn text_input(sig: RwSignal<String>, kind: &'static str, test: String) -> impl IntoView {
    view! {
        <input
            type=kind
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            data-test=test
            prop:value=move || sig.get()
            on:input=move |ev| sig.set(event_target_value(&ev))
        />
    }
}
