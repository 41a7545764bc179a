//! A phone-fit audit of the app window's current screen, run in the page through WebDriver:
//! horizontal overflow, interactive controls smaller than 44×44 px, and "Get help" outside the
//! viewport after scrolling to the bottom; plus in-app navigation by path and the text size.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::gui::App;

/// The audit, in the page. Returns one line per finding.
const AUDIT: &str = r#"
const out = [];
const vw = document.documentElement.clientWidth;
const desc = el => {
  const t = el.getAttribute('data-test');
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 24);
  return el.tagName.toLowerCase() + (t ? '[' + t + ']' : '') + (text ? ' "' + text + '"' : '');
};
const shown = el => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
};
if (document.documentElement.scrollWidth > vw + 1) {
  out.push('overflow: the page is ' + document.documentElement.scrollWidth + ' px wide in ' + vw);
}
let wide = 0;
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
  if (!shown(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.right > vw + 1 || r.left < -1) {
    // Report the outermost element that sticks out, not each of its children.
    const p = el.parentElement;
    const pr = p && p.getBoundingClientRect();
    if (!pr || (pr.right <= vw + 1 && pr.left >= -1)) {
      if (wide++ < 5) out.push('overflow: ' + desc(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
}
const controls = 'button, a, input, select, textarea, summary, [role=button], [tabindex]';
for (const el of document.querySelectorAll(controls)) {
  if (!shown(el) || el.closest('[aria-hidden=true]')) continue;
  const tag = el.tagName.toLowerCase();
  // A link inside a sentence is exempt (WCAG 2.5.8 "inline").
  if (tag === 'a' && getComputedStyle(el).display === 'inline' && el.closest('p, li') &&
      !el.closest('nav')) continue;
  let box = el;
  const kind = (el.getAttribute('type') || '').toLowerCase();
  if (tag === 'input' && (kind === 'checkbox' || kind === 'radio')) {
    box = el.closest('label');
    if (!box) { out.push('target: ' + desc(el) + ' has no label to tap'); continue; }
  }
  const r = box.getBoundingClientRect();
  if (r.width < 43.5 || r.height < 43.5) {
    out.push('target: ' + desc(box) + ' is ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
}
const help = document.querySelector('[data-test=get-help]');
window.scrollTo(0, document.documentElement.scrollHeight);
if (!help) {
  out.push('help: no Get help on this screen');
} else {
  const r = help.getBoundingClientRect();
  if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight + 1 || r.right > vw + 1) {
    out.push('help: Get help is outside the screen after scrolling down (' +
      Math.round(r.left) + ',' + Math.round(r.top) + ')');
  } else {
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !help.contains(hit)) out.push('help: Get help is covered by ' + (hit ? desc(hit) : 'nothing'));
  }
}
window.scrollTo(0, 0);
return out;
"#;

/// Findings on the current screen (see the module doc); empty when it fits.
pub async fn audit(app: &App) -> Vec<String> {
    let v = app.client.execute(AUDIT, vec![]).await.expect("run the layout audit");
    serde_json::from_value(v).expect("audit findings")
}

/// Goes to `path` inside the app (the router's own history navigation, no reload) and waits
/// until nothing on screen is still loading.
pub async fn go(app: &App, path: &str) {
    app.client
        .execute(
            "history.pushState(null, '', arguments[0]); \
             window.dispatchEvent(new PopStateEvent('popstate', { state: null }));",
            vec![json!(path)],
        )
        .await
        .expect("navigate");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let busy = app
            .client
            .execute(
                "return location.pathname !== arguments[0] || \
                 document.body.innerText.includes('Loading…');",
                vec![json!(path)],
            )
            .await
            .expect("check loading");
        if busy == json!(false) || Instant::now() > deadline {
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
}

/// Sets the page's text size to `percent` of the app's normal size (200 = the phone's
/// largest text setting that apps must honour).
pub async fn text_size(app: &App, percent: u32) {
    let css = if percent == 100 {
        String::new()
    } else {
        format!("{}%", 106.25 * percent as f64 / 100.0)
    };
    app.client
        .execute("document.documentElement.style.fontSize = arguments[0];", vec![json!(css)])
        .await
        .expect("set the text size");
}

/// Whether the page sees the OS's dark appearance.
pub async fn prefers_dark(app: &App) -> bool {
    let v = app
        .client
        .execute("return matchMedia('(prefers-color-scheme: dark)').matches;", vec![])
        .await
        .expect("ask for the colour scheme");
    v == json!(true)
}
