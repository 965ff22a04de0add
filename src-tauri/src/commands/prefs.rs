//! Commands for the parent's choices, the finish sheet's draft and discreet mode.

use tauri::{AppHandle, Runtime, State};

use crate::backup::{self, BackupInfo};
use crate::error::{Error, Result};
use crate::prefs::{Draft, Prefs, PrefsChange};
use crate::state::AppState;

/// The last session and when the next is due, for the idle screen's line.
#[tauri::command]
pub fn schedule_status(state: State<'_, AppState>) -> Result<crate::state::ScheduleStatus> {
    state.schedule_status()
}

/// "Remind me in 15 (or 30) minutes" on the calm screen.
#[tauri::command]
pub fn snooze_reminder(state: State<'_, AppState>, minutes: u32) -> Result<()> {
    if ![15, 30].contains(&minutes) {
        return Err(Error::Invalid(
            "A reminder can wait 15 or 30 minutes.".into(),
        ));
    }
    state.snooze(minutes)
}

#[tauri::command]
pub fn pause_reminders_today(state: State<'_, AppState>) -> Result<()> {
    state.pause_reminders_today()
}

#[tauri::command]
pub fn get_prefs(state: State<'_, AppState>) -> Prefs {
    state.prefs()
}

#[tauri::command]
pub fn set_prefs(state: State<'_, AppState>, change: PrefsChange) -> Result<Prefs> {
    state.change_prefs(change)
}

/// Keeps what is typed in the finish sheet, for when the window is closed
/// before it is saved.
#[tauri::command]
pub fn keep_draft(state: State<'_, AppState>, draft: Draft) -> Result<()> {
    // One lock: the session cannot end between finding it and keeping its draft.
    let engine = state.lock()?;
    let id = engine.session_id().ok_or(Error::NoSession)?;
    draft.keep(engine.diary(), id)
}

/// The finish sheet's draft for the session in progress, if one was kept.
#[tauri::command]
pub fn get_draft(state: State<'_, AppState>) -> Result<Option<Draft>> {
    draft(&state)
}

pub(crate) fn draft(state: &AppState) -> Result<Option<Draft>> {
    let engine = state.lock()?;
    Ok(engine
        .session_id()
        .and_then(|id| Draft::kept(engine.diary(), id)))
}

#[tauri::command]
pub fn set_discreet(state: State<'_, AppState>, on: bool) {
    state.set_discreet(on);
}

/// The daily copies of the diary, newest first.
#[tauri::command]
pub fn list_backups<R: Runtime>(app: AppHandle<R>) -> Result<Vec<BackupInfo>> {
    backup::list(&crate::state::backups_dir(&app)?)
}

/// Puts a daily copy back in place of the diary, keeping the current diary
/// aside first. Not while a session is in progress.
#[tauri::command]
pub fn restore_backup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Result<String> {
    if name.len() > 64 {
        return Err(Error::Invalid(
            "That is not one of Letdown's backups.".into(),
        ));
    }
    let dir = crate::state::backups_dir(&app)?;
    let diary_path = crate::state::diary_path(&app)?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let kept = {
        let mut engine = state.lock()?;
        if engine.session_id().is_some() {
            return Err(Error::SessionInProgress);
        }
        backup::restore(engine.diary_mut(), &diary_path, &dir, &name, &stamp)?
    };
    state.reload_prefs();
    let kept = kept
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(format!(
        "Your diary is back as it was on that day. The diary you had until now is kept as “{kept}” in Letdown's data folder."
    ))
}

fn autostart_failed(e: tauri_plugin_autostart::Error) -> Error {
    eprintln!("Letdown: opening at login: {e}");
    Error::Autostart
}

/// Whether Letdown opens at login: the system's own record (an XDG
/// autostart entry, the Run registry key, a LaunchAgent), not a copy of it.
#[tauri::command]
pub fn get_autostart<R: Runtime>(app: AppHandle<R>) -> Result<bool> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().map_err(autostart_failed)
}

/// Turns opening at login on or off; it starts hidden in the tray
/// (`--hidden`, lib.rs). Answers what the system now says.
#[tauri::command]
pub fn set_autostart<R: Runtime>(app: AppHandle<R>, on: bool) -> Result<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    if on {
        launcher.enable()
    } else {
        launcher.disable()
    }
    .map_err(autostart_failed)?;
    launcher.is_enabled().map_err(autostart_failed)
}
