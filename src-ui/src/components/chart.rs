//! Small SVG bar charts drawn by our own components (no JavaScript charting library). Each chart
//! is `role="img"` with a label, and the page shows its text equivalent next to it.

use leptos::prelude::*;

/// One bar: its label under the axis and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: u32,
}

const WIDTH: u32 = 320;
const HEIGHT: u32 = 120;
const AXIS: u32 = 16;

/// Vertical bars scaled to the largest value. `every` labels only every n-th bar.
#[component]
pub fn BarChart(bars: Vec<Bar>, label: String, every: usize, test: &'static str) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = u32::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = WIDTH / n;
    let bar_w = slot.saturating_sub(2).max(1);
    let plot = HEIGHT - AXIS;
    view! {
        <svg
            class="chart"
            role="img"
            aria-label=label
            data-test=test
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            preserveAspectRatio="none"
        >
            {bars
                .into_iter()
                .zip(0u32..)
                .map(|(b, i)| {
                    let h = b.value * plot / max;
                    let x = i * slot + 1;
                    let show = usize::try_from(i).unwrap_or(0) % every.max(1) == 0;
                    view! {
                        <g>
                            <rect
                                class="bar"
                                x=x
                                y=plot - h
                                width=bar_w
                                height=h
                            >
                                <title>{format!("{}: {}", b.label, b.value)}</title>
                            </rect>
                            {show.then(|| view! {
                                <text class="axis" x=x + bar_w / 2 y=HEIGHT - 3 text-anchor="middle">
                                    {b.label.clone()}
                                </text>
                            })}
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}
