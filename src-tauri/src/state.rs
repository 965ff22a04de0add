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
    diary_error: Mutex<Option<(&'static str, String)>>,
    /// The app-data folder, to try the diary again after a full disk.
    data_dir: Option<std::path::PathBuf>,
    /// A damaged diary that was kept aside and repaired, said when the window opens.
    startup_notice: Option<String>,
    /// The data folder's lock, held for as long as the app runs.
    data_lock: Mutex<Option<std::fs::File>>,
    pub audio: Audio,
    media: Option<MediaDir>,
    wake: Mutex<Sender<()>>,
}

impl AppState {
    /// Opens the diary in the app-data folder and starts the timer thread.
    pub fn start<R: Runtime>(app: &AppHandle<R>) -> AppState {
        let data_dir = app.path().app_data_dir().ok();
        let opened = data_dir
            .as_deref()
            .ok_or_else(|| Error::DataDir("no data folder".into()))
            .and_then(open_engine);
        let (engine, recovered, lock) = match opened {
            Ok((engine, recovered, lock)) => (Ok(engine), recovered, lock),
            Err(e) => (Err(e), None, None),
        };
        let diary_error = engine.as_ref().err().map(unopened);
        if engine.is_ok() {
            start_backups(app);
        }
        let startup_notice = recovered.map(|r| r.message());
        if let Some(message) = startup_notice
            .as_ref()
            .or(diary_error.as_ref().map(|(_, m)| m))
        {
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
            diary_error: Mutex::new(diary_error),
            data_dir,
            startup_notice,
            data_lock: Mutex::new(lock),
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

    /// The engine, or the reason it is not there. A diary that could not be
    /// opened because the disk was full or the file busy is tried again, so
    /// "free some space and try again" works without restarting.
    pub fn lock(&self) -> Result<EngineGuard<'_>> {
        let mut guard = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let mut error = self.diary_error.lock().unwrap_or_else(|p| p.into_inner());
            let retry = matches!(error.as_ref(), Some(("disk_full" | "diary_busy", _)));
            match self.data_dir.as_deref().filter(|_| retry).map(open_engine) {
                Some(Ok((engine, _, lock))) => {
                    *self.sound.lock().unwrap_or_else(|p| p.into_inner()) =
                        SoundPrefs::load(&engine);
                    *self.prefs.lock().unwrap_or_else(|p| p.into_inner()) =
                        Prefs::load(engine.diary());
                    *self.data_lock.lock().unwrap_or_else(|p| p.into_inner()) = lock;
                    *guard = Some(engine);
                    *error = None;
                }
                Some(Err(e)) => *error = Some(unopened(&e)),
                None => {}
            }
            if guard.is_none() {
                let (kind, message) = error
                    .clone()
                    .unwrap_or(("diary_unavailable", "The diary is not open.".into()));
                return Err(Error::Startup { kind, message });
            }
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

    /// What the parent must know as the window opens: why the diary cannot be
    /// opened (tried again first), or that a damaged one was repaired.
    pub fn notice(&self) -> Option<String> {
        match self.lock() {
            Err(e) => Some(e.to_string()),
            Ok(_) => self.startup_notice.clone(),
        }
    }

    /// Reads the parent's choices from the diary again (after a restore).
    pub fn reload_prefs(&self) {
        let Ok(engine) = self.lock() else {
            return;
        };
        let sound = SoundPrefs::load(&engine);
        let prefs = Prefs::load(engine.diary());
        drop(engine);
        *self.sound.lock().unwrap_or_else(|p| p.into_inner()) = sound;
        *self.prefs.lock().unwrap_or_else(|p| p.into_inner()) = prefs;
        self.audio.set_volume(sound.volume);
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

/// The diary file inside the app-data folder.
pub fn diary_path<R: Runtime>(app: &AppHandle<R>) -> Result<std::path::PathBuf> {
    app.path()
        .app_data_dir()
        .map(|d| d.join(DIARY_FILE))
        .map_err(|e| Error::DataDir(e.to_string()))
}

/// The daily copies of the diary, in `backups/` inside the app-data folder.
pub fn backups_dir<R: Runtime>(app: &AppHandle<R>) -> Result<std::path::PathBuf> {
    app.path()
        .app_data_dir()
        .map(|d| d.join("backups"))
        .map_err(|e| Error::DataDir(e.to_string()))
}

/// Makes the day's copy of the diary now and then every hour (the app may
/// stay open past midnight), on its own thread with its own read-only
/// connection: the app goes on writing meanwhile.
fn start_backups<R: Runtime>(app: &AppHandle<R>) {
    let (Ok(diary), Ok(dir)) = (diary_path(app), backups_dir(app)) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("letdown-backup".into())
        .spawn(move || loop {
            let today = chrono::Local::now().date_naive();
            if let Err(e) = crate::backup::daily(&diary, &dir, today) {
                eprintln!("Letdown: no backup today: {e}");
            }
            std::thread::sleep(Duration::from_secs(3600));
        });
}

/// The media folder inside the app-data folder.
pub fn media_dir<R: Runtime>(app: &AppHandle<R>) -> Option<MediaDir> {
    app.path()
        .app_data_dir()
        .ok()
        .map(|dir| MediaDir::new(dir.join("media")))
}

/// Opens the diary (a damaged one is kept aside and rebuilt from what can be
/// read) and the engine on it, holding the data folder's lock.
/// Why the diary could not be opened, as the window says it.
fn unopened(e: &Error) -> (&'static str, String) {
    let message = match e {
        Error::DiskFull => "The disk is full, so Letdown cannot open your diary. Free some space, then press Try again; nothing in it was lost.".to_string(),
        e => e.to_string(),
    };
    (e.kind(), message)
}

type Opened = (
    Engine<SystemClock>,
    Option<Recovered>,
    Option<std::fs::File>,
);

fn open_engine(dir: &std::path::Path) -> Result<Opened> {
    std::fs::create_dir_all(dir).map_err(|e| Error::DataDir(e.to_string()))?;
    let lock = lock_data_dir(dir)?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let (diary, recovered) = recovery::open(&dir.join(DIARY_FILE), &stamp)?;
    Ok((
        Engine::open(diary, SystemClock::default())?,
        recovered,
        lock,
    ))
}

/// Only one process ever writes the diary: an exclusive lock on a file in
/// the data folder, held while the app runs and released by the system when
/// it ends, even by a crash.
/// A folder nothing can write to needs no lock (the diary says why it cannot
/// be written).
fn lock_data_dir(dir: &std::path::Path) -> Result<Option<std::fs::File>> {
    let opened = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("letdown.lock"));
    let file = match opened {
        Ok(file) => file,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(Error::DataDir(e.to_string())),
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::AlreadyOpen),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::DataDir(e.to_string())),
    }
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
