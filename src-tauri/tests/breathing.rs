//! The breathing guide's minutes are recorded with the session: its running
//! time while the guide was on, pauses and the time it was off left out. On
//! Tauri's mock runtime with a real diary file, the parent's commands in turn.

mod common;

use std::time::{Duration, Instant};

use common::{invoke, mock_app};
use serde_json::json;

/// Lets at least `ms` of the session's time pass (the quantity measured).
fn spend(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

#[test]
fn the_guides_running_minutes_are_kept_with_the_session() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("XDG_DATA_HOME", home.path());
    std::env::set_var("XDG_CONFIG_HOME", home.path());
    let (_app, main) = mock_app();
    let file = home.path().join("app.letdown.desktop/diary.sqlite3");
    let db = rusqlite::Connection::open(&file).unwrap();
    let routine: i64 = db
        .query_row("SELECT id FROM routines ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .expect("a fresh diary has its routines");
    let breathing = |on: bool| {
        invoke(&main, "set_prefs", json!({ "change": { "breathing": on } }))
            .expect("the guide switches");
    };
    let intent = |kind: &str| {
        invoke(
            &main,
            "session_intent",
            json!({ "intent": { "kind": kind } }),
        )
        .expect("the session takes the intent");
    };

    // On from the start: 400 ms counted, then a 1.5 s pause that is not.
    breathing(true);
    let started = Instant::now();
    invoke(&main, "start_session", json!({ "routineId": routine })).expect("starts");
    spend(400);
    intent("pause");
    spend(1_500);
    // Off and on again while paused: nothing counts in between.
    breathing(false);
    breathing(true);
    intent("resume");
    spend(300);
    // Off for 600 ms of running time, then on for the last 200.
    breathing(false);
    spend(600);
    breathing(true);
    spend(200);
    let id = invoke(&main, "finish_session", json!({ "finish": {} })).expect("finishes");
    let wall_ms = started.elapsed().as_millis() as f64;

    let factor = |name: &str| -> Option<f64> {
        db.query_row(
            "SELECT value FROM session_factors WHERE session_id = ?1 AND factor = ?2",
            rusqlite::params![id.as_i64().unwrap(), name],
            |r| r.get(0),
        )
        .ok()
    };
    assert_eq!(
        factor("breathing"),
        Some(3.0),
        "on at the start and switched on twice"
    );
    let counted_ms = factor("breathing_min").expect("the minutes are recorded") * 60_000.0;
    // 900 ms on while running; the pause and the time off (2.1 s) are left out.
    let off_ms = 1_500.0 + 600.0;
    assert!(
        counted_ms >= 900.0,
        "counted {counted_ms} ms of at least 900"
    );
    assert!(
        counted_ms < wall_ms - off_ms + 50.0,
        "counted {counted_ms} ms of {wall_ms} ms, {off_ms} of them paused or off"
    );
}
