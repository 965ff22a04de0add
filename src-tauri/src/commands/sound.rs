//! Commands for the baby's recording and how sound plays.

use serde::{Deserialize, Serialize};
use tauri::State;

use crate::audio::SoundStatus;
use crate::clip::Clip;
use crate::error::{Error, Result};
use crate::media::new_id;
use crate::state::{AppState, SoundMode, SoundPrefs};

#[derive(Debug, Serialize)]
pub struct Sound {
    pub status: SoundStatus,
    pub prefs: SoundPrefs,
    /// The parent's recording; `None` plays Letdown's own gentle sound.
    pub clip: Option<Clip>,
    /// The recording is being previewed (it stops when a session starts).
    pub previewing: bool,
}

pub(crate) fn sound(state: &AppState) -> Result<Sound> {
    // Its own statement: a guard in a struct literal lives to the literal's end.
    let clip = state.lock()?.diary().active_clip()?;
    Ok(Sound {
        status: state.sound_status(),
        prefs: state.sound_prefs(),
        clip,
        previewing: state.previewing(),
    })
}

#[tauri::command]
pub fn get_sound(state: State<'_, AppState>) -> Result<Sound> {
    sound(&state)
}

/// Changes some of the sound preferences; fields left out stay as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoundChange {
    pub on: Option<bool>,
    pub volume: Option<u8>,
    pub mode: Option<SoundMode>,
}

#[tauri::command]
pub fn set_sound(state: State<'_, AppState>, change: SoundChange) -> Result<Sound> {
    if change.volume.is_some_and(|v| v > 100) {
        return Err(Error::Invalid("Volume goes from 0 to 100.".into()));
    }
    state.change_sound_prefs(|p| {
        if let Some(on) = change.on {
            p.on = on;
        }
        if let Some(volume) = change.volume {
            p.volume = volume;
        }
        if let Some(mode) = change.mode {
            p.mode = mode;
        }
    })?;
    sound(&state)
}

#[tauri::command]
pub fn retry_sound(state: State<'_, AppState>) -> Result<Sound> {
    state.retry_sound();
    sound(&state)
}

/// Plays the loop between sessions to hear it (or stops it); during a
/// session the session's loop is left as it is.
#[tauri::command]
pub fn preview_sound(state: State<'_, AppState>, play: bool) -> Result<Sound> {
    state.preview(play);
    sound(&state)
}

/// Imports a recording the parent picked; it replaces the current one only
/// once it has been copied and decoded in full.
#[tauri::command]
pub async fn import_clip(state: State<'_, AppState>, path: String) -> Result<Sound> {
    let source = super::picked_path(&path, "recording")?;
    import_clip_from(&state, source, None).await
}

/// Makes a video's sound the recording (the video kept as a photo stays).
#[tauri::command]
pub async fn use_video_sound(state: State<'_, AppState>, id: String) -> Result<Sound> {
    let gone = || crate::error::Error::NotFound("That video");
    let name = (state.lock()?.diary().photos()?)
        .into_iter()
        .find(|p| p.id == id && p.video.is_some())
        .ok_or_else(gone)?
        .original_name;
    let (source, _) = state.media()?.find_video(&id).ok_or_else(gone)?;
    import_clip_from(&state, source, Some(name)).await
}

/// Imports a recording; `name` is what the parent knows it as, where the
/// file's own name is Letdown's (a video kept in the media folder).
async fn import_clip_from(
    state: &AppState,
    source: std::path::PathBuf,
    name: Option<String>,
) -> Result<Sound> {
    let media = state.media()?.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let id = new_id(now);
    let clip = super::blocking({
        let (media, id) = (media.clone(), id.clone());
        move || media.import_clip(&source, &id)
    })
    .await?;
    let clip = Clip {
        original_name: name.unwrap_or(clip.original_name),
        ..clip
    };
    let saved = state
        .lock()
        .and_then(|mut e| e.diary_mut().add_clip(&clip, now));
    if let Err(e) = saved {
        if let Some(path) = media.clip_path(&clip.id, &clip.extension) {
            let _ = std::fs::remove_file(path);
        }
        return Err(e);
    }
    state.use_active_clip();
    sound(state)
}
