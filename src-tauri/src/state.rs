//! The app's shared state inside Tauri: everything mutable behind one lock
//! (`Inner`), beside it the sound thread and the timer thread that moves
//! sessions on and tells the UI. The only glue between Tauri and the domains.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::audio::{Audio, SoundStatus};
use crate::clip;
use crate::engine::{Engine, StepFinished, SystemClock};
use crate::error::{Error, Result};
use crate::media::MediaDir;
use crate::prefs::Prefs;
use crate::recovery::{self, Recovered};
use crate::routine::StepKind;

pub const SESSION_CHANGED: &str = "session://changed";
pub const SOUND_STATUS: &str = "audio://status";
pub const DIARY_FILE: &str = "diary.sqlite3";
/// A reminder was shown (the calm screen offers a snooze); its payload is the due time.
pub const REMINDER_SHOWN: &str = "reminder://shown";
/// The parent clicked a reminder: the window comes to the front, ready to start.
pub const REMINDER_OPENED: &str = "reminder://opened";
/// Set once the parent has been told that closing keeps Letdown in the tray.
const TRAY_EXPLAINED_KEY: &str = "tray_explained";
/// The settings key of what the reminder has handled (`schedule::Reminders`).
const REMINDERS_KEY: &str = "reminders";
/// The longest the timer sleeps while a reminder is ahead: a monotonic sleep
/// does not count time the laptop spends suspended, so a reminder due while
/// it slept is found at most this long after waking.
const REMINDER_RECHECK: Duration = Duration::from_secs(300);

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

/// All of the app's mutable state, behind `AppState`'s one lock. A method
/// takes the guard once and never calls another that takes it.
struct Inner {
    /// The open diary and its engine, or why it could not be opened.
    diary: std::result::Result<Opened, Arc<Error>>,
    sound: SoundPrefs,
    prefs: Prefs,
    /// Discreet mode: the loop is silent whatever the session wants.
    discreet: bool,
    /// The parent is listening to the recording in Settings.
    previewing: bool,
    /// Whether the loop was last asked to play, so it is only told of changes.
    sounding: bool,
    /// A damaged diary that was kept aside and repaired, said when the window opens.
    repaired: Option<String>,
    /// The reminder's own memory: what it handled, a snooze, a pause.
    reminders: crate::schedule::Reminders,
    /// Since when (session, running ms) the breathing guide has been on and
    /// not yet counted into the session's `breathing_min`.
    breathing_from: Option<(i64, u64)>,
}

/// An open diary: its engine and the data folder's lock, held while it is open.
struct Opened {
    engine: Engine<SystemClock>,
    _lock: Option<std::fs::File>,
}

/// Counts one more of `factor` for the session in progress, if any. Only a
/// record for "What works for you": failing to write it stops nothing.
fn record_in_session(engine: &Engine<SystemClock>, factor: &str) {
    if let Some(id) = engine.session_id() {
        if let Err(e) = engine.diary().add_to_factor(id, factor, 1.0) {
            eprintln!("letdown: could not record {factor}: {e}");
        }
    }
}

impl Inner {
    fn engine(&self) -> Option<&Engine<SystemClock>> {
        self.diary.as_ref().ok().map(|o| &o.engine)
    }

    /// Adds the breathing guide's running minutes not yet counted to the
    /// session in progress, then counts on from now if the guide is `on`.
    fn count_breathing(&mut self, on: bool) {
        let from = self.breathing_from.take();
        let Some((id, now)) = self.engine().and_then(|e| e.session_active_ms()) else {
            return;
        };
        if let (Some((session, from)), Some(engine)) = (from, self.engine()) {
            if session == id && now > from {
                let minutes = (now - from) as f64 / 60_000.0;
                let factor = crate::insights::BREATHING_MIN;
                if let Err(e) = engine.diary().add_to_factor(id, factor, minutes) {
                    eprintln!("letdown: could not record {factor}: {e}");
                }
            }
        }
        if on {
            self.breathing_from = Some((id, now));
        }
    }

