//! An empty Tauri 2 app: one window, a blank page, and the one command the
//! performance harness needs — the page says when it has loaded, exactly as
//! Letdown's UI says when its photo is painted (`scripts/bench-vs-baseline.sh`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::{Instant, SystemTime};

static RUN: std::sync::OnceLock<(Instant, SystemTime)> = std::sync::OnceLock::new();
static SETUP: std::sync::OnceLock<f64> = std::sync::OnceLock::new();

/// Milliseconds since `main` began, as Letdown's marks count from `run()`.
fn since_run() -> f64 {
    began().0.elapsed().as_secs_f64() * 1e3
}

fn began() -> &'static (Instant, SystemTime) {
    RUN.get_or_init(|| (Instant::now(), SystemTime::now()))
}

/// Printed when `LETDOWN_REPORT_READY` is set, as Letdown's `ui_ready` does,
/// after the same two lines of timings: `rust {…}` and `page {…}`.
#[tauri::command]
fn ready(mut marks: Option<std::collections::BTreeMap<String, f64>>) {
    if std::env::var_os("LETDOWN_REPORT_READY").is_some() {
        let ready = since_run();
        let setup = SETUP.get().copied().unwrap_or(f64::NAN);
        // The page's clock began at `origin` (ms since the epoch).
        let origin = marks.as_mut().and_then(|m| m.remove("origin"));
        let page = match (origin, began().1.duration_since(SystemTime::UNIX_EPOCH)) {
            (Some(origin), Ok(run)) => origin - run.as_secs_f64() * 1e3,
            _ => f64::NAN,
        };
        println!("rust {{\"run\":0,\"setup\":{setup},\"page\":{page},\"ready\":{ready}}}");
        if let Some(marks) = marks {
            // JSON by hand: the floor app has no JSON crate of its own.
            let fields: Vec<String> = marks.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
            println!("page {{{}}}", fields.join(","));
        }
        println!("ready");
    }
}

fn main() {
    since_run();
    tauri::Builder::default()
        .setup(|_| {
            let _ = SETUP.set(since_run());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the baseline app runs");
}
