//! P3's baseline (PERF.md): a hello-world Tauri v2 window whose page invokes `ready` on
//! `DOMContentLoaded`; `ready` ends the process. `cargo xtask bench P3` times spawn → exit of
//! this and of the real app (which ends the same way once Today has painted with its data).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// The page has loaded: exit, as the benchmark's end mark.
#[tauri::command]
fn ready() {
    std::process::exit(0);
}

fn main() {
    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(
                app,
                "main",
                tauri::WebviewUrl::App("index.html".into()),
            )
            .title("Hello")
            .inner_size(420.0, 860.0)
            .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("hello-tauri could not start: {e}");
        std::process::exit(1);
    }
}
