//! A diary that was busy at start-up, then freed: changing a preference
//! answers (it once deadlocked, retrying the diary inside the prefs lock),
//! and "Try again" (`reopen_diary`) opens it. On Tauri's mock runtime, with a
//! real diary file held by another connection.

mod common;

use common::{invoke, mock_app};
use serde_json::json;

#[test]
fn a_diary_freed_after_start_up_takes_changes_after_try_again() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("XDG_DATA_HOME", home.path());
    std::env::set_var("XDG_CONFIG_HOME", home.path());
    let data = home.path().join("app.letdown.desktop");
    std::fs::create_dir_all(&data).unwrap();
    let file = data.join("diary.sqlite3");

    // Another program holds the diary as Letdown starts.
    let other = rusqlite::Connection::open(&file).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (_app, main) = mock_app();
    let refused = invoke(&main, "get_state", json!({})).expect_err("the diary is busy");
    assert_eq!(refused["kind"], "diary_busy");
    assert_eq!(refused["retryable"], true, "{refused}");

    // It lets go; the parent changes a preference before pressing Try again.
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    // Taking the engine never opens the diary by itself: each answers, saying
    // the diary is still not open, and the parent can try again.
    for (cmd, change) in [
        ("set_prefs", json!({ "breathing": true })),
        ("set_sound", json!({ "volume": 40 })),
    ] {
        let early = invoke(&main, cmd, json!({ "change": change })).expect_err(cmd);
        assert_eq!(early["retryable"], true, "{cmd}: {early}");
    }

    // Try again opens the diary, and changes are saved in it.
    invoke(&main, "reopen_diary", json!({})).expect("the freed diary opens");
    let prefs = invoke(
        &main,
        "set_prefs",
        json!({ "change": { "breathing": true } }),
    )
    .expect("prefs are saved once the diary is open");
    assert_eq!(prefs["breathing"], true);
    let sound = invoke(&main, "set_sound", json!({ "change": { "volume": 40 } }))
        .expect("sound prefs are saved once the diary is open");
    assert_eq!(sound["prefs"]["volume"], 40);
    invoke(&main, "get_state", json!({})).expect("the engine answers");

    let kept = rusqlite::Connection::open(&file).unwrap();
    let volume: String = kept
        .query_row("SELECT value FROM settings WHERE key = 'volume'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(volume, "40");
    let prefs: String = kept
        .query_row("SELECT value FROM settings WHERE key = 'prefs'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(prefs.contains("\"breathing\":true"), "{prefs}");
}
