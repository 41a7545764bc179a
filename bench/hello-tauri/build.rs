//! Tauri build step: embeds the config and the two static files in `dist/`.

fn main() {
    tauri_build::build();
}
