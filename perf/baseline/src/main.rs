//! An empty Tauri 2 app: one window, a blank page, and the one command the
//! performance harness needs — the page says when it has loaded, exactly as
//! Letdown's UI says when its photo is painted (`scripts/bench-vs-baseline.sh`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Printed when `LETDOWN_REPORT_READY` is set, as Letdown's `ui_ready` does.
#[tauri::command]
fn ready() {
    if std::env::var_os("LETDOWN_REPORT_READY").is_some() {
        println!("ready");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the baseline app runs");
}
