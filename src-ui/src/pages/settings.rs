//! `/settings` — time zone, celebration and check-in reminders, quiet hours, discreet
//! notification text, the mentee's program (connect, sync status, disconnect) and the mentee's
//! data (export, import, delete everything).

use kindred_core::ipc::{CommandError, SettingsView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::use_data_version;
use crate::components::common::{text_input, ErrorNote};
use crate::components::data::YourData;
use crate::components::program::YourProgram;
use crate::{ipc, text};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let loaded = LocalResource::new(ipc::get_settings);
    view! {
        <h1>{text::SETTINGS}</h1>
        <Transition fallback=|| view! { <p class="muted">{text::LOADING}</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(s) => view! { <SettingsForm s=s/> }.into_any(),
                    Err(e) => view! { <ErrorNote err=Some(e)/> }.into_any(),
                }
            })}
        </Transition>
        <YourProgram/>
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
    let error = RwSignal::new(None::<CommandError>);
    let saved = RwSignal::new(false);
    let version = use_data_version();

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
        spawn_local(async move {
            match ipc::save_settings(req).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    saved.set(false);
                    error.set(Some(e));
                }
            }
        });
    };
    let input = |sig, kind, test: &str| text_input(sig, kind, test.to_owned());
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
            <label>{text::TIME_ZONE} {input(tz, "text", "tz")}</label>
            <label class="row">{check(reminders, "reminders")} {text::REMINDERS}</label>
            <label>{text::REMINDER_TIME} {input(time, "time", "reminder-time")}</label>
            <label class="row">{check(quiet, "quiet")} {text::QUIET}</label>
            <div class="row">
                <label>{text::QUIET_FROM} {input(from, "time", "quiet-from")}</label>
                <label>{text::QUIET_TO} {input(to, "time", "quiet-to")}</label>
            </div>
            <label class="row">{check(discreet, "discreet")} {text::DISCREET}</label>
            <label class="row">{check(checkin, "checkin-reminder")} {text::CHECK_IN_REMINDER}</label>
            <label>{text::CHECK_IN_TIME} {input(checkin_time, "time", "checkin-time")}</label>
            <ErrorNote err=error/>
            <Show when=move || saved.get()>
                <p class="muted" role="status">{text::SAVED}</p>
            </Show>
            <button type="submit" class="primary" data-test="save-settings">{text::SAVE}</button>
        </form>
    }
}
