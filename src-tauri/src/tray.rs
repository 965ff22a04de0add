//! Letdown a click away: the tray (menu bar on macOS) icon and its menu.
//! The first line says how long since the last session; then "Start session",
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

const MINUTE_MS: i64 = 60_000;
const TEN_MINUTES_MS: i64 = 10 * MINUTE_MS;
/// Up to here the time since is counted; beyond, when it ended is said.
const COUNTED_MS: i64 = 12 * 60 * MINUTE_MS;

/// The time since the last session: "Last session 25 min ago", "Last
/// session 2 h 40 min ago" (in 10-minute steps after the first hour), and
/// after 12 hours when it ended ("Last session ended yesterday at 14:05").
pub fn status_text<Tz: chrono::TimeZone>(
    last_ended_ms: Option<i64>,
    now: chrono::DateTime<Tz>,
) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let Some(ended) = last_ended_ms.and_then(chrono::DateTime::from_timestamp_millis) else {
        return "No session yet".into();
    };
    // A clock set back puts the session in the future: it was just now.
    let since = (now.timestamp_millis() - ended.timestamp_millis()).max(0);
    let (hours, minutes) = (
        since / (60 * MINUTE_MS),
        since % (60 * MINUTE_MS) / MINUTE_MS,
    );
    match since {
        s if s < MINUTE_MS => "Last session just now".into(),
        s if s < 60 * MINUTE_MS => format!("Last session {minutes} min ago"),
        s if s < COUNTED_MS => match minutes / 10 * 10 {
            0 => format!("Last session {hours} h ago"),
            m => format!("Last session {hours} h {m} min ago"),
        },
        _ => {
            let ended = ended.with_timezone(&now.timezone());
            let time = ended.format("%H:%M");
            match (now.date_naive() - ended.date_naive()).num_days() {
                0 => format!("Last session ended at {time}"),
                1 => format!("Last session ended yesterday at {time}"),
                _ => format!("Last session ended {}", ended.format("%a %-d %b at %H:%M")),
            }
        }
    }
}

/// How long until `status_text` says something else: the timer thread sleeps
/// until then, as it does for a session's deadlines. None with no session.
pub fn next_change<Tz: chrono::TimeZone>(
    last_ended_ms: Option<i64>,
    now: chrono::DateTime<Tz>,
) -> Option<std::time::Duration> {
    let since = (now.timestamp_millis() - last_ended_ms?).max(0);
    let next = match since {
        s if s < 60 * MINUTE_MS => (s / MINUTE_MS + 1) * MINUTE_MS,
        s if s < COUNTED_MS => (s / TEN_MINUTES_MS + 1) * TEN_MINUTES_MS,
        // "today" becomes "yesterday" at the next local midnight.
        _ => {
            let tomorrow = now.date_naive().succ_opt()?.and_hms_opt(0, 0, 0)?;
            let midnight = now.timezone().from_local_datetime(&tomorrow).earliest()?;
            return (midnight.timestamp_millis() - now.timestamp_millis())
                .try_into()
                .ok()
                .map(std::time::Duration::from_millis);
        }
    };
    Some(std::time::Duration::from_millis((next - since) as u64))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    /// 14:05 on Mon 7 Dec 2026 in UTC+1, a fixed instant.
    fn at(h: u32, m: u32, s: u32) -> chrono::DateTime<FixedOffset> {
        let zone = FixedOffset::east_opt(3600).unwrap();
        zone.with_ymd_and_hms(2026, 12, 7, h, m, s).unwrap()
    }

    #[test]
    fn the_tray_says_the_time_since_and_sleeps_until_it_changes() {
        let ended = Some(at(14, 5, 0).timestamp_millis());
        let says = |h, m, s| status_text(ended, at(h, m, s));
        let next = |h, m, s| next_change(ended, at(h, m, s)).unwrap().as_secs();
        assert_eq!(status_text(None, at(14, 5, 0)), "No session yet");
        assert_eq!(next_change(None, at(14, 5, 0)), None);
        assert_eq!(says(14, 5, 30), "Last session just now");
        assert_eq!(next(14, 5, 30), 30);
        assert_eq!(says(14, 30, 10), "Last session 25 min ago");
        assert_eq!(next(14, 30, 10), 50);
        assert_eq!(says(15, 5, 0), "Last session 1 h ago");
        assert_eq!(says(16, 47, 0), "Last session 2 h 40 min ago");
        assert_eq!(next(16, 47, 0), 8 * 60, "at 2 h 50 min since");
        assert_eq!(says(23, 59, 0), "Last session 9 h 50 min ago");
        // After 12 hours, when it ended; the wording changes at midnight.
        let late = chrono::Duration::hours(13);
        let tomorrow = at(14, 5, 0) + late;
        assert_eq!(
            status_text(ended, tomorrow),
            "Last session ended yesterday at 14:05"
        );
        assert_eq!(
            next_change(ended, tomorrow).unwrap().as_secs(),
            (24 * 60 - 3 * 60 - 5) * 60
        );
        let noon_today = at(14, 5, 0) + chrono::Duration::hours(-13);
        // A clock set back: the session is "just now", not in the future.
        assert_eq!(status_text(ended, noon_today), "Last session just now");
        assert_eq!(next_change(ended, noon_today).unwrap().as_secs(), 60);
    }
}
