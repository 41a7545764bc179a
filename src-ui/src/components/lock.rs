//! The app lock's screens: the lock screen (PIN, calm wait after wrong tries; "Get help" stays
//! in the header; a biometric button where the device offers one), the quick-lock button in the
//! header, the auto-lock timer, and the "App lock" section of the settings page (turn on with a
//! PIN, auto-lock time, biometric unlock on or off, turn off).

use kindred_core::ipc::AUTO_LOCK_CHOICES;
use leptos::prelude::*;

use super::common::{ErrorNote, Mutation, TextInput};
use crate::state::{use_data_version, use_lock};
use crate::{ipc, text};

/// Shown instead of every page while locked.
#[component]
pub fn LockScreen() -> impl IntoView {
    let lock = use_lock();
    let version = use_data_version();
    let pin = RwSignal::new(String::new());
    let note = RwSignal::new(None::<String>);
    let m = Mutation::local();
    let answered = move |a: kindred_core::ipc::UnlockAnswer| {
        if a.unlocked {
            note.set(None);
            lock.status.update(|s| {
                if let Some(s) = s {
                    s.locked = false;
                }
            });
            version.bump();
        } else {
            note.set(Some(a.message));
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = pin.get_untracked();
        pin.set(String::new());
        m.run_or(ipc::unlock(p), answered, || ());
    };
    // Biometrics, when on and offered: a button (the OS prompt opens only when asked).
    let biometric = move || {
        lock.status.get().filter(|s| s.biometric_on).and_then(|s| s.biometric).map(|what| {
            view! {
                <button class="button" data-test="unlock-biometric"
                    on:click=move |_| m.run_or(ipc::unlock_biometric(), answered, || ())>
                    {text::unlock_with(&what)}
                </button>
            }
        })
    };
    view! {
        <section class="card pad lock-screen" data-test="lock-screen">
            <h1>{text::LOCKED_TITLE}</h1>
            <p>{text::LOCKED_INTRO}</p>
            <form on:submit=submit>
                <label class="field">
                    {text::PIN}
                    <TextInput value=pin test="unlock-pin" kind="password" inputmode="numeric"/>
                </label>
                <button type="submit" class="primary" data-test="unlock">{text::UNLOCK}</button>
            </form>
            {biometric}
            {move || note.get().map(|n| view! { <p role="status" data-test="unlock-note">{n}</p> })}
            <ErrorNote err=m.error/>
        </section>
    }
}

/// The header's quick-lock button (only with a PIN set, and not while locked).
#[component]
pub fn QuickLock() -> impl IntoView {
    let lock = use_lock();
    let m = Mutation::local();
    let shown = move || lock.status.get().is_some_and(|s| s.enabled && !s.locked);
    view! {
        <Show when=shown>
            <button class="button quick-lock" data-test="quick-lock"
                on:click=move |_| m.run_or(ipc::lock_now(), move |s| lock.set(s), || ())>
                {text::LOCK_NOW}
            </button>
        </Show>
    }
}

/// Locks after the chosen idle time: any tap or key resets the clock.
#[component]
pub fn IdleLock() -> impl IntoView {
    let lock = use_lock();
    let idle_since = StoredValue::new(js_sys::Date::now());
    let touch = move || idle_since.set_value(js_sys::Date::now());
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| touch());
    let _ = window_event_listener(leptos::ev::keydown, move |_| touch());
    let check = move || {
        let Some(s) = lock.status.get_untracked() else { return };
        if !s.enabled || s.locked {
            return;
        }
        let idle_ms = js_sys::Date::now() - idle_since.get_value();
        if idle_ms >= f64::from(s.auto_lock_minutes) * 60_000.0 {
            leptos::task::spawn_local(async move {
                if let Ok(s) = ipc::lock_now().await {
                    lock.set(s);
                }
            });
        }
    };
    // Coming back to the app (timers may have slept meanwhile) checks at once.
    let _ = window_event_listener(leptos::ev::focus, move |_| check());
    let _ = window_event_listener(leptos::ev::pageshow, move |_| check());
    let _ = set_interval_with_handle(check, std::time::Duration::from_secs(10));
}

/// "App lock" on the settings page.
#[component]
pub fn LockSettings() -> impl IntoView {
    let lock = use_lock();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let mismatch = RwSignal::new(false);
    let m = Mutation::local();
    let turn_on = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pin.get_untracked() != again.get_untracked() {
            mismatch.set(true);
            return;
        }
        mismatch.set(false);
        let p = pin.get_untracked();
        pin.set(String::new());
        again.set(String::new());
        m.run_or(ipc::set_pin(p), move |s| lock.set(s), || ());
    };
    view! {
        <section class="card pad" data-test="app-lock">
            <h2>{text::APP_LOCK}</h2>
            <p class="muted">{text::APP_LOCK_INTRO}</p>
            {move || match lock.status.get() {
                Some(s) if s.enabled => view! {
                    <p data-test="lock-on">{text::APP_LOCK_ON}</p>
                    <p>{text::AUTO_LOCK}</p>
                    <div class="choices">
                        {AUTO_LOCK_CHOICES.iter().map(|&min| {
                            let on = s.auto_lock_minutes == min;
                            view! {
                                <button class:selected=on aria-pressed=on.to_string()
                                    data-test=format!("auto-lock-{min}")
                                    on:click=move |_| m.run_or(ipc::set_auto_lock(min), move |s| lock.set(s), || ())>
                                    {text::minutes(min)}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                    {s.biometric.clone().map(|what| {
                        let on = s.biometric_on;
                        view! {
                            <button aria-pressed=on.to_string() data-test="biometric-toggle"
                                on:click=move |_| m.run_or(ipc::set_biometric(!on), move |s| lock.set(s), || ())>
                                {text::unlock_with(&what)}
                            </button>
                        }
                    })}
                    <button data-test="lock-off"
                        on:click=move |_| m.run_or(ipc::remove_pin(), move |s| lock.set(s), || ())>
                        {text::APP_LOCK_OFF}
                    </button>
                }.into_any(),
                _ => view! {
                    <form on:submit=turn_on>
                        <label class="field">
                            {text::NEW_PIN}
                            <TextInput value=pin test="new-pin" kind="password" inputmode="numeric"/>
                        </label>
                        <label class="field">
                            {text::NEW_PIN_AGAIN}
                            <TextInput value=again test="new-pin-again" kind="password" inputmode="numeric"/>
                        </label>
                        <button type="submit" class="primary" data-test="lock-on-save">{text::APP_LOCK_TURN_ON}</button>
                    </form>
                    {move || mismatch.get().then(|| view! {
                        <p class="error" role="alert" data-test="pin-mismatch">{text::PIN_MISMATCH}</p>
                    })}
                }.into_any(),
            }}
            <ErrorNote err=m.error/>
        </section>
    }
}
