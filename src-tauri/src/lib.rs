//! Kindred's Tauri shell. Thin by rule: no SQL, no HTTP, no business logic. It opens the store,
//! registers the commands (adapters to `kindred-client`), creates the window with a navigation
//! guard, delivers reminders, and runs the sync engine in the background.
//!
//! [`run`] is the entry point on every platform (behind `mobile_entry_point` on Android and
//! iOS); [`build`] is generic over the runtime so tests can assemble the same app.

pub mod commands;
pub mod error;
pub mod files;
pub mod keystore;
pub mod notify;
pub mod opener;
pub mod state;
pub mod sync;

use tauri::{Builder, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Assembles the app: plugins, state, window and commands.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
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
        .invoke_handler(tauri::generate_handler![
            commands::trackers::today,
            commands::trackers::create_tracker,
            commands::trackers::rename_tracker,
            commands::trackers::set_ladder,
            commands::trackers::delete_tracker,
            commands::trackers::undo_delete_tracker,
            commands::trackers::tracker_detail,
            commands::trackers::reset_tracker,
            commands::trackers::ack_celebration,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::cravings::log_craving,
            commands::cravings::craving_detail,
            commands::cravings::save_craving,
            commands::cravings::delete_craving,
            commands::cravings::undo_delete_craving,
            commands::cravings::craving_log,
            commands::cravings::insights,
            commands::cravings::start_surf,
            commands::cravings::end_surf,
            commands::data::export_data,
            commands::data::import_data,
            commands::data::delete_all_data,
            commands::mentor::get_contacts,
            commands::mentor::save_contact,
            commands::mentor::contact_mentor,
            commands::mentor::open_help,
            commands::plan::check_in,
            commands::plan::check_ins,
            commands::plan::get_plan,
            commands::plan::add_plan_item,
            commands::plan::delete_plan_item,
            commands::plan::add_goal,
            commands::plan::set_goal_status,
            commands::plan::delete_goal,
            commands::program::sync_status,
            commands::program::connect_program,
            commands::program::disconnect_program,
            commands::program::sync_now,
            commands::program::program_help,
            commands::program::call_program_help,
        ])
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
    builder.build()?;
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
