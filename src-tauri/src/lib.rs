//! Letdown: wires the app together — plugins, shared state and the IPC commands.
//! Domain logic lives in its own modules and knows nothing of Tauri.

pub mod audio;
pub mod backup;
pub mod charts;
pub mod clip;
mod commands;
pub mod diary;
mod disk;
pub mod engine;
pub mod error;
pub mod export;
pub mod faststart;
pub mod fragment;
pub mod history;
pub mod insights;
pub mod media;
pub mod prefs;
pub mod probe;
pub mod pump;
pub mod recovery;
mod reminder;
pub mod routine;
pub mod schedule;
#[doc(hidden)]
pub mod seed;
pub mod session;
pub mod stash;
mod state;
mod tray;

pub use error::Error;

use tauri::{AppHandle, Builder, Context, Manager, Runtime, WebviewWindowBuilder};
use tauri_plugin_window_state::StateFlags;

/// The argument the login item starts Letdown with: hidden, in the tray.
pub const HIDDEN_ARG: &str = "--hidden";

/// Opens the diary and starts the sound and timer threads: `setup`'s first
/// step, public for tests on the mock runtime, which never runs `setup`.
pub fn start_state<R: Runtime>(app: &AppHandle<R>) {
    app.manage(state::AppState::start(app));
    state::convert_old_clip_soon(app);
}

/// Everything the app is, minus the runtime: `run()` passes the real builder,
/// tests pass `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        // Everything but whether the window was visible: it is made hidden
        // and shown by its page's script (`commands::show_window`).
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        // Opening at login, started hidden in the tray (`--hidden`, below).
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .app_name("Letdown")
                .arg(HIDDEN_ARG)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        // Off the main thread: a video is read in 4 MB ranges as it plays.
        .register_asynchronous_uri_scheme_protocol("media", |ctx, request, responder| {
            let media = state::media_dir(ctx.app_handle());
            tauri::async_runtime::spawn_blocking(move || {
                let range = request
                    .headers()
                    .get(tauri::http::header::RANGE)
                    .and_then(|r| r.to_str().ok());
                responder.respond(commands::media::serve(
                    media.as_ref(),
                    request.uri().path(),
                    range,
                ))
            });
        })
        // With reminders on, closing the window keeps Letdown in the tray.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                if window.label() == "main" && tray::keeps_running(app) {
                    api.prevent_close();
                    let _ = window.hide();
                    if let Some(state) = app.try_state::<state::AppState>() {
                        state.explain_tray_once(app);
                    }
                }
            }
        })
        .setup(|app| {
            commands::mark("setup");
            start_state(app.handle());
            // No tray is no reason not to start: closing then quits.
            let tray = tray::start(app.handle()).unwrap_or_else(|e| {
                eprintln!("Letdown: no tray: {e}");
                false
            });
            // Opened at login: hidden in the tray, if there is one to open it from.
            let hidden = tray && std::env::args().any(|a| a == HIDDEN_ARG);
            app.manage(commands::StartHidden(hidden.into()));
            open_main_window(app.handle())?;
            commands::mark("setup_done");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::startup,
            commands::ui_ready,
            commands::show_window,
            commands::session::get_state,
            commands::session::reopen_diary,
            commands::session::save_routine,
            commands::session::start_session,
            commands::session::session_intent,
            commands::session::finish_session,
            commands::session::discard_session,
            commands::session::undo_discard,
            commands::media::list_photos,
            commands::media::import_photo,
            commands::media::set_active_photo,
            commands::media::set_photo_focus,
            commands::media::stage_video,
            commands::media::add_video,
            commands::media::discard_video,
            commands::sound::get_sound,
            commands::sound::set_sound,
            commands::sound::retry_sound,
            commands::sound::preview_sound,
            commands::sound::import_clip,
            commands::sound::use_video_sound,
            commands::prefs::get_prefs,
            commands::prefs::set_prefs,
            commands::prefs::keep_draft,
            commands::prefs::get_draft,
            commands::prefs::set_discreet,
            commands::prefs::list_backups,
            commands::prefs::restore_backup,
            commands::media::remove_photo,
            commands::diary::diary_page,
            commands::diary::diary_tags,
            commands::diary::session_detail,
            commands::diary::edit_session,
            commands::diary::delete_session,
            commands::diary::undelete_session,
            commands::diary::diary_charts,
            commands::diary::diary_insights,
            commands::stash::get_pumps,
            commands::stash::save_pump,
            commands::stash::remove_pump,
            commands::stash::save_part,
            commands::stash::remove_part,
            commands::stash::replace_part,
            commands::stash::quiet_part,
            commands::stash::set_pump_settings,
            commands::stash::get_stash,
            commands::stash::use_milk,
            commands::stash::unuse_milk,
            commands::stash::thaw_milk,
            commands::stash::freeze_milk,
            commands::stash::label_milk,
            commands::prefs::schedule_status,
            commands::prefs::snooze_reminder,
            commands::prefs::pause_reminders_today,
            commands::prefs::get_autostart,
            commands::prefs::set_autostart,
            commands::diary::diary_report,
            commands::diary::export_diary,
            commands::diary::print_report,
        ])
}

