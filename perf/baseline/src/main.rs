//! An empty Tauri 2 app: one window, a blank page, and the one command the
//! performance harness needs — the page says when it has loaded, exactly as
//! Letdown's UI says when its photo is painted (`scripts/bench-vs-baseline.sh`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Printed when `LETDOWN_REPORT_READY` is set, as Letdown's `ui_ready` does,
/// after the page's own timings.
#[tauri::command]
fn ready(marks: Option<std::collections::BTreeMap<String, f64>>) {
    if std::env::var_os("LETDOWN_REPORT_READY").is_some() {
        if let Some(marks) = marks {
            // JSON by hand: the floor app has no JSON crate of its own.
            let fields: Vec<String> = marks.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
            println!("page {{{}}}", fields.join(","));
        }
        println!("ready");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the baseline app runs");
}
