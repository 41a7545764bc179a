//! `/insights` — the mentee's own patterns, computed on the device: cravings by hour and by
//! weekday, top triggers, the weekly intensity trend, urges ridden out, and a personal coping
//! menu ranked by what most often led to riding it out. Every chart has a text equivalent.

use chrono::Datelike;
use kindred_core::insights::{
    describe_hours, describe_ridden_out, describe_triggers, describe_weekdays, describe_weekly,
    Insights,
};
use leptos::prelude::*;

use crate::components::chart::{Bar, BarChart};
use crate::components::common::Loaded;
use crate::state::data_resource;
use crate::{ipc, text};

#[component]
pub fn InsightsPage() -> impl IntoView {
    let data = data_resource(ipc::insights);
    view! {
        <h1>{text::INSIGHTS}</h1>
        <Loaded res=data let:i>
            <Body i=i/>
        </Loaded>
    }
}

#[component]
fn Figure(title: &'static str, caption: String, children: Children) -> impl IntoView {
    view! {
        <figure class="card pad">
            <h2>{title}</h2>
            {children()}
            <figcaption class="muted">{caption}</figcaption>
        </figure>
    }
}

#[component]
fn Body(i: Insights) -> impl IntoView {
    let hours: Vec<Bar> =
        (0..24).zip(i.by_hour).map(|(h, v)| Bar { label: format!("{h}"), value: v }).collect();
    let days: Vec<Bar> = text::WEEKDAYS
        .iter()
        .zip(i.by_weekday)
        .map(|(d, v)| Bar { label: (*d).into(), value: v })
        .collect();
    let weekly: Vec<Bar> = i
        .weekly
        .iter()
        .map(|w| Bar {
            // Plain day/month: chrono's strftime machinery costs wasm size (PERF.md P4).
            label: format!("{}/{}", w.week_start.day(), w.week_start.month()),
            value: w.mean_intensity_x10.unwrap_or(0),
        })
        .collect();
    let max_hour = i.by_hour.iter().copied().max().unwrap_or(0);
    let max_day = i.by_weekday.iter().copied().max().unwrap_or(0);
    let max_week = i.weekly.iter().filter_map(|w| w.mean_intensity_x10).max().unwrap_or(0);
    let by_count = |n: u32| text::tallest_count(i64::from(n));
    let (h, d, t, w, r) = (
        describe_hours(&i),
        describe_weekdays(&i),
        describe_triggers(&i),
        describe_weekly(&i),
        describe_ridden_out(&i),
    );
    view! {
        <p class="big" data-test="insights-total">{i.total}</p>
        <p class="muted">{text::cravings_logged(i64::from(i.total))}</p>
        <Figure title=text::RIDDEN_OUT caption=r.clone()>
            <p class="big" data-test="ridden-out">{i.ridden_out}</p>
        </Figure>
        <Figure title=text::BY_HOUR caption=h.clone()>
            <BarChart bars=hours label=h every=6 scale=by_count(max_hour) test="chart-hours"/>
        </Figure>
        <Figure title=text::BY_WEEKDAY caption=d.clone()>
            <BarChart bars=days label=d every=1 scale=by_count(max_day) test="chart-weekdays"/>
        </Figure>
        <Figure title=text::TOP_TRIGGERS caption=t>
            <ul class="meter-list">
                {i.top_triggers
                    .iter()
                    .map(|c| view! { <li>{c.trigger.label()} " · " {c.count}</li> })
                    .collect_view()}
            </ul>
        </Figure>
        <Figure title=text::WEEKLY caption=w.clone()>
            <BarChart bars=weekly label=w every=3 scale=text::tallest_intensity(max_week) test="chart-weekly"/>
        </Figure>
        <Figure title=text::COPING_MENU caption=text::COPING_MENU_HINT.to_owned()>
            <ol data-test="coping-menu">
                {i.coping_menu
                    .into_iter()
                    .map(|c| view! {
                        <li>{c.coping} <span class="muted">{text::rode_it_out(c.rode_out, c.used)}</span></li>
                    })
                    .collect_view()}
            </ol>
        </Figure>
    }
}
