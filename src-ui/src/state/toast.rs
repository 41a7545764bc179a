//! The app-wide toast slot: a one-shot message at the bottom of any page, with an optional
//! "Undo" for a deletion. The delete-then-undo flow itself is in `components::common::undo`.

use leptos::prelude::*;

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

/// The app-wide toast slot.
#[derive(Clone, Copy)]
struct ToastCtx(RwSignal<Option<Toast>>);

/// Provides the toast slot; call once at the root.
pub fn provide_toast_context() {
    provide_context(ToastCtx(RwSignal::new(None)));
}

/// The toast slot.
pub fn use_toast() -> RwSignal<Option<Toast>> {
    expect_context::<ToastCtx>().0
}
