//! Tauri build step: embeds the config and generates one permission per app command, so the
//! capability files can name exactly the commands the UI may call.

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "today",
            "create_tracker",
            "rename_tracker",
            "set_ladder",
            "delete_tracker",
            "undo_delete_tracker",
            "tracker_detail",
            "reset_tracker",
            "ack_celebration",
            "get_settings",
            "save_settings",
            "log_craving",
            "craving_detail",
            "save_craving",
            "delete_craving",
            "undo_delete_craving",
            "craving_log",
            "get_contacts",
            "save_contact",
            "contact_mentor",
            "open_help",
            "check_in",
            "check_ins",
            "get_plan",
            "add_plan_item",
            "delete_plan_item",
            "add_goal",
            "set_goal_status",
            "delete_goal",
            "insights",
            "start_surf",
            "end_surf",
            "export_data",
            "import_data",
            "delete_all_data",
        ]),
    ))
    .expect("failed to run the tauri build step");
}
