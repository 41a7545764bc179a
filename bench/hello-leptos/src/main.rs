//! P4's baseline (PERF.md): the hello-world class of Leptos CSR app — a counter and a list —
//! built by `cargo xtask bench P4` with the same toolchain, profile, wasm-bindgen and wasm-opt
//! as the real UI, so the size ratio compares like with like.

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let (count, set_count) = signal(0u32);
    let rows = move || (1..=count.get()).map(|n| view! { <li>"Row " {n}</li> }).collect_view();
    view! {
        <main>
            <h1>"Hello"</h1>
            <button on:click=move |_| set_count.update(|n| *n += 1)>"Add a row (" {count} ")"</button>
            <ul>{rows}</ul>
        </main>
    }
}