    /// Adopts a newly opened diary and the choices kept in it.
    fn adopt(&mut self, opened: Opened) {
        self.sound = SoundPrefs::load(&opened.engine);
        self.prefs = Prefs::load(opened.engine.diary());
        self.reminders = opened
            .engine
            .diary()
            .setting(REMINDERS_KEY)
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        self.diary = Ok(opened);
    }
}

/// The state Tauri manages: one lock around `Inner`, and beside it the
/// handles to threads of their own (sound, timer) and what never changes.
/// The lock is not re-entrant, so no method is called while a guard from
/// `lock()` is held; sound is only told what to do, never waited on, under it.
pub struct AppState {
    inner: Mutex<Inner>,
    /// Only `AppState` talks to the sound thread: it owns what should be heard now.
    audio: Audio,
    /// Wakes the timer thread when deadlines may have moved.
    wake: Sender<()>,
    /// The app-data folder, to open the diary again on "Try again".
    data_dir: Option<std::path::PathBuf>,
    media: Option<MediaDir>,
}

impl AppState {
    /// Opens the diary in the app-data folder and starts the timer thread.
    pub fn start<R: Runtime>(app: &AppHandle<R>) -> AppState {
        let data_dir = app.path().app_data_dir().ok();
        let opened = data_dir
            .as_deref()
            .ok_or_else(|| Error::DataDir("no data folder".into()))
            .and_then(open_diary);
        let (diary, recovered) = match opened {
            Ok((opened, recovered)) => (Ok(opened), recovered),
            Err(e) => (Err(Arc::new(e)), None),
        };
        if diary.is_ok() {
            start_backups(app);
        }
        let startup_notice = recovered.map(|r| r.message());
        let unopened = diary
            .as_ref()
            .err()
            .map(|e| Error::NotOpen(e.clone()).to_string());
        if let Some(message) = startup_notice.as_ref().or(unopened.as_ref()) {
            eprintln!("Letdown: {message}");
        }
        let emitter = app.clone();
        let audio = Audio::start_with(move |status| {
            let _ = emitter.emit(SOUND_STATUS, status);
        });
        let media = media_dir(app);
        if let Some(media) = &media {
            media.sweep();
        }
        let mut inner = Inner {
            diary: Err(Arc::new(Error::DataDir("not opened yet".into()))),
            sound: SoundPrefs::default(),
            prefs: Prefs::default(),
            discreet: false,
            previewing: false,
            sounding: false,
            repaired: startup_notice,
            reminders: Default::default(),
            breathing_from: None,
        };
        match diary {
            Ok(opened) => inner.adopt(opened),
            Err(e) => inner.diary = Err(e),
        }
        let (wake, wake_rx) = mpsc::channel::<()>();
        let state = AppState {
            inner: Mutex::new(inner),
            audio,
            wake,
            data_dir,
            media,
        };
        state.use_active_clip();
        start_timer(app.clone(), wake_rx);
        state
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The media folder, or why there is none.
    pub fn media(&self) -> Result<&MediaDir> {
        self.media
            .as_ref()
            .ok_or_else(|| Error::DataDir("no media folder".into()))
    }

    /// The engine, or why the diary is not open. Never tries to open it:
    /// that is `reopen_diary`'s, an explicit step.
    pub fn lock(&self) -> Result<EngineGuard<'_>> {
        let inner = self.inner();
        match &inner.diary {
            Ok(_) => Ok(EngineGuard(inner)),
            Err(e) => Err(Error::NotOpen(e.clone())),
        }
    }

