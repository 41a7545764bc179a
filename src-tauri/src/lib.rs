//! Kindred's Tauri shell. Thin by rule: no SQL, no HTTP, no business logic. It opens the store,
//! registers the commands (adapters to `kindred-client`), creates the window with a navigation
//! guard, delivers reminders, and runs the sync engine in the background.
//!
//! [`run`] is the entry point on every platform (behind `mobile_entry_point` on Android and
//! iOS); [`build`] is generic over the runtime so tests can assemble the same app.

pub mod biometric;
pub mod commands;
pub mod error;
pub mod files;
pub mod keystore;
pub mod notify;
pub mod opener;
pub mod privacy;
pub mod state;
pub mod sync;

use tauri::{Builder, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Assembles the app: plugins, state, window and commands.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    biometric::plugin(builder)
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = state::data_dir(app)?;
            app.manage(state::AppState::open(dir));
            main_window(app.handle())?;
            notify::start(app.handle());
            sync::start(app.handle());
            Ok(())
        })
        .on_window_event(privacy::on_window_event)
        .invoke_handler(commands::handler())
}

/// Whether the webview may navigate to `url`: only the app's own pages (SECURITY.md TA-3).
pub fn is_app_url(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => true,
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

fn main_window<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    let builder = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .on_navigation(is_app_url);
    #[cfg(desktop)]
    let builder = builder.title("Kindred").inner_size(420.0, 860.0).min_inner_size(320.0, 480.0);
    let window = builder.build()?;
    privacy::protect(&window);
    Ok(())
}

/// Runs Kindred.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    if let Err(e) = build(tauri::Builder::default()).run(tauri::generate_context!()) {
        eprintln!("Kindred could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindred_core::ipc::NAMES;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    /// Every command in core's list reaches its Rust function from the main window: it is
    /// registered in the handler, granted by this platform's capability file (the real ACL,
    /// from `generate_context!`), and takes its one argument as `req` — so an empty body gets
    /// Tauri's "missing required key req", not "not found" or "not allowed".
    #[test]
    fn every_listed_command_is_registered_and_granted() {
        let dir = std::env::temp_dir().join(format!("kindred-ipc-test-{}", std::process::id()));
        let app = mock_builder()
            .manage(state::AppState::open(dir.clone()))
            .invoke_handler(commands::handler())
            .build(tauri::generate_context!(assets = noop_assets(), test = true))
            .unwrap();
        let webview =
            tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        let invoke = |cmd: &str| {
            let request = InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: if cfg!(any(windows, target_os = "android")) {
                    "http://tauri.localhost"
                } else {
                    "tauri://localhost"
                }
                .parse()
                .unwrap(),
                body: InvokeBody::Json(serde_json::json!({})),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            get_ipc_response(&webview, request).map(|_| ()).unwrap_err()
        };
        for name in NAMES {
            let expected = format!(
                "invalid args `req` for command `{name}`: command {name} missing required key req"
            );
            assert_eq!(invoke(name), serde_json::Value::from(expected), "command {name}");
        }
        // What a command missing from the handler or from the capability file answers instead.
        let unknown = invoke("no_such_command");
        assert!(unknown.to_string().contains("not found"), "{unknown}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn navigation_guard_allows_only_the_app() {
        let ok = |s: &str| is_app_url(&s.parse().unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/index.html"));
        assert!(!ok("https://example.com/"));
        assert!(!ok("file:///etc/hosts"));
        assert!(!ok("javascript:alert(1)"));
        assert!(!ok("http://tauri.localhost.evil.com/"));
    }
}
