//! The root component: contexts, the router with every route, and the undo toast.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::components::common::{provide_toast_context, use_toast, ToastBar};
use crate::pages::{new_tracker::NewTracker, reset::ResetPage, settings::SettingsPage};
use crate::pages::{today::Today, tracker::TrackerPage};
use crate::{ipc, text};

/// Bumped whenever stored data changes, so pages refetch.
#[derive(Clone, Copy)]
pub struct DataVersion(pub RwSignal<u32>);

/// The data version signal.
pub fn use_data_version() -> RwSignal<u32> {
    expect_context::<DataVersion>().0
}

#[component]
pub fn App() -> impl IntoView {
    provide_toast_context();
    let version = RwSignal::new(0u32);
    provide_context(DataVersion(version));
    let toast = use_toast();
    let on_undo = move |id: String| {
        spawn_local(async move {
            let _ = ipc::undo_delete_tracker(id).await;
            toast.set(None);
            version.update(|v| *v += 1);
        });
    };
    view! {
        <Router>
            <header class="top">
                <A href="/" attr:class="brand">{text::APP}</A>
                <nav>
                    <A href="/settings" attr:data-test="nav-settings">{text::SETTINGS}</A>
                </nav>
            </header>
            <main>
                <Routes fallback=Today>
                    <Route path=path!("/") view=Today/>
                    <Route path=path!("/trackers/new") view=NewTracker/>
                    <Route path=path!("/trackers/:id") view=TrackerPage/>
                    <Route path=path!("/trackers/:id/reset") view=ResetPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
            <ToastBar on_undo=on_undo/>
        </Router>
    }
}
