//! Urge surfing: a guided 15-minute wave on a craving. Start and end are stored as times, so
//! the timer is right after the app was backgrounded or closed; the end asks for the intensity.

use kindred_core::ipc::CravingView;
use leptos::prelude::*;

use super::common::{ErrorNote, Mutation};
use crate::{ipc, text};

/// Length of the guided wave.
const WAVE_MS: i64 = 15 * 60 * 1000;

fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A wave drawn in SVG with a marker at the current point.
fn wave(progress: f64) -> impl IntoView {
    let x = (progress.clamp(0.0, 1.0) * 300.0) as i64 + 10;
    let y = 60.0 - 45.0 * (progress.clamp(0.0, 1.0) * std::f64::consts::PI).sin();
    view! {
        <svg class="wave" viewBox="0 0 320 70" role="img" aria-label=text::SURF_WAVE_LABEL>
            <path class="wave-line" d="M10 60 C 80 60, 110 15, 160 15 S 240 60, 310 60"/>
            <circle class="wave-dot" cx=x cy=y as i64 r="7"/>
        </svg>
    }
}

#[component]
pub fn Surf(c: CravingView) -> impl IntoView {
    let m = Mutation::local();
    let id = StoredValue::new(c.id.to_string());
    // Align the browser clock to the device clock that stamps the times.
    let offset = c.now_ms - js_sys::Date::now() as i64;
    let device_now = move || js_sys::Date::now() as i64 + offset;
    let now = RwSignal::new(c.now_ms);
    let started = RwSignal::new(c.surf_started_ms);
    let ended = RwSignal::new(c.surf_ended_ms);
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(device_now()), std::time::Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let start = move |_| {
        m.run(ipc::start_surf(id.get_value()), move |()| {
            now.set(device_now());
            started.set(Some(device_now()));
        });
    };
    let end = move |i: i64| {
        m.run(ipc::end_surf(id.get_value(), i), move |()| ended.set(Some(device_now())))
    };
    let body = move || {
        match (started.get(), ended.get()) {
        (None, _) => view! {
            <p class="muted">{text::SURF_INTRO}</p>
            <button class="primary" data-test="surf-start" on:click=start>{text::SURF_START}</button>
        }
        .into_any(),
        (Some(s), Some(e)) => view! {
            <p data-test="surf-done">{text::surf_done(&clock(e - s))}</p>
        }
        .into_any(),
        (Some(s), None) => view! {
            <p class="big" data-test="surf-clock">{move || clock(now.get() - s)}</p>
            {move || wave((now.get() - s) as f64 / WAVE_MS as f64)}
            <p data-test="surf-guidance">{move || text::surf_guidance(now.get() - s)}</p>
            <p>{text::SURF_END_ASK}</p>
            <div class="intensity" role="group" aria-label=text::END_INTENSITY>
                {(0..=10i64)
                    .map(|i| view! {
                        <button data-test=format!("surf-end-{i}") on:click=move |_| end(i)>{i}</button>
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card pad" data-test="surf">
            <h2>{text::SURF}</h2>
            {body}
            <ErrorNote err=m.error/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_minutes_and_seconds() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(61_500), "1:01");
        assert_eq!(clock(-5), "0:00");
    }
}
