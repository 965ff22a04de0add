//! Commands for the parent's choices, the finish sheet's draft and discreet mode.

use tauri::{AppHandle, Runtime, State};

use crate::error::{Error, Result};
use crate::prefs::{Draft, Prefs, PrefsChange};
use crate::state::AppState;

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
    let engine = state.lock()?;
    Ok(engine
        .session_id()
        .and_then(|id| Draft::kept(engine.diary(), id)))
}

#[tauri::command]
pub fn set_discreet<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, on: bool) {
    state.set_discreet(&app, on);
}
