//! The app's shared state inside Tauri: the engine behind a lock, the sound
//! thread, and the timer thread that moves sessions on and tells the UI.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::audio::Audio;
use crate::engine::{Engine, StepFinished, SystemClock};
use crate::error::{Error, Result};
use crate::media::MediaDir;
use crate::prefs::Prefs;
use crate::recovery::{self, Recovered};
use crate::routine::StepKind;

pub const SESSION_CHANGED: &str = "session://changed";
pub const STEP_FINISHED: &str = "session://step-finished";
pub const SOUND_STATUS: &str = "audio://status";
pub const DIARY_FILE: &str = "diary.sqlite3";

/// When the recording plays during a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoundMode {
    /// From the warm-up to the end.
    Whole,
    /// Only during pumping steps.
    Pump,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SoundPrefs {
    pub on: bool,
    pub volume: u8,
    pub mode: SoundMode,
}

impl Default for SoundPrefs {
    fn default() -> Self {
        SoundPrefs {
            on: true,
            volume: 60,
            mode: SoundMode::Whole,
        }
    }
}

impl SoundPrefs {
    fn load(engine: &Engine<SystemClock>) -> SoundPrefs {
        let d = engine.diary();
        let get = |k: &str| d.setting(k).ok().flatten();
        let default = SoundPrefs::default();
        SoundPrefs {
            on: get("sound_on").map_or(default.on, |v| v == "true"),
            volume: get("volume")
                .and_then(|v| v.parse().ok())
                .map_or(default.volume, |v: u8| v.min(100)),
            mode: match get("sound_mode").as_deref() {
                Some("pump") => SoundMode::Pump,
                _ => SoundMode::Whole,
            },
        }
    }

    fn save(&self, engine: &Engine<SystemClock>) -> Result<()> {
        let d = engine.diary();
        d.set_setting("sound_on", if self.on { "true" } else { "false" })?;
        d.set_setting("volume", &self.volume.to_string())?;
        d.set_setting(
            "sound_mode",
            match self.mode {
                SoundMode::Whole => "whole",
                SoundMode::Pump => "pump",
            },
        )
    }

    /// Whether the loop should sound for this session state.
    pub fn wants_sound(&self, session: Option<&crate::engine::SessionView>) -> bool {
        let Some(s) = session else {
            return false;
        };
        self.on
            && s.phase == crate::engine::Phase::Running
            && (self.mode == SoundMode::Whole || s.step_kind == Some(StepKind::Pump))
    }
}

