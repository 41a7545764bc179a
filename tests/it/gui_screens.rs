//! Every route of the real window, on a phone: at 390 and 320 px wide and at normal and 200%
//! text, nothing sticks out sideways, every control is at least 44×44 px and "Get help" is on
//! screen after scrolling to the bottom; at 390×844, axe-core finds nothing at WCAG 2.2 AA in
//! the light and the dark appearance (the OS's, through GTK); and a screenshot of every route
//! in both goes to the gallery (`artifacts/screenshots/gallery-*`).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Duration;
use kindred_client::clock::{system_tz, SystemClock};
use kindred_core::clock::Clock;
use kindred_tests::gui::App;
use kindred_tests::screens::{audit, go, prefers_dark, text_size};

/// Sizes the fit audit runs at: width and text size in percent.
const FITS: [(u32, u32); 4] = [(390, 100), (320, 100), (390, 200), (320, 200)];

/// A mentee with something on most screens, and some screens still empty on purpose (plan,
/// check-in, sharing) so their empty states are audited too.
async fn seed(dir: &Path) {
    let app = App::launch(dir, "[data-test=add-tracker]").await;
    app.click("[data-test=add-tracker]").await;
    app.type_into("[data-test=label]", "Me").await;
    let start = (SystemClock.now() - Duration::days(40)).with_timezone(&system_tz());
    app.set_value("[data-test=start]", &start.format("%Y-%m-%dT%H:%M").to_string()).await;
    app.click("[data-test=save]").await;
    app.wait("[data-test=tracker-card]").await;
    for i in [3, 8] {
        app.click("[data-test=log-craving]").await;
        app.click(&format!("[data-test=intensity-{i}]")).await;
        app.wait("[data-test=logged]").await;
    }
    dismiss_celebration(&app).await;
    app.nav("mentor").await;
    app.type_into("[data-test=primary-name-input]", "Sam").await;
    app.type_into("[data-test=primary-phone]", "(555) 123-4567").await;
    app.click("[data-test=primary-save]").await;
    app.wait("[data-test=primary-name]").await;
    app.quit().await;
    // A tracker started 40 days ago has milestones behind it: celebrate them now, so the
    // gallery shows Today itself.
    let app = App::launch(dir, "[data-test=tracker-card]").await;
    dismiss_celebration(&app).await;
    app.quit().await;
}

async fn dismiss_celebration(app: &App) {
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    while app.count("[data-test=celebration-ok]").await > 0 {
        app.click("[data-test=celebration-ok]").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// Every route, by name, with the ids of the seeded tracker and craving filled in.
async fn routes(app: &App) -> Vec<(String, String)> {
    let href = |css: &'static str| async move {
        app.wait(css).await.attr("href").await.expect("href").expect("a link")
    };
    go(app, "/").await;
    let tracker = href("[data-test=tracker-card] a[href^='/trackers/']").await;
    go(app, "/cravings").await;
    let craving = href("[data-test=craving-entry] a").await;
    let mut v: Vec<(String, String)> = [
        ("today", "/"),
        ("new-tracker", "/trackers/new"),
        ("cravings", "/cravings"),
        ("insights", "/insights"),
        ("check-in", "/check-in"),
        ("plan", "/plan"),
        ("mentor", "/mentor"),
        ("help", "/help"),
        ("settings", "/settings"),
        ("connect", "/connect"),
        ("sharing", "/sharing"),
        ("sharing-log", "/sharing/log"),
        ("more", "/more"),
    ]
    .into_iter()
    .map(|(n, p)| (n.to_string(), p.to_string()))
    .collect();
    v.push(("tracker".into(), tracker.clone()));
    v.push(("reset".into(), format!("{tracker}/reset")));
    v.push(("craving".into(), craving));
    v
}

/// Words on Today or in the window title that would tell someone glancing at the phone what
/// the app is for (PRODUCT.md 5).
async fn glance_words(app: &App) -> Vec<String> {
    let v = app
        .client
        .execute("return document.title + '\\n' + document.body.innerText;", vec![])
        .await
        .expect("read Today's words");
    let words = v.as_str().unwrap_or_default().to_lowercase();
    ["craving", "sober", "recovery", "relapse", "addiction"]
        .into_iter()
        .filter(|w| words.contains(w))
        .map(|w| format!("words: Today says \"{w}\""))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gui_every_route_fits_a_phone_and_passes_axe_in_light_and_dark() {
    let data = tempfile::tempdir().unwrap();
    seed(data.path()).await;
    // route → findings, so the whole table is printed before anything fails.
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for theme in ["light", "dark"] {
        let gtk = Path::new(if theme == "dark" { "Adwaita:dark" } else { "Adwaita" });
        let app =
            App::launch_with(data.path(), "[data-test=tracker-card]", &[("GTK_THEME", gtk)]).await;
        assert_eq!(
            prefers_dark(&app).await,
            theme == "dark",
            "the page sees the {theme} appearance"
        );
        for (name, path) in routes(&app).await {
            app.client.set_window_size(390, 844).await.expect("resize");
            go(&app, &path).await;
            app.screenshot(&format!("gallery-{theme}-{name}.png"), 390, 844).await;
            let entry = found.entry(name.clone()).or_default();
            if name == "today" {
                entry.extend(glance_words(&app).await);
            }
            if name == "tracker" && theme == "light" {
                // 40 days with no lapse: every number agrees with the streak (stats.rs).
                let v = app
                    .client
                    .execute(
                        "return [...document.querySelectorAll('[data-test=numbers] dd')]
                                .map(d => d.innerText).join(' ');",
                        vec![],
                    )
                    .await
                    .expect("read the numbers");
                assert_eq!(
                    v.as_str(),
                    Some("40 40 40 30 40 40"),
                    "current, longest, total, 30, 90, 365"
                );
            }
            entry.extend(app.axe().await.into_iter().map(|v| format!("axe {theme}: {v}")));
            if theme == "dark" {
                continue;
            }
            for (w, text) in FITS {
                app.client.set_window_size(w, 844).await.expect("resize");
                text_size(&app, text).await;
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                entry.extend(audit(&app).await.into_iter().map(|f| format!("{w}px {text}%: {f}")));
            }
            text_size(&app, 100).await;
        }
        app.quit().await;
    }
    let mut table = String::from("route: axe / targets / overflow / help / words\n");
    for (route, f) in &found {
        let n = |p: &str| f.iter().filter(|l| l.contains(p)).count();
        let words = f.iter().filter(|l| l.starts_with("words:")).count();
        let axe = f.iter().filter(|l| l.starts_with("axe")).count();
        let (t, o, h) = (n(": target:"), n(": overflow:"), n(": help:"));
        table += &format!("{route}: {axe} / {t} / {o} / {h} / {words}\n");
    }
    eprintln!("{table}");
    let all: Vec<String> =
        found.iter().flat_map(|(r, f)| f.iter().map(move |l| format!("{r}: {l}"))).collect();
    assert!(all.is_empty(), "{table}\n{}", all.join("\n"));
}
