//! The IPC surface: thin functions that validate input, call the domain and map errors.
//! Every command here must also be listed in build.rs and allowed in capabilities/.

pub mod diary;
pub mod media;
pub mod prefs;
pub mod session;
pub mod sound;
pub mod stash;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::engine::Snapshot;
use crate::error::{Error, Result};
use crate::prefs::{Draft, Prefs};
use crate::routine::Routine;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Where the diary and media are kept, shown so a parent can back them up.
    pub data_dir: String,
    /// Something the parent must know as the window opens (a damaged diary
    /// kept aside and repaired, or one that could not be opened), in plain words.
    pub notice: Option<String>,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    let notice = app
        .try_state::<crate::state::AppState>()
        .and_then(|s| s.notice());
    let data_dir = app
        .path()
        .app_data_dir()
        .map_err(|e| Error::DataDir(e.to_string()))?;
    Ok(AppInfo {
        name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        data_dir: data_dir.display().to_string(),
        notice,
    })
}

/// One part of the start-up answer: `{"ok": value}`, or `{"error": {kind,
/// message, retryable}}` as a command's error would be, so a diary that cannot be opened
/// still lets the prefs and the app's details through.
#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part<T> {
    Ok(T),
    Error(Error),
}

impl<T> From<Result<T>> for Part<T> {
    fn from(result: Result<T>) -> Self {
        result.map_or_else(Part::Error, Part::Ok)
    }
}

/// Everything the calm screen needs for its first paint, in one call: each
/// IPC round trip on the way to the first paint delays it.
#[derive(Debug, Serialize)]
pub struct Startup {
    pub prefs: Prefs,
    pub routines: Part<Vec<Routine>>,
    pub photos: Part<media::Photos>,
    pub sound: Part<sound::Sound>,
    /// The session, or why the diary is not open (and whether "Try again" may help).
    pub state: Part<Snapshot>,
    /// The finish sheet's draft, when a session is in progress.
    pub draft: Part<Option<Draft>>,
    /// Asked last, so its notice says how opening the diary ended.
    pub info: Part<AppInfo>,
}

#[tauri::command]
pub fn startup<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Startup {
    startup_answer(&app, &state)
}

/// The `startup` answer; also handed to the main window before its page
/// loads (`crate::open_main_window`).
pub fn startup_answer<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Startup {
    Startup {
        prefs: state.prefs(),
        routines: state.lock().and_then(|e| e.diary().routines()).into(),
        photos: media::photos(state).into(),
        sound: sound::sound(state).into(),
        state: state.lock().map(|e| e.snapshot()).into(),
        draft: prefs::draft(state).into(),
        info: app_info(app.clone()).into(),
    }
}

/// The main window's first script, run before its page: the `startup`
/// answer as `__LETDOWN_STARTUP__` (`null` if it could not be written; the UI
/// then asks over IPC), and the shown photo's window-sized copy fetched (not
/// decoded) at once, so its bytes are cached before the page's modules have
/// loaded (BENCHMARKS.md, start-up).
pub fn first_script(answer: &Startup) -> String {
    // JSON is a JavaScript expression.
    let json = serde_json::to_string(answer).unwrap_or_else(|_| "null".into());
    let mut script = format!("globalThis.__LETDOWN_STARTUP__ = {json};");
    let active = match &answer.photos {
        Part::Ok(photos) => photos.active.as_deref(),
        Part::Error(_) => None,
    };
    if let Some(id) = active.and_then(|id| serde_json::to_string(id).ok()) {
        // Kept in a global so the load is not dropped with the element; the
        // UI's `mediaUrl` builds the same address.
        script.push_str(&format!(
            "globalThis.__LETDOWN_PHOTO__ = new Image(); \
             globalThis.__LETDOWN_PHOTO__.src = \"{}/window/\" + encodeURIComponent({id});",
            media::BASE_URL
        ));
    }
    script
}

/// Points on the way to the first paint, in ms since `run()` began; kept
/// only for the start-up benchmark (`LETDOWN_REPORT_READY`).
static MARKS: std::sync::Mutex<Vec<(&str, f64)>> = std::sync::Mutex::new(Vec::new());
static RUN: std::sync::OnceLock<(std::time::Instant, std::time::SystemTime)> =
    std::sync::OnceLock::new();

fn run_began() -> &'static (std::time::Instant, std::time::SystemTime) {
    RUN.get_or_init(|| (std::time::Instant::now(), std::time::SystemTime::now()))
}

