//! Small widgets and helpers used by several pages: the error note, the sober-time figure and
//! NA tag class, the one loading block for IPC reads (`loading`), the private text inputs
//! (`input`), the mutation helper (`mutation`) and the delete-then-undo flow with its toast
//! (`undo`).

mod input;
mod loading;
mod mutation;
mod undo;

use kindred_core::ipc::{CommandError, SoberTimeView};
use kindred_core::model::ladder::TagColor;
use leptos::prelude::*;

pub use input::{DateTimeInput, TextArea, TextInput};
pub use loading::Loaded;
pub use mutation::Mutation;
pub use undo::{use_delete_with_undo, ToastBar};

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
    if s.show_hours {
        text::days_hours_minutes(s.days, s.hours, s.minutes)
    } else {
        text::days(s.days)
    }
}

/// The CSS class of an NA key-tag colour.
pub fn tag_class(tag: Option<TagColor>) -> String {
    tag.map(|t| format!("tag tag-{t:?}").to_lowercase()).unwrap_or_default()
}
