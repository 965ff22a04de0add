//! Letdown a click away: the tray (menu bar on macOS) icon and its menu.
//! The first line says when the last session ended; then "Start session",
//! "Open Letdown", "Pause reminders today" and "Quit". With reminders on,
//! closing the window keeps Letdown here (`keeps_running`).
//!
//! On Linux the icon is an AppIndicator (StatusNotifierItem on D-Bus),
//! through libayatana-appindicator, which tray-icon loads at run time and
//! aborts without: it is checked for first, and without it there is no
//! tray and closing the window quits, as before. Linux shows no tooltip for
//! such an icon, so the menu's first line says it there.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::{AppState, REMINDER_SHOWN};

/// Asks the page to start a session with the chosen routine.
pub const TRAY_START: &str = "tray://start";
const ID: &str = "letdown";

/// The tray's first line, kept to be changed as sessions end.
struct Tray<R: Runtime> {
    status: MenuItem<R>,
}

/// Whether the system can show a tray icon at all.
fn available() -> bool {
    #[cfg(target_os = "linux")]
    {
        // The names libappindicator-sys tries, in its order.
        [
            "libayatana-appindicator3.so.1",
            "libappindicator3.so.1",
            "libayatana-appindicator3.so",
            "libappindicator3.so",
        ]
        .iter()
        .any(|name| unsafe { libloading::Library::new(name) }.is_ok())
    }
    #[cfg(not(target_os = "linux"))]
    true
}

/// "Last session ended at 14:05" (local time, never stale: nothing to count).
pub fn status_text(last_ended_ms: Option<i64>, now: chrono::DateTime<chrono::Local>) -> String {
    let Some(ended) = last_ended_ms.and_then(chrono::DateTime::from_timestamp_millis) else {
        return "No session yet".into();
    };
    let ended = ended.with_timezone(&chrono::Local);
    let days = (now.date_naive() - ended.date_naive()).num_days();
    let time = ended.format("%H:%M");
    match days {
        0 => format!("Last session ended at {time}"),
        1 => format!("Last session ended yesterday at {time}"),
        _ => format!("Last session ended {}", ended.format("%a %-d %b at %H:%M")),
    }
}

/// Builds the icon and its menu; `false` when this system has no tray.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<bool> {
    // The tests' mock runtime runs `setup` with no GTK to make a menu with.
    #[cfg(target_os = "linux")]
    if !gtk::is_initialized() {
        return Ok(false);
    }
    if !available() {
        eprintln!("Letdown: no tray on this system (libayatana-appindicator3 is missing)");
        return Ok(false);
    }
    let last = app
        .try_state::<AppState>()
        .and_then(|s| s.schedule_status().ok())
        .and_then(|s| s.last_ended_ms);
    let text = status_text(last, chrono::Local::now());
    let status = MenuItem::with_id(app, "status", &text, false, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, "start", "Start session", true, None::<&str>)?,
            &MenuItem::with_id(app, "open", "Open Letdown", true, None::<&str>)?,
            &MenuItem::with_id(app, "pause", "Pause reminders today", true, None::<&str>)?,
            &MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id(ID)
        .menu(&menu)
        .tooltip(&text)
        .on_menu_event(|app, event| act(app, event.id().as_ref()));
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(Tray { status });
    Ok(true)
}

/// Whether the tray icon was made.
pub fn is_shown<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<Tray<R>>().is_some()
}

/// Says when the last session ended, in the menu and the tooltip.
pub fn update<R: Runtime>(app: &AppHandle<R>, last_ended_ms: Option<i64>) {
    let Some(tray) = app.try_state::<Tray<R>>() else {
        return;
    };
    let text = status_text(last_ended_ms, chrono::Local::now());
    let _ = tray.status.set_text(&text);
    if let Some(icon) = app.tray_by_id(ID) {
        let _ = icon.set_tooltip(Some(&text));
    }
}

/// Whether closing the window keeps Letdown running: with a tray, and
/// reminders on. Otherwise closing means quitting, as it always did.
pub fn keeps_running<R: Runtime>(app: &AppHandle<R>) -> bool {
    is_shown(app)
        && app
            .try_state::<AppState>()
            .is_some_and(|s| s.prefs().schedule.kind != crate::schedule::Kind::Off)
}

fn act<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let show = || {
        if let Some(window) = app.get_webview_window("main") {
            crate::commands::bring_to_front(&window);
        }
    };
    match id {
        "start" => {
            show();
            let _ = app.emit(TRAY_START, ());
        }
        "open" => show(),
        "pause" => {
            if let Some(state) = app.try_state::<AppState>() {
                let _ = state.pause_reminders_today();
            }
            // The calm screen's line says so too.
            let _ = app.emit(REMINDER_SHOWN, ());
        }
        "quit" => app.exit(0),
        _ => {}
    }
}
