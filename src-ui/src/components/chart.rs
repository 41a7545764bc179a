//! Small SVG bar charts drawn by our own components (no JavaScript charting library). Each chart
//! is `role="img"` with a label, and the page shows its text equivalent next to it. The bars are
//! SVG, stretched to the width; the axis labels and the scale are HTML text under and over it,
//! so they keep their size (at least 12 px) and grow with the phone's text size.

use leptos::prelude::*;

/// One bar: its label under the axis and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: u32,
}

const WIDTH: u32 = 320;
const HEIGHT: u32 = 100;

/// Vertical bars scaled to the largest value. `every` labels only every n-th bar; `scale` says
/// in words what the tallest bar means ("Tallest: 4 cravings").
#[component]
pub fn BarChart(
    bars: Vec<Bar>,
    label: String,
    every: usize,
    scale: String,
    test: &'static str,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = u32::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = WIDTH / n;
    let bar_w = slot.saturating_sub(2).max(1);
    let axis = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let shown = if i % every.max(1) == 0 { b.label.clone() } else { String::new() };
            view! { <span>{shown}</span> }
        })
        .collect_view();
    view! {
        <p class="chart-scale">{scale}</p>
        <svg
            class="chart"
            role="img"
            aria-label=label
            data-test=test
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            preserveAspectRatio="none"
        >
            <line class="baseline" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT/>
            {bars
                .into_iter()
                .zip(0u32..)
                .map(|(b, i)| {
                    let h = b.value * HEIGHT / max;
                    view! {
                        <rect class="bar" x=i * slot + 1 y=HEIGHT - h width=bar_w height=h>
                            <title>{format!("{}: {}", b.label, b.value)}</title>
                        </rect>
                    }
                })
                .collect_view()}
        </svg>
        <div class="chart-axis" aria-hidden="true">{axis}</div>
    }
}
