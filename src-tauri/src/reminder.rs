//! The reminder as the desktop shows it: a notification, discreet by default
//! ("Time for your break"). On Linux and the BSDs it is a freedesktop
//! notification with actions: clicking it brings Letdown to the front ready
//! to start, "In 15 minutes" and "In 30 minutes" snooze it. Elsewhere it goes
//! through the notification plugin, which has no actions on the desktop;
//! the calm screen offers the snooze there (docs/PACKAGING.md).

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::state::{AppState, REMINDER_OPENED};

/// The discreet wording: nothing on screen says what the break is for.
pub const DISCREET: &str = "Time for your break";

/// What the notification says: discreet, or (when the parent chose it) what
/// it is and when the last session ended.
pub fn text(detail: bool, last_ended_ms: Option<i64>, now_ms: i64) -> (String, String) {
    if !detail {
        return (DISCREET.into(), String::new());
    }
    let body = last_ended_ms.map_or_else(String::new, |ended| {
        let hours = (now_ms - ended).max(0) as f64 / 3_600_000.0;
        format!(
            "Your last session ended {} ago.",
            crate::charts::hours(hours)
        )
    });
    ("Time to pump".into(), body)
}

pub fn show<R: Runtime>(app: &AppHandle<R>, (summary, body): (String, String)) {
    #[cfg(all(unix, not(target_os = "macos")))]
    match with_actions(app, &summary, &body) {
        Ok(()) => return,
        Err(e) => eprintln!("Letdown: reminder without actions: {e}"),
    }
    let _ = app
        .notification()
        .builder()
        .title(summary)
        .body(body)
        .show();
}

#[cfg(all(unix, not(target_os = "macos")))]
fn with_actions<R: Runtime>(
    app: &AppHandle<R>,
    summary: &str,
    body: &str,
) -> std::result::Result<(), notify_rust::error::Error> {
    let handle = notify_rust::Notification::new()
        .appname("Letdown")
        .summary(summary)
        .body(body)
        .action("default", "Open Letdown")
        .action("snooze-15", "In 15 minutes")
        .action("snooze-30", "In 30 minutes")
        .urgency(notify_rust::Urgency::Low)
        .show()?;
    let app = app.clone();
    // Waits for the parent's answer (or the notification closing) on a
    // thread of its own: one per reminder, and reminders are hours apart.
    let _ = std::thread::Builder::new()
        .name("letdown-reminder".into())
        .spawn(move || handle.wait_for_action(|action| act(&app, action)));
    Ok(())
}

/// What the parent chose on a reminder.
pub fn act<R: Runtime>(app: &AppHandle<R>, action: &str) {
    let state = app.try_state::<AppState>();
    match action {
        "default" => {
            if let Some(window) = app.get_webview_window("main") {
                crate::commands::bring_to_front(&window);
            }
            let _ = app.emit(REMINDER_OPENED, ());
        }
        "snooze-15" => drop(state.map(|s| s.snooze(15))),
        "snooze-30" => drop(state.map(|s| s.snooze(30))),
        _ => {}
    }
}
