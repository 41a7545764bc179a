//! P4's baseline (PERF.md): the hello-world class of Leptos CSR app — a counter and a keyed
//! list with an input to add to it — built by `cargo xtask bench P4` with the same toolchain,
//! profile, wasm-bindgen and wasm-opt as the real UI, so the size ratio compares like with like.

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let (count, set_count) = signal(0u32);
    let (items, set_items) = signal(Vec::<(u32, String)>::new());
    let (draft, set_draft) = signal(String::new());
    let add = move |_| {
        let text = draft.get_untracked();
        if !text.trim().is_empty() {
            let id = count.get_untracked();
            set_items.update(|v| v.push((id, text)));
            set_count.set(id + 1);
            set_draft.set(String::new());
        }
    };
    view! {
        <main>
            <h1>"Hello"</h1>
            <p>"Added so far: " {count}</p>
            <input prop:value=draft on:input=move |ev| set_draft.set(event_target_value(&ev))/>
            <button on:click=add>"Add"</button>
            <ul>
                <For each=move || items.get() key=|(id, _)| *id let((id, text))>
                    <li>
                        {text}
                        <button on:click=move |_| {
                            set_items.update(|v| v.retain(|(i, _)| *i != id))
                        }>"Remove"</button>
                    </li>
                </For>
            </ul>
        </main>
    }
}