/// Notes that start-up reached `what`, when the benchmark asks for it.
pub fn mark(what: &'static str) {
    if std::env::var_os("LETDOWN_REPORT_READY").is_none() {
        return;
    }
    let ms = run_began().0.elapsed().as_secs_f64() * 1e3;
    if let Ok(mut marks) = MARKS.lock() {
        marks.push((what, ms));
    }
}

/// The main window is made hidden (tauri.conf.json) and shown by the UI
/// through this command as soon as its script runs: shown earlier, WebKitGTK
/// could stall its first draw (BENCHMARKS.md, start-up). `open_main_window`
/// shows it anyway if the page's scripts have not within
/// `SHOWN_BY_THE_UI_WITHIN` of the page loading.
#[tauri::command]
pub fn show_window<R: Runtime>(window: tauri::WebviewWindow<R>) {
    if !stays_hidden(window.app_handle()) {
        reveal(&window);
    }
}

/// Opened at login (`--hidden`) with a tray to open it from: the window stays
/// hidden until the parent opens it (the tray, a reminder, a second launch).
pub struct StartHidden(pub std::sync::atomic::AtomicBool);

fn stays_hidden<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<StartHidden>()
        .is_some_and(|h| h.0.load(std::sync::atomic::Ordering::Relaxed))
}

/// How long after its page has loaded the main window is shown even if the
/// UI has not shown it: its scripts failed to load or run.
pub const SHOWN_BY_THE_UI_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Shows the window if its page's scripts have not (they failed to load or
/// run), with the page's own message for that (`#not-started` in
/// index.html) instead of an empty window. Should the scripts only be slow,
/// they take the message away as they draw the screen.
pub fn show_not_started<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    if window.is_visible().unwrap_or(true) || stays_hidden(window.app_handle()) {
        return;
    }
    eprintln!(
        "Letdown: the window's scripts had not started {} s after its page loaded",
        SHOWN_BY_THE_UI_WITHIN.as_secs()
    );
    let _ = window.eval("document.body.dataset.notStarted = ''");
    reveal(window);
}

/// Brings the window in front with the keyboard (a second launch): restored
/// if minimised, and shown by `reveal` if it is still hidden at start-up.
pub fn bring_to_front<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    if let Some(hidden) = window.app_handle().try_state::<StartHidden>() {
        hidden.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
    let _ = window.unminimize();
    if window.is_visible().unwrap_or(true) {
        let _ = window.set_focus();
    } else {
        reveal(window);
    }
}

/// Shows a hidden window and gives it the keyboard; a shown one is left be.
pub fn reveal<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    if window.is_visible().unwrap_or(true) {
        return;
    }
    mark("shown");
    // On Linux tao shows a window through a queue of its own, and drops a
    // focus request for a window that is not shown yet, as this one would
    // be: here GTK shows it (as tao does, with everything in it) and
    // `present` gives it the keyboard, at once.
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::{GtkWindowExt, WidgetExt};
        let shown = window.clone();
        let presented = window.run_on_main_thread(move || match shown.gtk_window() {
            Ok(gtk) => {
                gtk.show_all();
                gtk.present();
            }
            Err(_) => {
                let _ = shown.show();
            }
        });
        if presented.is_ok() {
            return;
        }
    }
    let _ = window.show();
    let _ = window.set_focus();
}

/// The UI calls this once the calm screen is painted with the photo. With
/// `LETDOWN_REPORT_READY` set it prints `ready` so the performance harness
/// (`scripts/bench-vs-baseline.sh`) can time start-up from outside, after
/// two lines of timings: `rust {…}` (ms since `run()` began, with `page`,
/// when the page began loading) and `page {…}` (the UI's own, in ms since
/// the page began loading); otherwise it does nothing.
#[tauri::command]
pub fn ui_ready(mut marks: Option<BTreeMap<String, f64>>) {
    if std::env::var_os("LETDOWN_REPORT_READY").is_none() {
        return;
    }
    mark("ready");
    if let Ok(rust) = MARKS.lock() {
        let mut rust: BTreeMap<_, _> = rust.iter().copied().collect();
        // The page's clock began at `origin` (ms since the epoch): put its
        // start on Rust's time line too.
        let origin = marks.as_mut().and_then(|m| m.remove("origin"));
        let began = run_began().1.duration_since(std::time::UNIX_EPOCH);
        if let (Some(origin), Ok(began)) = (origin, began) {
            rust.insert("page", origin - began.as_secs_f64() * 1e3);
        }
        println!("rust {}", serde_json::to_string(&rust).unwrap_or_default());
    }
    if let Some(marks) = marks.and_then(|m| serde_json::to_string(&m).ok()) {
        println!("page {marks}");
    }
    println!("ready");
}

