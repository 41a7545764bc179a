//! The one loading block for IPC reads: `Transition` + `Suspend`, "Loading…" while the first
//! answer is on its way (the old content stays during a reload), the loaded view, or the calm
//! error note.

use leptos::prelude::*;

use super::ErrorNote;
use crate::state::IpcResource;
use crate::text;

/// Renders `children(value)` once `res` has loaded; on an error, the error note and then
/// `after_error` (for example a way back). `quiet` shows nothing while loading; `silent` also
/// hides the error (an optional section that simply stays away).
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
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let fallback =
        move || (!quiet && !silent).then(|| view! { <p class="muted">{text::LOADING}</p> });
    view! {
        <Transition fallback=fallback>
            {move || {
                let children = children.clone();
                let after_error = after_error.clone();
                Suspend::new(async move {
                    match res.await {
                        Ok(v) => children(v).into_any(),
                        Err(_) if silent => ().into_any(),
                        Err(e) => view! {
                            <ErrorNote err=Some(e)/>
                            {after_error.map(|f| f.run())}
                        }
                        .into_any(),
                    }
                })
            }}
        </Transition>
    }
}