/// Opens the main window as configured (it is `"create": false` so that it
/// is made here, once the diary is open) with the `startup` answer already
/// in its page as `__LETDOWN_STARTUP__` (`commands::first_script`): the calm
/// screen is drawn, photo and all, without waiting for a round trip to Rust,
/// which on a slow machine waits behind the page's own first layout. The UI
/// takes it only on the first load; a reload asks again.
fn open_main_window<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let config = app.config().app.windows.iter().find(|w| w.label == "main");
    let (Some(config), None) = (config, app.get_webview_window("main")) else {
        return Ok(());
    };
    let answer = commands::startup_answer(app, &app.state());
    let window = WebviewWindowBuilder::from_config(app, config)?
        .initialization_script(commands::first_script(&answer))
        .on_page_load(|window, page| {
            // The UI shows the window as its script starts (`show_window`).
            // Should the page's scripts never run, it is shown anyway, a
            // little later, saying so.
            if page.event() == tauri::webview::PageLoadEvent::Finished {
                std::thread::spawn(move || {
                    std::thread::sleep(commands::SHOWN_BY_THE_UI_WITHIN);
                    commands::show_not_started(&window);
                });
            }
        })
        .build()?;
    allow_media_reads(&window)
}

/// WebKitGTK's media player cannot load a video from a custom scheme
/// (WebKit bug 146351; tauri#3725), so on Linux the page reads the video
/// from `media:` with `fetch` and plays it through a Media Source (a WebM
/// from a `blob:` URL); `fetch` across schemes needs the scheme marked as
/// allowing CORS. WebView2 and
/// WKWebView play `media:` URLs themselves, with ranges.
#[cfg(target_os = "linux")]
fn allow_media_reads<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        use webkit2gtk::{SecurityManagerExt, WebContextExt, WebViewExt};
        if let Some(security) = webview.inner().context().and_then(|c| c.security_manager()) {
            security.register_uri_scheme_as_cors_enabled("media");
        }
    })
}

#[cfg(not(target_os = "linux"))]
fn allow_media_reads<R: Runtime>(_: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    Ok(())
}

/// The app's configuration, embedded UI and compiled capabilities.
pub fn context<R: Runtime>() -> Context<R> {
    tauri::generate_context!()
}

pub fn run() {
    // A probe's environment never starts the app (probe.rs).
    if std::env::var_os(probe::CHILD_ENV).is_some() {
        std::process::exit(2);
    }
    commands::mark("run");
    // First, so a second launch hands over before anything else starts: the
    // running window comes to the front and the new process exits. Not in
    // `build_app`: tests build many apps in one process, and a taken name
    // makes the plugin exit the process. (The diary's own lock, in
    // `state::lock_data_dir`, still keeps a second writer out where there is
    // no session bus.)
    let builder =
        Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                commands::bring_to_front(&window);
            }
        }));
    if let Err(e) = build_app(builder).run(context()) {
        eprintln!("Letdown could not start: {e}");
        std::process::exit(1);
    }
}
