//! The app's real capabilities, compiled in by `generate_context!`, decide which
//! webview may call which command. Runs on Tauri's mock runtime (no window).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewUrl, WebviewWindowBuilder};

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