pub struct AppState {
    engine: Mutex<Option<Engine<SystemClock>>>,
    sound: Mutex<SoundPrefs>,
    prefs: Mutex<Prefs>,
    /// Discreet mode: the loop is silent whatever the session wants.
    discreet: AtomicBool,
    /// Whether the loop was last asked to play, so it is only told of changes.
    sounding: Mutex<bool>,
    /// Why the diary could not be opened at start-up, in the parent's words.
    diary_error: Option<(&'static str, String)>,
    /// What the parent is told when the window opens: a diary that could not
    /// be opened, or one that was repaired.
    pub startup_notice: Option<String>,
    pub audio: Audio,
    media: Option<MediaDir>,
    wake: Mutex<Sender<()>>,
}

impl AppState {
    /// Opens the diary in the app-data folder and starts the timer thread.
    pub fn start<R: Runtime>(app: &AppHandle<R>) -> AppState {
        let (engine, recovered) = match open_engine(app) {
            Ok((engine, recovered)) => (Ok(engine), recovered),
            Err(e) => (Err(e), None),
        };
        let diary_error = engine.as_ref().err().map(|e| (e.kind(), e.to_string()));
        let startup_notice = recovered
            .map(|r| r.message())
            .or_else(|| diary_error.as_ref().map(|(_, m)| m.clone()));
        if let Some(message) = &startup_notice {
            eprintln!("Letdown: {message}");
        }
        let (wake, wake_rx) = mpsc::channel::<()>();
        let handle = app.clone();
        std::thread::Builder::new()
            .name("letdown-timer".into())
            .spawn(move || loop {
                let wait = handle
                    .try_state::<AppState>()
                    .and_then(|s| s.lock().ok().and_then(|e| e.next_wake()))
                    .unwrap_or(Duration::from_secs(3600));
                match wake_rx.recv_timeout(wait) {
                    Ok(()) | Err(RecvTimeoutError::Timeout) => {
                        if let Some(state) = handle.try_state::<AppState>() {
                            let finished = state.lock().and_then(|mut e| e.tick());
                            if let Ok(finished) = finished {
                                if !finished.is_empty() {
                                    state.publish(&handle, &finished);
                                }
                            }
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            })
            .ok();
        let emitter = app.clone();
        let audio = Audio::start_with(move |status| {
            let _ = emitter.emit(SOUND_STATUS, status);
        });
        let media = media_dir(app);
        let prefs = engine.as_ref().map(SoundPrefs::load).unwrap_or_default();
        let other_prefs = engine
            .as_ref()
            .map(|e| Prefs::load(e.diary()))
            .unwrap_or_default();
        audio.set_volume(prefs.volume);
        if let (Ok(engine), Some(media)) = (engine.as_ref(), media.as_ref()) {
            if let Ok(Some(clip)) = engine.diary().active_clip() {
                audio.set_source(media.clip_path(&clip.id, &clip.extension));
            }
        }
        AppState {
            engine: Mutex::new(engine.ok()),
            sound: Mutex::new(prefs),
            prefs: Mutex::new(other_prefs),
            discreet: AtomicBool::new(false),
            sounding: Mutex::new(false),
            diary_error,
            startup_notice,
            audio,
            media,
            wake: Mutex::new(wake),
        }
    }

    /// The media folder, or why there is none.
    pub fn media(&self) -> Result<&MediaDir> {
        self.media
            .as_ref()
            .ok_or_else(|| Error::DataDir("no media folder".into()))
    }

    /// The engine, or the reason it is not there.
    pub fn lock(&self) -> Result<EngineGuard<'_>> {
        let guard = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let (kind, message) = self
                .diary_error
                .clone()
                .unwrap_or(("diary_unavailable", "The diary is not open.".into()));
            return Err(Error::Startup { kind, message });
        }
        Ok(EngineGuard(guard))
    }

    pub fn sound_prefs(&self) -> SoundPrefs {
        *self.sound.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes and saves the sound preferences, then lets the sound follow them.
    pub fn change_sound_prefs<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        change: impl FnOnce(&mut SoundPrefs),
    ) -> Result<()> {
        let prefs = {
            let mut prefs = self.sound.lock().unwrap_or_else(|p| p.into_inner());
            let mut next = *prefs;
            change(&mut next);
            next.save(&*self.lock()?)?;
            *prefs = next;
            next
        };
        self.audio.set_volume(prefs.volume);
        self.follow_session(app);
        Ok(())
    }

    pub fn prefs(&self) -> Prefs {
        self.prefs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Checks, saves and adopts a change to the parent's choices.
    pub fn change_prefs(&self, change: crate::prefs::PrefsChange) -> Result<Prefs> {
        let mut prefs = self.prefs.lock().unwrap_or_else(|p| p.into_inner());
        let next = Prefs::change(self.lock()?.diary(), change)?;
        *prefs = next.clone();
        Ok(next)
    }

    /// Discreet mode on or off: the loop fades out, and back in after.
    pub fn set_discreet<R: Runtime>(&self, app: &AppHandle<R>, on: bool) {
        self.discreet.store(on, Ordering::Relaxed);
        self.follow_session(app);
    }

    /// Starts, pauses or stops the recording to match the session and the
    /// parent's choices (fading, never cutting).
    pub fn follow_session<R: Runtime>(&self, _app: &AppHandle<R>) {
        let Ok(engine) = self.lock() else {
            return;
        };
        let snapshot = engine.snapshot();
        drop(engine);
        self.follow(&snapshot);
    }

    fn follow(&self, snapshot: &crate::engine::Snapshot) {
        let discreet = self.discreet.load(Ordering::Relaxed);
        let want = !discreet && self.sound_prefs().wants_sound(snapshot.session.as_ref());
        let mut sounding = self.sounding.lock().unwrap_or_else(|p| p.into_inner());
        if want != *sounding {
            *sounding = want;
            match (want, snapshot.session.is_some()) {
                (true, _) => self.audio.play(),
                (false, true) => self.audio.pause(),
                (false, false) => self.audio.stop(),
            }
        }
    }

    /// Tells the UI what changed (from one place, after the write is durable),
    /// chimes for finished steps and notifies when the window is not in front.
    pub fn publish<R: Runtime>(&self, app: &AppHandle<R>, finished: &[StepFinished]) {
        let snapshot = self.lock().map(|engine| engine.snapshot());
        if let Ok(snapshot) = snapshot {
            let _ = app.emit(SESSION_CHANGED, &snapshot);
            self.follow(&snapshot);
        }
        let prefs = self.prefs();
        let discreet = self.discreet.load(Ordering::Relaxed);
        for step in finished {
            if prefs.chimes && !discreet {
                self.audio.chime();
            }
            let _ = app.emit(STEP_FINISHED, step);
        }
        if let (Some(step), true) = (finished.last(), prefs.notifications) {
            let focused = app
                .get_webview_window("main")
                .and_then(|w| w.is_focused().ok())
                .unwrap_or(false);
            if !focused {
                let _ = app
                    .notification()
                    .builder()
                    .title("Letdown")
                    .body(notification_text(step))
                    .show();
            }
        }
        // Deadlines may have moved: let the timer thread look again.
        if let Ok(wake) = self.wake.lock() {
            let _ = wake.send(());
        }
    }
}

pub struct EngineGuard<'a>(MutexGuard<'a, Option<Engine<SystemClock>>>);

impl std::ops::Deref for EngineGuard<'_> {
    type Target = Engine<SystemClock>;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("checked in AppState::lock")
    }
}

