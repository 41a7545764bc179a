//! `/more` — the destinations that are not in the bottom bar, as large rows.

use leptos::prelude::*;

use crate::components::nav::{icon, MORE};
use crate::text;

#[component]
pub fn MorePage() -> impl IntoView {
    view! {
        <h1>{text::MORE}</h1>
        <ul class="cards more-list">
            {MORE
                .iter()
                .map(|d| {
                    view! {
                        <li class="card">
                            <a href=d.href data-test=d.test class="card-link">
                                {icon(d.icon)}
                                <span>{d.label}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
