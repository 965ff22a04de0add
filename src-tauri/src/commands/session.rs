//! Commands for the session in progress and the routines it runs.

use tauri::{AppHandle, Runtime, State};

use crate::diary::Finish;
use crate::engine::{Engine, Intent, Snapshot, StepFinished, SystemClock};
use crate::error::Result;
use crate::insights;
use crate::routine::Routine;
use crate::state::AppState;

/// Runs `f` on the engine, then tells the UI (after the write is durable).
fn change<R: Runtime, T>(
    app: &AppHandle<R>,
    state: &AppState,
    f: impl FnOnce(&mut Engine<SystemClock>) -> Result<(T, Vec<StepFinished>)>,
) -> Result<T> {
    let (out, finished) = {
        let mut engine = state.lock()?;
        f(&mut engine)?
    };
    state.publish(app, &finished);
    Ok(out)
}

#[tauri::command]
pub fn get_state(state: State<'_, AppState>) -> Result<Snapshot> {
    Ok(state.lock()?.snapshot())
}

/// "Try again" on a diary that could not be opened (a full disk, another
/// program holding it): opens it now, and answers with the session state.
#[tauri::command]
pub fn reopen_diary<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Snapshot> {
    state.reopen_diary(&app)?;
    Ok(state.lock()?.snapshot())
}

#[tauri::command]
pub fn save_routine(state: State<'_, AppState>, routine: Routine) -> Result<i64> {
    let mut engine = state.lock()?;
    let now = chrono::Utc::now().timestamp_millis();
    engine.diary_mut().save_routine(&routine, now)
}

#[tauri::command]
pub fn start_session<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    routine_id: i64,
) -> Result<Snapshot> {
    // Recorded with the session, so the diary can later tell what helps.
    let (prefs, sound) = (state.prefs(), state.sound_prefs());
    change(&app, &state, |e| {
        let d = e.diary();
        // Only a record: a photo or clip that cannot be read stops nothing.
        let own_clip = sound.on && d.active_clip().ok().flatten().is_some();
        let own_picture = d.active_photo().ok().flatten().is_some();
        let flag = |on: bool| f64::from(u8::from(on));
        let mut factors = vec![
            (
                crate::diary::FACTOR_HIDE_CONTROLS,
                flag(prefs.hide_controls),
            ),
            (insights::BABY_PICTURE, flag(own_picture)),
            (insights::BABY_SOUND, flag(own_clip)),
            (insights::BREATHING, flag(prefs.breathing)),
            (insights::DISCREET, 0.0),
        ];
        if own_clip {
            let pump_only = sound.mode == crate::state::SoundMode::Pump;
            factors.push((insights::SOUND_PUMP_ONLY, flag(pump_only)));
        }
        // The pump's settings start as last time; changing them is optional.
        if let Ok(Some(pump)) = d.next_pump_settings() {
            factors.extend(pump.factors());
        }
        Ok((e.start_with(routine_id, &factors)?, Vec::new()))
    })
    .inspect(|_| state.count_breathing())
}

#[tauri::command]
pub fn session_intent<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    intent: Intent,
) -> Result<Snapshot> {
    change(&app, &state, |e| {
        let finished = e.intent(intent)?;
        Ok((e.snapshot(), finished))
    })
}

#[tauri::command]
pub fn finish_session<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    mut finish: Finish,
) -> Result<i64> {
    let prefs = state.prefs();
    let offered = prefs.chips;
    finish.factors = crate::prefs::chip_factors(&offered, &finish.did);
    finish.keeping = prefs.keeping;
    let milk = match finish.milk.as_slice() {
        [] => prefs.last_milk,
        [one] => one.place.as_str().to_string(),
        _ => "split".to_string(),
    };
    let ticked: Vec<String> = finish
        .did
        .iter()
        .filter(|c| offered.contains(c))
        .cloned()
        .collect();
    state.count_breathing();
    let id = change(&app, &state, |e| {
        let id = e.finish(finish)?;
        let _ = crate::prefs::Draft::forget(e.diary());
        Ok((id, Vec::new()))
    })?;
    // The session is saved; pre-ticking next time is a nicety that may fail.
    let _ = state.remember_finish(ticked, &milk);
    Ok(id)
}

#[tauri::command]
pub fn discard_session<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Snapshot> {
    change(&app, &state, |e| {
        e.discard()?;
        let _ = crate::prefs::Draft::forget(e.diary());
        Ok((e.snapshot(), Vec::new()))
    })
}

#[tauri::command]
pub fn undo_discard<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Snapshot> {
    change(&app, &state, |e| Ok((e.undo_discard()?, Vec::new())))
}
