//! Phone navigation: the bottom bar of five destinations (icon and label, the current one
//! marked), and the rest, which `pages::more` lists. Every link carries
//! `data-test="nav-<name>"`, in the bar or on the More page.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::text;

/// One destination: route, label, `data-test` name and its icon (SVG path data, 24×24).
pub struct Dest {
    pub href: &'static str,
    pub label: &'static str,
    pub test: &'static str,
    pub icon: &'static str,
}

/// The bar: the places a mentee goes most, in the order of a day.
static BAR: [Dest; 4] = [
    Dest { href: "/", label: text::TODAY, test: "nav-today", icon: ICON_SUN },
    Dest { href: "/check-in", label: text::CHECK_IN, test: "nav-check-in", icon: ICON_CHECK },
    Dest { href: "/plan", label: text::PLAN, test: "nav-plan", icon: ICON_MAP },
    Dest { href: "/mentor", label: text::MENTOR, test: "nav-mentor", icon: ICON_PERSON },
];

/// Under "More" (the `/more` page).
pub static MORE: [Dest; 4] = [
    Dest { href: "/cravings", label: text::CRAVINGS, test: "nav-cravings", icon: ICON_WAVE },
    Dest { href: "/insights", label: text::INSIGHTS, test: "nav-insights", icon: ICON_CHART },
    Dest { href: "/sharing", label: text::SHARING, test: "nav-sharing", icon: ICON_SHARE },
    Dest { href: "/settings", label: text::SETTINGS, test: "nav-settings", icon: ICON_GEAR },
];

const ICON_SUN: &str = "M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10zM12 1v3M12 20v3M4.2 4.2l2.1 2.1M17.7 \
     17.7l2.1 2.1M1 12h3M20 12h3M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1";
const ICON_CHECK: &str = "M4 4h16v16H4zM8 12l3 3 5-6";
const ICON_MAP: &str = "M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2zM9 4v14M15 6v14";
const ICON_PERSON: &str = "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0";
const ICON_MORE: &str = "M5 12h.01M12 12h.01M19 12h.01";
const ICON_WAVE: &str = "M2 14c3 0 3-6 6-6s3 8 6 8 3-6 6-6 2 2 2 2";
const ICON_CHART: &str = "M4 20V10M10 20V4M16 20v-7M22 20H2";
const ICON_SHARE: &str = "M8 12h8M12 8v8M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z";
const ICON_GEAR: &str = "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM12 2v3M12 19v3M2 12h3M19 12h3M5 \
     5l2 2M17 17l2 2M5 19l2-2M17 7l2-2";

/// A line icon (decorative: the label next to it says what it is).
pub fn icon(d: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=d/>
        </svg>
    }
}

/// Whether `path` is `href` or below it (`/` only matches itself).
fn under(path: &str, href: &str) -> bool {
    if href == "/" {
        return path == "/" || path.is_empty();
    }
    path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
}

/// The bottom bar.
#[component]
pub fn BottomNav() -> impl IntoView {
    let location = use_location();
    let path = move || location.pathname.get();
    let link = move |d: &'static Dest| {
        let current = move || under(&path(), d.href).then_some("page");
        view! {
            <a href=d.href data-test=d.test aria-current=current>
                {icon(d.icon)}
                <span>{d.label}</span>
            </a>
        }
    };
    let more_current = move || {
        let p = path();
        (p == "/more" || MORE.iter().any(|d| under(&p, d.href))).then_some("page")
    };
    view! {
        <nav class="bottom" aria-label=text::NAV_LABEL>
            {BAR.iter().map(link).collect_view()}
            <a href="/more" data-test="nav-more" aria-current=more_current>
                {icon(ICON_MORE)}
                <span>{text::MORE}</span>
            </a>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::under;

    #[test]
    fn a_destination_covers_its_sub_pages_only() {
        assert!(under("/", "/"));
        assert!(!under("/plan", "/"));
        assert!(under("/cravings/0190", "/cravings"));
        assert!(under("/sharing/log", "/sharing"));
        assert!(!under("/check-inx", "/check-in"));
    }
}
