//! The private inputs every form uses. Free text (names, notes, debriefs, goals, plan items,
//! contacts, the server address and code, the delete confirmation) goes through [`TextInput`]
//! or [`TextArea`]: no autocomplete, autocapitalisation or spellcheck, so nothing typed leaves
//! the app through the keyboard's learning (SECURITY.md PR-3). [`DateTimeInput`] is the local
//! date-and-time picker.

use leptos::prelude::*;

/// A private `<input>` bound to `value`. `kind` is its `type` (`text`, `tel`, `email`,
/// `time`); `inputmode` hints the on-screen keyboard.
#[component]
pub fn TextInput(
    value: RwSignal<String>,
    #[prop(into)] test: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    view! {
        <input
            type=kind
            inputmode=inputmode
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            data-test=test
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}

/// A private three-line `<textarea>` bound to `value`.
#[component]
pub fn TextArea(value: RwSignal<String>, #[prop(into)] test: String) -> impl IntoView {
    view! {
        <textarea
            rows="3"
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            data-test=test
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        ></textarea>
    }
}

/// A local date-and-time `<input>` bound to `value` (read on `input` and on `change`: some
/// pickers only send the latter).
#[component]
pub fn DateTimeInput(value: RwSignal<String>, test: &'static str) -> impl IntoView {
    view! {
        <input
            type="datetime-local"
            data-test=test
            data-empty=move || value.get().is_empty().then_some("")
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
            on:change=move |ev| value.set(event_target_value(&ev))
        />
    }
}