    /// "Try again": opens the diary again if it could not be opened for a
    /// reason that may have passed (a full disk, another program holding it).
    /// An open diary is left as it is.
    pub fn reopen_diary<R: Runtime>(&self, app: &AppHandle<R>) -> Result<()> {
        {
            let mut inner = self.inner();
            match &inner.diary {
                Ok(_) => return Ok(()),
                Err(e) if !e.may_pass() => return Err(Error::NotOpen(e.clone())),
                Err(_) => {}
            }
            let dir = self
                .data_dir
                .as_deref()
                .ok_or_else(|| Error::DataDir("no data folder".into()))?;
            match open_diary(dir) {
                Ok((opened, recovered)) => {
                    inner.adopt(opened);
                    inner.repaired = recovered.map(|r| r.message());
                }
                Err(e) => {
                    let e = Arc::new(e);
                    inner.diary = Err(e.clone());
                    return Err(Error::NotOpen(e));
                }
            }
            self.audio.set_volume(inner.sound.volume);
        }
        start_backups(app);
        self.use_active_clip();
        convert_old_clip_soon(app);
        self.publish(app, &[]);
        Ok(())
    }

    pub fn sound_prefs(&self) -> SoundPrefs {
        self.inner().sound
    }

    /// Whether the recording is being previewed.
    pub fn previewing(&self) -> bool {
        self.inner().previewing
    }

    pub fn sound_status(&self) -> SoundStatus {
        self.audio.status()
    }

    /// Changes and saves the sound preferences, then lets the sound follow them.
    pub fn change_sound_prefs(&self, change: impl FnOnce(&mut SoundPrefs)) -> Result<()> {
        let mut inner = self.inner();
        let mut next = inner.sound;
        change(&mut next);
        let engine = inner.engine().ok_or_else(|| self.unopened(&inner))?;
        next.save(engine)?;
        inner.sound = next;
        self.audio.set_volume(next.volume);
        self.follow(&mut inner);
        Ok(())
    }

    pub fn prefs(&self) -> Prefs {
        self.inner().prefs.clone()
    }

    /// Checks, saves and adopts a change to the parent's choices.
    pub fn change_prefs(&self, change: crate::prefs::PrefsChange) -> Result<Prefs> {
        let mut inner = self.inner();
        let engine = inner.engine().ok_or_else(|| self.unopened(&inner))?;
        let next = Prefs::change(engine.diary(), change)?;
        if next.breathing && !inner.prefs.breathing {
            record_in_session(engine, crate::insights::BREATHING);
        }
        if next.schedule != inner.prefs.schedule {
            // A new schedule: a snooze from the old one is forgotten, and a
            // due time already past (the last session was yesterday) is not
            // shown the moment the schedule is saved.
            let now = chrono::Utc::now();
            let last = engine.diary().last_session_times().ok().flatten();
            inner.reminders.snoozed_until = None;
            let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
            let due = next.schedule.next_reminder(
                last.map(|(s, e)| (at(s), at(e))),
                inner.reminders.handled,
                now,
                &chrono::Local,
            );
            if due.is_some_and(|d| d <= now) {
                inner.reminders.handle(now);
            }
            let _ = self.keep_reminders(&inner);
        }
        if next.breathing != inner.prefs.breathing {
            inner.count_breathing(next.breathing);
        }
        inner.prefs = next.clone();
        // The schedule may have changed: the timer looks again.
        let _ = self.wake.send(());
        Ok(next)
    }

    /// Counts the breathing guide's minutes so far into the session in
    /// progress: at its start (from zero), and before it is finished.
    pub fn count_breathing(&self) {
        let mut inner = self.inner();
        let on = inner.prefs.breathing;
        inner.count_breathing(on);
    }

    /// Keeps the chips ticked on a saved finish sheet, to tick them next time.
    pub fn remember_finish(&self, ticked: Vec<String>, milk: &str) -> Result<()> {
        let mut inner = self.inner();
        let engine = inner.engine().ok_or_else(|| self.unopened(&inner))?;
        inner.prefs = Prefs::remember_finish(engine.diary(), ticked, milk)?;
        Ok(())
    }

