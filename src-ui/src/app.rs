//! The root component: contexts (data version, toast, sync status), the header (with "Get help"
//! on every route), a sync notice only when syncing needs the mentee, the router with every
//! route, and the undo toast.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::components::common::{provide_toast_context, use_toast, ToastBar, Undo};
use crate::components::program::{provide_sync_context, SyncNotice};
use crate::pages::connect::ConnectPage;
use crate::pages::{check_in::CheckInPage, insights::InsightsPage, plan::PlanPage};
use crate::pages::{craving::CravingPage, cravings::CravingsPage, help::HelpPage};
use crate::pages::{mentor::MentorPage, new_tracker::NewTracker, reset::ResetPage};
use crate::pages::{settings::SettingsPage, today::Today, tracker::TrackerPage};
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
    provide_sync_context(version);
    let toast = use_toast();
    let on_undo = move |undo: Undo| {
        spawn_local(async move {
            let _ = match undo {
                Undo::Tracker(id) => ipc::undo_delete_tracker(id).await,
                Undo::Craving(id) => ipc::undo_delete_craving(id).await,
            };
            toast.set(None);
            version.update(|v| *v += 1);
        });
    };
    view! {
        <Router>
            <header class="top">
                <A href="/" attr:class="brand">{text::APP}</A>
                <A href="/help" attr:class="button help" attr:data-test="get-help">{text::GET_HELP}</A>
            </header>
            <nav class="tabs">
                <A href="/" attr:data-test="nav-today">{text::TODAY}</A>
                <A href="/cravings" attr:data-test="nav-cravings">{text::CRAVINGS}</A>
                <A href="/insights" attr:data-test="nav-insights">{text::INSIGHTS}</A>
                <A href="/check-in" attr:data-test="nav-check-in">{text::CHECK_IN}</A>
                <A href="/plan" attr:data-test="nav-plan">{text::PLAN}</A>
                <A href="/mentor" attr:data-test="nav-mentor">{text::MENTOR}</A>
                <A href="/settings" attr:data-test="nav-settings">{text::SETTINGS}</A>
            </nav>
            <SyncNotice/>
            <main>
                <Routes fallback=Today>
                    <Route path=path!("/") view=Today/>
                    <Route path=path!("/trackers/new") view=NewTracker/>
                    <Route path=path!("/trackers/:id") view=TrackerPage/>
                    <Route path=path!("/trackers/:id/reset") view=ResetPage/>
                    <Route path=path!("/cravings") view=CravingsPage/>
                    <Route path=path!("/cravings/:id") view=CravingPage/>
                    <Route path=path!("/insights") view=InsightsPage/>
                    <Route path=path!("/check-in") view=CheckInPage/>
                    <Route path=path!("/plan") view=PlanPage/>
                    <Route path=path!("/mentor") view=MentorPage/>
                    <Route path=path!("/help") view=HelpPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/connect") view=ConnectPage/>
                </Routes>
            </main>
            <ToastBar on_undo=on_undo/>
        </Router>
    }
}