/// A path the file dialog or a drop handed over: absolute and of sane length.
pub fn picked_path(path: &str, what: &str) -> Result<PathBuf> {
    let source = PathBuf::from(path);
    if path.len() > 4096 || !source.is_absolute() {
        return Err(Error::BadFile(format!("Please choose a {what} file.")));
    }
    Ok(source)
}

/// Runs work that waits on a child process (the media probe) on the async
/// runtime's blocking pool, so no runtime worker is held while it runs.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .unwrap_or_else(|_| Err(Error::MediaWrite("the import stopped".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the UI keeps in constants.js, read as written there.
    fn ui_constant(name: &str) -> &'static str {
        let js = include_str!("../../../ui/js/constants.js");
        let start = format!("export const {name} = ");
        js.lines()
            .find_map(|line| line.strip_prefix(start.as_str()))
            .and_then(|rest| rest.strip_suffix(';'))
            .unwrap_or_else(|| panic!("constants.js has no `{start}…;` line"))
    }

    #[test]
    fn the_ui_and_rust_agree_on_their_shared_constants() {
        let ml_per_oz: f64 = ui_constant("ML_PER_OZ").parse().unwrap();
        assert_eq!(ml_per_oz, crate::prefs::ML_PER_OZ);
        let events: serde_json::Value = serde_json::from_str(
            &ui_constant("EVENTS")
                .replace("{ changed:", "{ \"changed\":")
                .replace(", audio:", ", \"audio\":"),
        )
        .unwrap();
        assert_eq!(events["changed"], crate::state::SESSION_CHANGED);
        assert_eq!(events["audio"], crate::state::SOUND_STATUS);
        let reminders: serde_json::Value =
            serde_json::from_str(ui_constant("REMINDER_EVENTS")).unwrap();
        assert_eq!(reminders["shown"], crate::state::REMINDER_SHOWN);
        assert_eq!(reminders["opened"], crate::state::REMINDER_OPENED);
        assert_eq!(reminders["trayStart"], crate::tray::TRAY_START);
        let base = |name| serde_json::from_str::<String>(ui_constant(name)).unwrap();
        let here = if cfg!(windows) {
            "MEDIA_BASE_WINDOWS"
        } else {
            "MEDIA_BASE"
        };
        assert_eq!(base(here), media::BASE_URL);
        assert_ne!(base("MEDIA_BASE"), base("MEDIA_BASE_WINDOWS"));
        let clips: Vec<String> = serde_json::from_str(ui_constant("CLIP_EXTENSIONS")).unwrap();
        assert_eq!(
            clips,
            crate::clip::EXTENSIONS,
            "the file picker offers what Rust takes"
        );
        let videos: Vec<String> = serde_json::from_str(ui_constant("VIDEO_EXTENSIONS")).unwrap();
        assert_eq!(videos, crate::media::VIDEO_EXTENSIONS);
        let mimes: std::collections::HashMap<String, String> =
            serde_json::from_str(ui_constant("VIDEO_MIME")).unwrap();
        for ext in crate::media::VIDEO_EXTENSIONS {
            assert_eq!(mimes[ext], crate::media::video_mime(ext), "{ext}");
        }
    }

    fn answer(photos: Part<media::Photos>) -> Startup {
        let gone = || Error::DataDir("gone".into());
        Startup {
            prefs: Prefs::default(),
            routines: Part::Error(gone()),
            photos,
            sound: Part::Error(gone()),
            state: Part::Error(gone()),
            draft: Part::Ok(None),
            info: Part::Error(gone()),
        }
    }

    #[test]
    fn the_first_script_carries_the_answer_and_fetches_the_shown_photo() {
        let photos = media::Photos {
            photos: Vec::new(),
            active: Some("ab\"c".into()),
        };
        let script = first_script(&answer(Part::Ok(photos)));
        assert!(script.starts_with("globalThis.__LETDOWN_STARTUP__ = {\"prefs\":"));
        assert!(script.contains(r#""active":"ab\"c""#), "{script}");
        // The id goes in as a JSON string, encoded by the page.
        assert!(
            script.ends_with(&format!(
                "src = \"{}/window/\" + encodeURIComponent(\"ab\\\"c\");",
                media::BASE_URL
            )),
            "{script}"
        );
    }

    #[test]
    fn with_no_photo_shown_the_first_script_fetches_none() {
        let none = media::Photos {
            photos: Vec::new(),
            active: None,
        };
        for photos in [Part::Ok(none), Part::Error(Error::DataDir("gone".into()))] {
            let script = first_script(&answer(photos));
            assert!(script.starts_with("globalThis.__LETDOWN_STARTUP__ = "));
            assert!(!script.contains("new Image()"), "{script}");
        }
    }
}
