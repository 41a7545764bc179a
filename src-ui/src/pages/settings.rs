//! `/settings` — time zone, celebration and check-in reminders, quiet hours, discreet
//! notification text, the mentee's program (connect, sync status, disconnect) and the mentee's
//! data (export, import, delete everything).

use kindred_core::ipc::SettingsView;
use leptos::prelude::*;

use crate::components::common::{ErrorNote, Loaded, Mutation, TextInput};
use crate::components::data::YourData;
use crate::components::lock::LockSettings;
use crate::components::program::YourProgram;
use crate::state::IpcResource;
use crate::{ipc, text};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let loaded = IpcResource::new(ipc::get_settings);
    view! {
        <h1>{text::SETTINGS}</h1>
        <Loaded res=loaded let:s>
            <SettingsForm s=s/>
        </Loaded>
        <YourProgram/>
        <LockSettings/>
        <YourData/>
    }
}

#[component]
fn SettingsForm(s: SettingsView) -> impl IntoView {
    let tz = RwSignal::new(s.tz);
    let reminders = RwSignal::new(s.milestone_reminders);
    let time = RwSignal::new(s.reminder_time);
    let quiet = RwSignal::new(s.quiet_hours);
    let from = RwSignal::new(s.quiet_from);
    let to = RwSignal::new(s.quiet_to);
    let discreet = RwSignal::new(s.discreet);
    let checkin = RwSignal::new(s.checkin_reminder);
    let checkin_time = RwSignal::new(s.checkin_time);
    let m = Mutation::new();
    let saved = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = SettingsView {
            tz: tz.get_untracked(),
            milestone_reminders: reminders.get_untracked(),
            reminder_time: time.get_untracked(),
            quiet_hours: quiet.get_untracked(),
            quiet_from: from.get_untracked(),
            quiet_to: to.get_untracked(),
            discreet: discreet.get_untracked(),
            checkin_reminder: checkin.get_untracked(),
            checkin_time: checkin_time.get_untracked(),
        };
        m.run_or(ipc::save_settings(req), move |()| saved.set(true), move || saved.set(false));
    };
    let check = |sig: RwSignal<bool>, test: &'static str| {
        view! {
            <input
                type="checkbox"
                data-test=test
                prop:checked=move || sig.get()
                on:change=move |ev| sig.set(event_target_checked(&ev))
            />
        }
    };
    view! {
        <form on:submit=submit data-test="settings-form">
            <label>{text::TIME_ZONE} <TextInput value=tz test="tz"/></label>
            <label class="row">{check(reminders, "reminders")} {text::REMINDERS}</label>
            <label>{text::REMINDER_TIME} <TextInput value=time kind="time" test="reminder-time"/></label>
            <label class="row">{check(quiet, "quiet")} {text::QUIET}</label>
            <div class="row">
                <label>{text::QUIET_FROM} <TextInput value=from kind="time" test="quiet-from"/></label>
                <label>{text::QUIET_TO} <TextInput value=to kind="time" test="quiet-to"/></label>
            </div>
            <label class="row">{check(discreet, "discreet")} {text::DISCREET}</label>
            <label class="row">{check(checkin, "checkin-reminder")} {text::CHECK_IN_REMINDER}</label>
            <label>{text::CHECK_IN_TIME} <TextInput value=checkin_time kind="time" test="checkin-time"/></label>
            <ErrorNote err=m.error/>
            <Show when=move || saved.get()>
                <p class="muted" role="status">{text::SAVED}</p>
            </Show>
            <button type="submit" class="primary" data-test="save-settings">{text::SAVE}</button>
        </form>
    }
}