impl std::ops::DerefMut for EngineGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_mut().expect("checked in AppState::lock")
    }
}

/// The media folder inside the app-data folder.
pub fn media_dir<R: Runtime>(app: &AppHandle<R>) -> Option<MediaDir> {
    app.path()
        .app_data_dir()
        .ok()
        .map(|dir| MediaDir::new(dir.join("media")))
}

/// Opens the diary (a damaged one is kept aside and rebuilt from what can be
/// read) and the engine on it.
fn open_engine<R: Runtime>(app: &AppHandle<R>) -> Result<(Engine<SystemClock>, Option<Recovered>)> {
    let dir = app
        .path()
        .app_data_dir()
        .map_err(|e| Error::DataDir(e.to_string()))?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::DataDir(e.to_string()))?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let (diary, recovered) = recovery::open(&dir.join(DIARY_FILE), &stamp)?;
    Ok((Engine::open(diary, SystemClock::default())?, recovered))
}

/// What the desktop notification says when a step ends.
pub fn notification_text(step: &StepFinished) -> String {
    if step.target {
        return "You have reached your pumping target. Carry on as long as milk flows.".into();
    }
    match step.next {
        Some(StepKind::WarmUp) => "Time to warm up.".into(),
        Some(StepKind::Massage) => "Warm-up done. Time for a gentle massage.".into(),
        Some(StepKind::Pump) => "Time to pump.".into(),
        Some(StepKind::Rest) => "Time to rest for a few minutes.".into(),
        None => "All done. Note how it went when you are ready.".into(),
    }
}