    fn unopened(&self, inner: &Inner) -> Error {
        match &inner.diary {
            Err(e) => Error::NotOpen(e.clone()),
            Ok(_) => Error::NotOpen(Arc::new(Error::DataDir("no diary".into()))),
        }
    }

    /// What the parent must know as the window opens: why the diary cannot be
    /// opened, or that a damaged one was repaired.
    pub fn notice(&self) -> Option<String> {
        let inner = self.inner();
        match &inner.diary {
            Err(e) => Some(Error::NotOpen(e.clone()).to_string()),
            Ok(_) => inner.repaired.clone(),
        }
    }

    /// Reads the parent's choices and recording from the diary again (after a restore).
    pub fn reload_prefs(&self) {
        let mut inner = self.inner();
        let Some(engine) = inner.engine() else {
            return;
        };
        let (sound, prefs) = (SoundPrefs::load(engine), Prefs::load(engine.diary()));
        inner.sound = sound;
        inner.prefs = prefs;
        self.loop_active_clip(&mut inner);
    }

    /// Discreet mode on or off: the loop fades out, and back in after.
    pub fn set_discreet(&self, on: bool) {
        let mut inner = self.inner();
        if on && !inner.discreet {
            if let Some(engine) = inner.engine() {
                record_in_session(engine, crate::insights::DISCREET);
            }
        }
        inner.discreet = on;
        self.follow(&mut inner);
    }

    /// The recording heard in Settings, on or off, between sessions; during
    /// one, the session decides what is heard.
    pub fn preview(&self, play: bool) {
        let mut inner = self.inner();
        inner.previewing = play;
        self.follow(&mut inner);
    }

    /// Tries the output device again, then plays what should be heard now.
    pub fn retry_sound(&self) -> SoundStatus {
        // Not under the lock: opening a device can take seconds.
        let status = self.audio.retry(Duration::from_secs(5));
        let mut inner = self.inner();
        // A device opened anew has nothing playing.
        inner.sounding = false;
        self.follow(&mut inner);
        status
    }

    /// Loops the recording the diary says is chosen (the built-in sound if none).
    pub fn use_active_clip(&self) {
        let mut inner = self.inner();
        self.loop_active_clip(&mut inner);
    }

    /// Loops the chosen recording's playback copy. One an earlier version
    /// kept as the parent's own file is not played until `convert_old_clip`
    /// has made its copy: Letdown's own sound plays meanwhile.
    fn loop_active_clip(&self, inner: &mut Inner) {
        let clip = inner
            .engine()
            .and_then(|e| e.diary().active_clip().ok().flatten())
            .filter(|c| c.extension == clip::PLAYBACK_EXTENSION);
        let path = clip.and_then(|c| self.media.as_ref()?.clip_path(&c.id, &c.extension));
        self.audio.set_volume(inner.sound.volume);
        self.audio.set_source(path);
        // The new source starts from silence: play it if the loop should sound.
        inner.sounding = false;
        self.follow(inner);
    }

    /// Gives the chosen recording a playback copy if an earlier version kept
    /// it as the parent's file (decoded in the probe, like an import), then
    /// plays it. One that cannot be read any more is let go, with a notice.
    pub fn convert_old_clip(&self) {
        let old = match self.lock() {
            Ok(engine) => engine.diary().active_clip().ok().flatten(),
            Err(_) => None,
        };
        let (Some(old), Ok(media)) = (old, self.media()) else {
            return;
        };
        if old.extension == clip::PLAYBACK_EXTENSION {
            return;
        }
        let converted = media.convert_clip(&old);
        // Only a file the probe refused (or crashed on), or one that is gone,
        // is let go; a passing trouble (a full disk) is tried again next time.
        let unreadable = matches!(
            converted,
            Err(Error::BadClip(_) | Error::BadFile(_) | Error::NotFound(_))
        );
        let saved = match (&converted, self.lock()) {
            (Ok(clip), Ok(engine)) => engine.diary().replace_clip(clip),
            // Not if the parent has chosen another recording meanwhile.
            (Err(_), Ok(engine)) if unreadable => engine.diary().forget_active_clip(&old.id),
            (Err(_), Ok(_)) => Ok(false),
            (_, Err(e)) => Err(e),
        };
        match (&converted, saved) {
            (Ok(_), Ok(_)) => media.remove_old_clip(&old),
            (Err(_), Ok(true)) => {
                let mut inner = self.inner();
                let notice = format!(
                    "Letdown could not read your recording “{}” any more, so its own gentle \
                     sound plays instead. You can choose the recording again in Settings.",
                    old.original_name
                );
                inner.repaired = Some(match inner.repaired.take() {
                    Some(earlier) => format!("{earlier} {notice}"),
                    None => notice,
                });
            }
            _ => {}
        }
        self.use_active_clip();
    }

