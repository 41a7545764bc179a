//! The root component: provides the contexts (`state`), then the header, which stays on screen
//! (with "Get help" on every route, also while locked), a sync notice only when syncing needs
//! the mentee, the router with every route, the toast and the bottom navigation.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::components::common::ToastBar;
use crate::components::lock::{IdleLock, LockScreen, QuickLock};
use crate::components::nav::BottomNav;
use crate::components::program::SyncNotice;
use crate::pages::connect::ConnectPage;
use crate::pages::recovery::{RecoveryPage, StoreNotice};
use crate::pages::reset::ResetPage;
use crate::pages::sharing::{DisclosurePage, SharingPage};
use crate::pages::{check_in::CheckInPage, insights::InsightsPage, plan::PlanPage};
use crate::pages::{craving::CravingPage, cravings::CravingsPage, help::HelpPage};
use crate::pages::{mentor::MentorPage, more::MorePage, new_tracker::NewTracker};
use crate::pages::{settings::SettingsPage, today::Today, tracker::TrackerPage};
use crate::state::{
    provide_data_version_context, provide_lock_context, provide_sync_context, provide_toast_context,
};
use crate::text;

#[component]
pub fn App() -> impl IntoView {
    provide_toast_context();
    let version = provide_data_version_context();
    provide_sync_context(version);
    let lock = provide_lock_context();
    view! {
        <Router>
            <IdleLock/>
            <header class="top">
                <A href="/" attr:class="brand">{text::APP}</A>
                <QuickLock/>
                <A href="/help" attr:class="button help" attr:data-test="get-help">{text::GET_HELP}</A>
            </header>
            <Locked lock=lock/>
        </Router>
    }
}

/// Everything under the header: the pages, or the lock screen while locked (help stays open;
/// leaving the lock screen drops what the pages held).
#[component]
fn Locked(lock: crate::state::LockCtx) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let open = move || !lock.locked() || location.pathname.get() == "/help";
    view! {
        <Show when=open fallback=|| view! { <main><LockScreen/></main> }>
            <Pages/>
        </Show>
    }
}

/// The notices, every route, the toast and the bottom navigation.
#[component]
fn Pages() -> impl IntoView {
    view! {
            <StoreNotice/>
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
                    <Route path=path!("/more") view=MorePage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/connect") view=ConnectPage/>
                    <Route path=path!("/sharing") view=SharingPage/>
                    <Route path=path!("/sharing/log") view=DisclosurePage/>
                    <Route path=path!("/recovery") view=RecoveryPage/>
                </Routes>
            </main>
            <ToastBar/>
            <BottomNav/>
    }
}
