// Declares the app's own commands to Tauri's ACL so each one needs an explicit
// `allow-…` permission in capabilities/; nothing is reachable by default.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(letdown_commands())),
    )
    .expect("failed to run tauri-build");
}

/// The IPC surface. Keep in step with `generate_handler!` in src/lib.rs.
fn letdown_commands() -> &'static [&'static str] {
    &[
        "app_info",
        "startup",
        "ui_ready",
        "show_window",
        "get_state",
        "reopen_diary",
        "save_routine",
        "start_session",
        "session_intent",
        "finish_session",
        "discard_session",
        "undo_discard",
        "list_photos",
        "import_photo",
        "set_active_photo",
        "set_photo_focus",
        "stage_video",
        "add_video",
        "discard_video",
        "get_sound",
        "set_sound",
        "retry_sound",
        "preview_sound",
        "import_clip",
        "use_video_sound",
        "get_prefs",
        "set_prefs",
        "keep_draft",
        "get_draft",
        "set_discreet",
        "list_backups",
        "restore_backup",
        "remove_photo",
        "diary_page",
        "diary_tags",
        "session_detail",
        "edit_session",
        "delete_session",
        "undelete_session",
        "diary_charts",
        "diary_report",
        "diary_insights",
        "schedule_status",
        "snooze_reminder",
        "pause_reminders_today",
        "export_diary",
        "print_report",
    ]
}
