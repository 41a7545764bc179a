//! Kindred's UI entry point: mounts the Leptos app into the page.

mod app;
mod components;
mod ipc;
mod pages;
mod state;
mod text;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
