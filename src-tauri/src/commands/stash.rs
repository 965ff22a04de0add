//! Commands for the pumps and their parts, a session's pump settings, and
//! the milk stash.

use serde::Serialize;
use tauri::State;

use crate::error::{Error, Result};
use crate::pump::{DuePart, PartSpec, Pump, PumpSettings, PumpSpec};
use crate::stash::{Stash, Used};
use crate::state::AppState;

const WEEK_MS: i64 = 7 * 86_400_000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The pumps, the parts due now, and the settings of the session in
/// progress (or those the next one starts with).
#[derive(Debug, Serialize)]
pub struct Pumps {
    pub pumps: Vec<Pump>,
    pub due: Vec<DuePart>,
    pub settings: Option<PumpSettings>,
    /// Whether `settings` are the session's in progress.
    pub in_session: bool,
}

fn pumps_view(state: &AppState) -> Result<Pumps> {
    let engine = state.lock()?;
    let d = engine.diary();
    let session = engine.session_id();
    let settings = match session {
        Some(id) => PumpSettings::from_factors(&d.session_factors(id)?),
        None => d.next_pump_settings()?,
    };
    Ok(Pumps {
        pumps: d.pumps()?,
        due: d.parts_due(now_ms())?,
        settings,
        in_session: session.is_some(),
    })
}

#[tauri::command]
pub fn get_pumps(state: State<'_, AppState>) -> Result<Pumps> {
    pumps_view(&state)
}

#[tauri::command]
pub fn save_pump(state: State<'_, AppState>, id: Option<i64>, spec: PumpSpec) -> Result<Pumps> {
    state.lock()?.diary_mut().save_pump(id, spec, now_ms())?;
    pumps_view(&state)
}

#[tauri::command]
pub fn remove_pump(state: State<'_, AppState>, id: i64) -> Result<Pumps> {
    state.lock()?.diary().remove_pump(id, now_ms())?;
    pumps_view(&state)
}

#[tauri::command]
pub fn save_part(state: State<'_, AppState>, pump_id: i64, part: PartSpec) -> Result<Pumps> {
    state.lock()?.diary().save_part(pump_id, part)?;
    pumps_view(&state)
}

#[tauri::command]
pub fn remove_part(state: State<'_, AppState>, id: i64) -> Result<Pumps> {
    state.lock()?.diary().remove_part(id, now_ms())?;
    pumps_view(&state)
}

/// "Replaced today".
#[tauri::command]
pub fn replace_part(state: State<'_, AppState>, id: i64) -> Result<Pumps> {
    let now = chrono::Local::now();
    let offset_min = now.offset().local_minus_utc() / 60;
    state
        .lock()?
        .diary_mut()
        .replace_part(id, now.timestamp_millis(), offset_min)?;
    pumps_view(&state)
}

/// "Remind me in a week".
#[tauri::command]
pub fn quiet_part(state: State<'_, AppState>, id: i64) -> Result<Pumps> {
    state.lock()?.diary().quiet_part(id, now_ms() + WEEK_MS)?;
    pumps_view(&state)
}

/// Changes the pump settings of the session in progress. "Switched to
/// expression" is `expression_from_s: true`-like: the page sends `switch`,
/// and the session's running time now is recorded.
#[tauri::command]
pub fn set_pump_settings(
    state: State<'_, AppState>,
    mut settings: PumpSettings,
    switch: Option<bool>,
) -> Result<Pumps> {
    {
        let mut engine = state.lock()?;
        let (id, active_ms) = engine.session_active_ms().ok_or(Error::NoSession)?;
        if switch == Some(true) {
            settings.expression_from_s = Some((active_ms / 1000) as u32);
        }
        engine.diary_mut().set_session_pump(id, &settings)?;
    }
    pumps_view(&state)
}

#[tauri::command]
pub fn get_stash(state: State<'_, AppState>) -> Result<Stash> {
    let keeping = state.prefs().keeping;
    state.lock()?.diary().stash(now_ms(), &keeping)
}

#[tauri::command]
pub fn use_milk(state: State<'_, AppState>, id: i64, how: Used) -> Result<Stash> {
    state.lock()?.diary().use_milk(id, how, now_ms())?;
    get_stash(state)
}

#[tauri::command]
pub fn unuse_milk(state: State<'_, AppState>, id: i64) -> Result<Stash> {
    state.lock()?.diary().unuse_milk(id)?;
    get_stash(state)
}

/// "Moved to fridge": thawing, with a fresh 24 hours.
#[tauri::command]
pub fn thaw_milk(state: State<'_, AppState>, id: i64) -> Result<Stash> {
    state.lock()?.diary().thaw_milk(id, now_ms())?;
    get_stash(state)
}

/// Fresh fridge milk into the freezer; thawed milk is refused.
#[tauri::command]
pub fn freeze_milk(state: State<'_, AppState>, id: i64) -> Result<Stash> {
    let keeping = state.prefs().keeping;
    state.lock()?.diary().freeze_milk(id, &keeping, now_ms())?;
    get_stash(state)
}

#[tauri::command]
pub fn label_milk(
    state: State<'_, AppState>,
    id: i64,
    label: Option<String>,
    use_by_ms: Option<i64>,
) -> Result<Stash> {
    state
        .lock()?
        .diary()
        .label_milk(id, label.as_deref(), use_by_ms)?;
    get_stash(state)
}
