//! Tauri build step: embeds the config and generates one `allow-<name>` permission per app
//! command, for every name in core's one command list (`kindred_core::ipc::NAMES`), so the
//! capability files can name exactly the commands the UI may call. Before that it checks each
//! capability file against the list and fails the build, naming the permission, when one grants
//! too few or too many of our commands.

use std::collections::BTreeSet;
use std::path::Path;

use kindred_core::ipc::NAMES;

fn main() {
    println!("cargo:rerun-if-changed=capabilities");
    let problems = check_capabilities(Path::new("capabilities"));
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {p}");
        }
        eprintln!(
            "error: the capability files must grant `allow-<name>` for exactly the commands in \
             kindred_core::ipc's command list ({} commands)",
            NAMES.len()
        );
        std::process::exit(1);
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(NAMES)),
    )
    .expect("failed to run the tauri build step");
}

/// Tauri's permission for an app command: `allow-` and the name in kebab-case.
fn permission(name: &str) -> String {
    format!("allow-{}", name.replace('_', "-"))
}

/// Every problem with the capability files in `dir`, as a sentence naming file and permission.
fn check_capabilities(dir: &Path) -> Vec<String> {
    let expected: BTreeSet<String> = NAMES.iter().map(|n| permission(n)).collect();
    let mut problems = Vec::new();
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => return vec![format!("cannot read {}: {e}", dir.display())],
    };
    files.retain(|p| p.extension().is_some_and(|x| x == "json"));
    files.sort();
    if files.is_empty() {
        problems.push(format!("no capability files in {}", dir.display()));
    }
    for path in files {
        let file = path.display();
        let json: serde_json::Value = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        let permissions = json.get("permissions").and_then(|p| p.as_array());
        // A permission is a string or an object with an `identifier`; plugin and core
        // permissions carry a `prefix:`, the app's own do not.
        let granted: BTreeSet<String> = permissions
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().or_else(|| p.get("identifier")?.as_str()))
            .filter(|p| !p.contains(':'))
            .map(str::to_owned)
            .collect();
        for missing in expected.difference(&granted) {
            problems.push(format!("{file} lacks \"{missing}\" (a command in the list)"));
        }
        for extra in granted.difference(&expected) {
            problems.push(format!("{file} grants \"{extra}\", which is no command in the list"));
        }
    }
    problems
}
