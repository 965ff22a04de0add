//! Power-cut safety: a writer process (examples/diary_writer.rs) runs the real
//! engine on a real diary file and is SIGKILLed at random moments, again and
//! again. After every kill the file must hold every intent it acknowledged,
//! and an unfinished session must come back, paused, with all its marks.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use letdown::diary::Diary;
use letdown::engine::{Engine, ManualClock, Phase};

const KILLS: u64 = 25;

fn writer() -> PathBuf {
    // target/debug/deps/kill-… → target/debug/examples/diary_writer
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("diary_writer{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "build the example first: cargo test builds it"
    );
    path
}

#[test]
fn every_acknowledged_intent_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let diary_path = dir.path().join("diary.sqlite3");
    let mut total_acks = 0;
    for round in 0..KILLS {
        let mut child = Command::new(writer())
            .arg(&diary_path)
            .arg((round * 7919 + 17).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let it acknowledge a varying number of intents, then kill it mid-stride.
        let wanted = 1 + (round * 13) % 40;
        let mut acked: HashMap<i64, (usize, String)> = HashMap::new();
        let mut finished = Vec::new();
        let mut seen = 0;
        while seen < wanted {
            let line = lines.next().expect("the writer is alive").unwrap();
            let parts: Vec<&str> = line.split(' ').collect();
            match parts[..] {
                ["ack", id, n, kind] => {
                    acked.insert(id.parse().unwrap(), (n.parse().unwrap(), kind.to_string()));
                    seen += 1;
                }
                ["finished", id] => finished.push(id.parse::<i64>().unwrap()),
                _ => panic!("unexpected line from the writer: {line}"),
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix: no clean-up of any kind
        child.wait().unwrap();
        total_acks += seen;

        let diary = Diary::open(&diary_path).expect("the diary opens after a kill");
        for (id, (n, kind)) in &acked {
            let events = diary.events(*id).unwrap();
            assert!(
                events.len() >= *n,
                "round {round}: session {id} acknowledged {n} events, file has {}",
                events.len()
            );
            assert_eq!(
                events[n - 1].kind.name(),
                kind,
                "round {round}, session {id}"
            );
        }
        for id in &finished {
            let row = diary
                .sessions_between(i64::MIN, i64::MAX)
                .unwrap()
                .into_iter()
                .find(|r| r.id == *id);
            assert!(
                row.is_some(),
                "round {round}: finished session {id} is in the diary"
            );
        }
        // The session in progress comes back, paused, with every acknowledged mark.
        let open = diary.open_session().unwrap();
        let now = chrono::Utc::now().timestamp_millis();
        let engine = Engine::open(diary, ManualClock::new(now, 0)).unwrap();
        match (open, engine.snapshot().session) {
            (Some(open), Some(view)) => {
                assert_eq!(view.id, open.id);
                assert_ne!(view.phase, Phase::Running, "a recovered session waits");
                let marks_in_file = open
                    .events
                    .iter()
                    .filter(|e| matches!(e.kind.name(), "let_down" | "side" | "note"))
                    .count();
                assert_eq!(view.marks.len(), marks_in_file, "round {round}");
            }
            (None, None) => {}
            (open, view) => panic!(
                "round {round}: open session {:?} but view {:?}",
                open.map(|o| o.id),
                view.map(|v| v.id)
            ),
        }
    }
    assert!(total_acks >= KILLS, "the writer acknowledged intents");
    common::record_fault(
        "SIGKILL of a diary writer mid-write",
        KILLS,
        "(no window: the engine alone) the unfinished session comes back paused",
        &format!("all {total_acks} acknowledged intents, every finished session"),
    );
}