    /// Starts, pauses or stops the loop to match the session, discreet mode,
    /// the preview and the parent's choices (fading, never cutting).
    fn follow(&self, inner: &mut Inner) {
        let snapshot = inner.engine().map(|e| e.snapshot());
        let session = snapshot.as_ref().and_then(|s| s.session.as_ref());
        // A preview is heard between sessions: a session's loop is the session's.
        if session.is_some() {
            inner.previewing = false;
        }
        let want = !inner.discreet && (inner.previewing || inner.sound.wants_sound(session));
        if want != inner.sounding {
            inner.sounding = want;
            match (want, session.is_some()) {
                (true, _) => self.audio.play(),
                (false, true) => self.audio.pause(),
                (false, false) => self.audio.stop(),
            }
        }
    }

    /// What the reminder should do now, from the schedule, the diary's last
    /// session and what it has handled.
    fn reminder_action(
        inner: &Inner,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::schedule::Action {
        let quiet = inner.discreet || inner.engine().is_some_and(|e| e.session_id().is_some());
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
        let last = inner
            .engine()
            .and_then(|e| e.diary().last_session_times().ok().flatten())
            .map(|(s, e)| (at(s), at(e)));
        inner
            .prefs
            .schedule
            .decide(last, &inner.reminders, quiet, now, &chrono::Local)
    }

    /// How long the timer may sleep before the reminder needs a look.
    fn reminder_wait(&self) -> Option<Duration> {
        let now = chrono::Utc::now();
        match Self::reminder_action(&self.inner(), now) {
            crate::schedule::Action::Wait(None) => None,
            crate::schedule::Action::Wait(Some(at)) => Some(
                (at - now)
                    .to_std()
                    .unwrap_or_default()
                    .min(REMINDER_RECHECK),
            ),
            _ => Some(Duration::ZERO),
        }
    }

    /// Shows the reminder that is due, once, or lets it pass quietly.
    fn remind<R: Runtime>(&self, app: &AppHandle<R>) {
        let now = chrono::Utc::now();
        let (due, detail) = {
            let mut inner = self.inner();
            let due = match Self::reminder_action(&inner, now) {
                crate::schedule::Action::Wait(_) => return,
                crate::schedule::Action::Skip(_) => None,
                crate::schedule::Action::Remind(due) => Some(due),
            };
            inner.reminders.handle(now);
            if let (Some(engine), Ok(json)) =
                (inner.engine(), serde_json::to_string(&inner.reminders))
            {
                let _ = engine.diary().set_setting(REMINDERS_KEY, &json);
            }
            let last = inner
                .engine()
                .and_then(|e| e.diary().last_session_times().ok().flatten());
            let text = crate::reminder::text(
                inner.prefs.reminder_detail,
                last.map(|(_, ended)| ended),
                now.timestamp_millis(),
            );
            (due, text)
        };
        if let Some(due) = due {
            crate::reminder::show(app, detail);
            let _ = app.emit(REMINDER_SHOWN, due.timestamp_millis());
        }
    }

    /// The last session, the next reminder and what the reminder last did.
    pub fn schedule_status(&self) -> Result<ScheduleStatus> {
        let inner = self.inner();
        let engine = inner.engine().ok_or_else(|| self.unopened(&inner))?;
        let last = engine.diary().last_session_times()?;
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
        let ms = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
        let next = inner.prefs.schedule.next_reminder(
            last.map(|(s, e)| (at(s), at(e))),
            inner.reminders.handled,
            chrono::Utc::now(),
            &chrono::Local,
        );
        Ok(ScheduleStatus {
            on: inner.prefs.schedule.kind != crate::schedule::Kind::Off,
            last_ended_ms: last.map(|(_, e)| e),
            next_due_ms: inner.reminders.snoozed_until.or(next).map(ms),
            reminded_ms: inner.reminders.handled.map(ms),
            snoozed_until_ms: inner.reminders.snoozed_until.map(ms),
            paused_today: inner.reminders.paused_on == Some(chrono::Local::now().date_naive()),
        })
    }

    /// "Remind me in 15 (or 30) minutes", from the notification or the calm screen.
    pub fn snooze(&self, minutes: u32) -> Result<()> {
        let mut inner = self.inner();
        let until = chrono::Utc::now() + chrono::Duration::minutes(i64::from(minutes.clamp(5, 60)));
        inner.reminders.snoozed_until = Some(until);
        self.keep_reminders(&inner)?;
        drop(inner);
        let _ = self.wake.send(());
        Ok(())
    }

    /// The first time closing the window keeps Letdown in the tray, says so
    /// once, in a notification (the window is gone).
    pub fn explain_tray_once<R: Runtime>(&self, app: &AppHandle<R>) {
        let inner = self.inner();
        let Some(diary) = inner.engine().map(|e| e.diary()) else {
            return;
        };
        if diary.setting(TRAY_EXPLAINED_KEY).ok().flatten().is_some() {
            return;
        }
        let _ = diary.set_setting(TRAY_EXPLAINED_KEY, "true");
        drop(inner);
        let _ = app
            .notification()
            .builder()
            .title("Letdown is still here")
            .body("It stays in the tray to remind you when a session is due. To close it, choose Quit in its menu.")
            .show();
    }

    /// "Pause reminders today".
    pub fn pause_reminders_today(&self) -> Result<()> {
        let mut inner = self.inner();
        inner.reminders.paused_on = Some(chrono::Local::now().date_naive());
        inner.reminders.snoozed_until = None;
        self.keep_reminders(&inner)?;
        drop(inner);
        let _ = self.wake.send(());
        Ok(())
    }

    fn keep_reminders(&self, inner: &Inner) -> Result<()> {
        let engine = inner.engine().ok_or_else(|| self.unopened(inner))?;
        let json =
            serde_json::to_string(&inner.reminders).map_err(|e| Error::Invalid(e.to_string()))?;
        engine.diary().set_setting(REMINDERS_KEY, &json)
    }

    /// Moves the session on by the clock, and says so if a step ended.
    /// When the last session ended (UTC ms), if the diary says.
    fn last_ended(&self) -> Option<i64> {
        let engine = self.lock().ok()?;
        let last = engine.diary().last_session_times().ok().flatten();
        last.map(|(_, ended)| ended)
    }

    /// How long the timer may sleep before the tray's words change.
    fn tray_wait<R: Runtime>(&self, app: &AppHandle<R>) -> Option<Duration> {
        if !crate::tray::is_shown(app) {
            return None;
        }
        crate::tray::next_change(self.last_ended(), chrono::Local::now())
    }

    fn tick<R: Runtime>(&self, app: &AppHandle<R>) {
        self.remind(app);
        if crate::tray::is_shown(app) {
            crate::tray::update(app, self.last_ended());
        }
        let finished = self.lock().and_then(|mut e| e.tick());
        if let Ok(finished) = finished {
            if !finished.is_empty() {
                self.publish(app, &finished);
            }
        }
    }

    /// Tells the UI what changed (from one place, after the write is durable),
    /// chimes for finished steps and notifies when the window is not in front.
    pub fn publish<R: Runtime>(&self, app: &AppHandle<R>, finished: &[StepFinished]) {
        let (snapshot, prefs, discreet) = {
            let mut inner = self.inner();
            self.follow(&mut inner);
            let snapshot = inner.engine().map(|e| e.snapshot());
            (snapshot, inner.prefs.clone(), inner.discreet)
        };
        if let Some(snapshot) = snapshot {
            let _ = app.emit(SESSION_CHANGED, &snapshot);
        }
        if prefs.chimes && !discreet && !finished.is_empty() {
            self.audio.chime();
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
        // The tray says how long since the last session.
        if finished.is_empty() {
            crate::tray::update(app, self.last_ended());
        }
        // Deadlines may have moved: let the timer thread look again.
        let _ = self.wake.send(());
    }
}

/// What the idle screen says of the schedule (times in UTC ms).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduleStatus {
    pub on: bool,
    pub last_ended_ms: Option<i64>,
    pub next_due_ms: Option<i64>,
    /// When a reminder was last shown or let pass.
    pub reminded_ms: Option<i64>,
    pub snoozed_until_ms: Option<i64>,
    pub paused_today: bool,
}

/// Sleeps until the engine's next deadline (or a wake), then ticks it.
fn start_timer<R: Runtime>(handle: AppHandle<R>, wake: mpsc::Receiver<()>) {
    let spawned = std::thread::Builder::new()
        .name("letdown-timer".into())
        .spawn(move || loop {
            let state = handle.try_state::<AppState>();
            let session = state
                .as_ref()
                .and_then(|s| s.lock().ok().and_then(|e| e.next_wake()));
            let reminder = state.as_ref().and_then(|s| s.reminder_wait());
            let tray = state.as_ref().and_then(|s| s.tray_wait(&handle));
            let wait = [session, reminder, tray]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(Duration::from_secs(3600));
            match wake.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {
                    if let Some(state) = handle.try_state::<AppState>() {
                        state.tick(&handle);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        });
    if let Err(e) = spawned {
        eprintln!("Letdown: no timer thread: {e}");
    }
}

/// The engine, borrowed from `AppState`'s one lock for as long as it lives.
pub struct EngineGuard<'a>(MutexGuard<'a, Inner>);

impl std::ops::Deref for EngineGuard<'_> {
    type Target = Engine<SystemClock>;
    fn deref(&self) -> &Self::Target {
        match &self.0.diary {
            Ok(opened) => &opened.engine,
            Err(_) => unreachable!("an EngineGuard is only made for an open diary"),
        }
    }
}

impl std::ops::DerefMut for EngineGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0.diary {
            Ok(opened) => &mut opened.engine,
            Err(_) => unreachable!("an EngineGuard is only made for an open diary"),
        }
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

/// Runs `convert_old_clip` on a thread of its own, once the state is managed:
/// the probe may take a moment, and the window should not wait for it.
pub fn convert_old_clip_soon<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let _ = std::thread::Builder::new()
        .name("letdown-old-clip".into())
        .spawn(move || {
            if let Some(state) = app.try_state::<AppState>() {
                state.convert_old_clip();
            }
        });
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
fn open_diary(dir: &std::path::Path) -> Result<(Opened, Option<Recovered>)> {
    std::fs::create_dir_all(dir).map_err(|e| Error::DataDir(e.to_string()))?;
    let lock = lock_data_dir(dir)?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let (diary, recovered) = recovery::open(&dir.join(DIARY_FILE), &stamp)?;
    let engine = Engine::open(diary, SystemClock::default())?;
    Ok((
        Opened {
            engine,
            _lock: lock,
        },
        recovered,
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
