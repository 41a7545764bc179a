//! Desktop entry point: checks for a display, then runs the shared [`kindred_app_lib::run`].

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "Kindred needs a display and none was found (DISPLAY and WAYLAND_DISPLAY are unset); \
             on a machine without one, run it under Xvfb: xvfb-run -a cargo xtask run"
        );
        std::process::exit(2);
    }
    kindred_app_lib::run();
}
