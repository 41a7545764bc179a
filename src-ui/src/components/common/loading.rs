//! The one loading block for IPC reads: "Loading…" while the first answer is on its way (the
//! old content stays during a reload), the loaded view, or the calm error note.

use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use super::ErrorNote;
use crate::state::{restore, Erased, IpcResource};
use crate::text;

/// Renders `children(value)` once `res` has loaded; on an error, the error note and then
/// `after_error` (for example a way back). `quiet` shows nothing while loading; `silent` also
/// hides the error (an optional section that simply stays away). During a reload the old
/// content stays until the new answer is in.
#[component]
pub fn Loaded<T, F, V>(
    res: IpcResource<T>,
    children: F,
    #[prop(optional)] quiet: bool,
    #[prop(optional)] silent: bool,
    #[prop(optional, into)] after_error: Option<ViewFn>,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let render: Render = Arc::new(move |v| children(restore::<T>(v)).into_any());
    loaded(res.erased(), render, quiet, silent, after_error)
}

type Render = Arc<dyn Fn(&Rc<dyn Any>) -> AnyView + Send + Sync>;

/// The part of [`Loaded`] that does not depend on the answer type, compiled once.
fn loaded(
    res: LocalResource<Erased>,
    render: Render,
    quiet: bool,
    silent: bool,
    after_error: Option<ViewFn>,
) -> AnyView {
    (move || match res.get() {
        None if quiet || silent => ().into_any(),
        None => view! { <p class="muted">{text::LOADING}</p> }.into_any(),
        Some(Ok(v)) => render(&v),
        Some(Err(_)) if silent => ().into_any(),
        Some(Err(e)) => view! {
            <ErrorNote err=Some(e)/>
            {after_error.as_ref().map(ViewFn::run)}
        }
        .into_any(),
    })
    .into_any()
}
