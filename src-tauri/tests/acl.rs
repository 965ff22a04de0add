//! The app's real capabilities, compiled in by `generate_context!`, decide which
//! webview may call which command. Runs on Tauri's mock runtime (no window).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

fn request(cmd: &str, url: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().unwrap(),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn app() -> tauri::App<tauri::test::MockRuntime> {
    // The app opens its diary in the data folder: keep that away from a
    // developer's real diary (Linux's XDG folders; these tests run on Linux).
    static DATA_HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let home = DATA_HOME.get_or_init(|| tempfile::tempdir().unwrap());
    std::env::set_var("XDG_DATA_HOME", home.path());
    std::env::set_var("XDG_CONFIG_HOME", home.path());
    letdown::build_app(mock_builder())
        .build(letdown::context())
        .expect("the app builds on the mock runtime")
}

// The origin the app's own pages have on Linux and macOS.
const LOCAL: &str = "tauri://localhost";

#[test]
fn the_main_window_may_ask_for_app_info() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .unwrap();
    let info = get_ipc_response(&main, request("app_info", LOCAL))
        .expect("app_info is allowed for the main window")
        .deserialize::<serde_json::Value>()
        .unwrap();
    assert_eq!(info["name"], "Letdown");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_window_no_capability_names_is_refused() {
    let app = app();
    let other = WebviewWindowBuilder::new(&app, "intruder", WebviewUrl::default())
        .build()
        .unwrap();
    let refusal = get_ipc_response(&other, request("app_info", LOCAL))
        .expect_err("app_info must need an explicit permission");
    assert!(
        refusal.to_string().contains("not allowed"),
        "unexpected refusal: {refusal}"
    );
}

#[test]
fn a_remote_page_in_the_main_window_is_refused() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .unwrap();
    let refusal = get_ipc_response(&main, request("app_info", "https://example.com"))
        .expect_err("remote origins get no commands");
    assert!(
        refusal.to_string().contains("not allowed"),
        "unexpected refusal: {refusal}"
    );
}

#[test]
fn a_command_the_capability_does_not_grant_is_refused() {
    let app = app();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .unwrap();
    let refusal = get_ipc_response(&main, request("plugin:window|close", LOCAL))
        .expect_err("closing the window is not granted");
    assert!(
        refusal.to_string().contains("not allowed"),
        "unexpected refusal: {refusal}"
    );
}

fn call(
    window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let mut req = request(cmd, LOCAL);
    req.body = InvokeBody::Json(body);
    get_ipc_response(window, req)
        .map(|r| r.deserialize::<serde_json::Value>().unwrap())
        .map_err(|e| e.to_string())
}

#[test]
fn wrong_types_and_unknown_fields_get_a_clear_error_and_change_nothing() {
    let mut app = app();
    // One turn of the (mock) event loop runs the app's setup: its state is managed.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    // The setup made the configured main window.
    let main = app.get_webview_window("main").expect("the main window");
    let prefs_before = call(&main, "get_prefs", serde_json::json!({})).unwrap();
    for (cmd, body, arg) in [
        (
            "set_prefs",
            serde_json::json!({ "change": { "theme": 5 } }),
            "change",
        ),
        (
            "set_prefs",
            serde_json::json!({ "change": { "colour": "red" } }),
            "change",
        ),
        (
            "set_prefs",
            serde_json::json!({ "change": { "rotate_minutes": -1 } }),
            "change",
        ),
        ("set_prefs", serde_json::json!({}), "change"),
        (
            "start_session",
            serde_json::json!({ "routineId": "one" }),
            "routineId",
        ),
        (
            "session_intent",
            serde_json::json!({ "intent": { "kind": "explode" } }),
            "intent",
        ),
        (
            "session_intent",
            serde_json::json!({ "intent": { "kind": "side", "side": "middle" } }),
            "intent",
        ),
        (
            "set_sound",
            serde_json::json!({ "change": { "volume": 1000 } }),
            "change",
        ),
        (
            "diary_page",
            serde_json::json!({ "filter": { "from": "yesterday" } }),
            "filter",
        ),
        (
            "diary_charts",
            serde_json::json!({ "from": "2026-01-01", "to": [] }),
            "to",
        ),
        ("restore_backup", serde_json::json!({ "name": 7 }), "name"),
        (
            "save_routine",
            serde_json::json!({ "routine": { "id": 0, "name": "x", "steps": [], "sneaky": true } }),
            "routine",
        ),
    ] {
        let refusal =
            call(&main, cmd, body.clone()).expect_err(&format!("{cmd} {body} is refused"));
        assert!(
            refusal.contains(&format!("invalid args `{arg}` for command `{cmd}`")),
            "{cmd} {body}: {refusal}"
        );
    }
    // Values of the right type but out of range get the app's own plain words.
    let refusal = call(
        &main,
        "set_sound",
        serde_json::json!({ "change": { "volume": 101 } }),
    )
    .unwrap_err();
    assert!(refusal.contains("Volume goes from 0 to 100"), "{refusal}");
    let refusal = call(
        &main,
        "restore_backup",
        serde_json::json!({ "name": "../diary.sqlite3" }),
    )
    .unwrap_err();
    assert!(
        refusal.contains("not one of Letdown's backups"),
        "{refusal}"
    );
    let refusal = call(
        &main,
        "import_photo",
        serde_json::json!({ "path": "relative/photo.jpg" }),
    )
    .unwrap_err();
    assert!(refusal.contains("Please choose a photo file"), "{refusal}");
    // Nothing changed, and the app still answers.
    assert_eq!(
        call(&main, "get_prefs", serde_json::json!({})).unwrap(),
        prefs_before
    );
    assert_eq!(
        call(&main, "app_info", serde_json::json!({})).unwrap()["name"],
        "Letdown"
    );
}

/// The names between `start` and the `end` after it in `text`, each the last
/// word of a line (`commands::session::get_state,` or `"get_state",`).
fn listed(text: &str, start: &str, end: &str) -> std::collections::BTreeSet<String> {
    let from = text.find(start).expect(start) + start.len();
    let to = from + text[from..].find(end).expect(end);
    text[from..to]
        .lines()
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"'))
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| l.rsplit("::").next().unwrap().to_string())
        .collect()
}

#[test]
fn every_command_is_registered_declared_and_allowed_alike() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(dir.join(path)).unwrap();
    let handled = listed(&read("src/lib.rs"), "generate_handler![", "]");
    let declared = listed(&read("build.rs"), "&[", "]");
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let allowed: std::collections::BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert!(handled.len() > 30, "{handled:?}");
    assert_eq!(
        handled, declared,
        "src/lib.rs's generate_handler! and build.rs"
    );
    assert_eq!(handled, allowed, "src/lib.rs and capabilities/main.json");
}
