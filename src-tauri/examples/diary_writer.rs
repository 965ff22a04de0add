//! A stand-in for the app in the kill test (tests/kill.rs): drives the real
//! engine on a diary file with random intents and prints a line for every
//! intent the engine has acknowledged, so the test can kill it at any moment
//! and check that the file still holds everything acknowledged.
//!
//! Usage: diary_writer <diary file> <seed>

use std::io::Write;

use letdown::diary::{Diary, Finish};
use letdown::engine::{Engine, Intent, SystemClock};
use letdown::session::Side;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("diary path");
    let mut seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1) | 1;
    let mut random = move |n: u64| {
        // xorshift64: deterministic per seed, no dependencies.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let diary = Diary::open(std::path::Path::new(&path)).expect("open diary");
    let mut engine = Engine::open(diary, SystemClock::default()).expect("open engine");
    let out = std::io::stdout();
    let mut out = out.lock();
    let routine = engine.diary().routines().expect("routines")[0].id;
    loop {
        let snapshot = engine.snapshot();
        let Some(session) = snapshot.session else {
            let snap = engine.start(routine).expect("start");
            let id = snap.session.expect("started").id;
            writeln!(out, "ack {id} 1 start").unwrap();
            out.flush().unwrap();
            continue;
        };
        if random(25) == 0 {
            engine
                .finish(Finish {
                    amount_total_ml: Some(random(200) as f64),
                    comfort: Some(1 + random(5) as u8),
                    ..Default::default()
                })
                .expect("finish");
            writeln!(out, "finished {}", session.id).unwrap();
            out.flush().unwrap();
            continue;
        }
        let intent = match random(8) {
            0 => Intent::Pause,
            1 => Intent::Resume,
            2 => Intent::Extend,
            3 => Intent::Skip,
            4 => Intent::Back,
            5 => Intent::Side {
                side: [Side::Left, Side::Right, Side::Both][random(3) as usize],
            },
            6 => Intent::Note {
                text: format!("note {}", random(1000)),
            },
            _ => Intent::LetDown,
        };
        match engine.intent(intent) {
            Ok(_) => {}
            // e.g. "+1 min" once every step is done: refused, nothing written.
            Err(letdown::Error::Invalid(_)) => continue,
            Err(e) => panic!("intent: {e}"),
        }
        let events = engine.diary().events(session.id).expect("events");
        let last = events.last().expect("an event");
        writeln!(
            out,
            "ack {} {} {}",
            session.id,
            events.len(),
            last.kind.name()
        )
        .unwrap();
        out.flush().unwrap();
    }
}
