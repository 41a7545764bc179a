//! Kindred's UI entry point: mounts the Leptos app into the page.

mod app;
mod components;
mod ipc;
mod pages;
mod state;
mod text;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
