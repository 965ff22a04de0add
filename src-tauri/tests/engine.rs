//! The session engine driven through every intent with a hand-moved clock,
//! against a real diary file: what it shows, what it writes, what survives.

use letdown::diary::{Diary, Finish};
use letdown::engine::{Engine, Intent, ManualClock, Phase, StepFinished, UNDO_WINDOW_MS};
use letdown::routine::StepKind;
use letdown::session::{EventKind, Side};
use letdown::Error;

const MIN: u64 = 60_000;
const T0: i64 = 1_763_600_000_000; // 2025-11-20, a Thursday

struct World {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    clock: ManualClock,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        World {
            path: dir.path().join("diary.sqlite3"),
            _dir: dir,
            clock: ManualClock::new(T0, 60),
        }
    }

    fn engine(&self) -> Engine<ManualClock> {
        Engine::open(Diary::open(&self.path).unwrap(), self.clock.clone()).unwrap()
    }
}

fn standard_id(engine: &Engine<ManualClock>) -> i64 {
    engine.diary().routines().unwrap()[0].id
}

fn view(engine: &Engine<ManualClock>) -> letdown::engine::SessionView {
    engine.snapshot().session.expect("a session in progress")
}

#[test]
fn the_standard_routine_walks_warm_up_massage_then_pumping() {
    let w = World::new();
    let mut e = w.engine();
    assert!(e.snapshot().session.is_none());
    e.start(standard_id(&e)).unwrap();
    let v = view(&e);
    assert_eq!(v.routine_name, "Standard");
    assert_eq!(v.step_kind, Some(StepKind::WarmUp));
    assert_eq!(v.step_remaining_ms, 3 * MIN);

    w.clock.advance(3 * MIN - 1);
    assert!(e.tick().unwrap().is_empty());
    w.clock.advance(1);
    assert_eq!(
        e.tick().unwrap(),
        vec![StepFinished {
            step_index: 0,
            kind: StepKind::WarmUp,
            next: Some(StepKind::Massage),
            target: false
        }]
    );
    assert_eq!(view(&e).step_kind, Some(StepKind::Massage));
    w.clock.advance(2 * MIN);
    assert_eq!(e.tick().unwrap()[0].next, Some(StepKind::Pump));
    w.clock.advance(15 * MIN);
    let target = e.tick().unwrap();
    assert!(target[0].target, "a soft chime at the pump target");
    // Open-ended: pumping goes on past the target.
    w.clock.advance(2 * MIN);
    let v = view(&e);
    assert_eq!(v.phase, Phase::Running);
    assert_eq!(v.step_kind, Some(StepKind::Pump));
    assert_eq!(v.step_elapsed_ms, 17 * MIN);
    assert_eq!(v.step_remaining_ms, 0);
    assert!(v.target_reached);
    assert!(e.tick().unwrap().is_empty(), "the target chimes once");
}

#[test]
fn pause_stops_the_clock_and_resume_restarts_it() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    w.clock.advance(MIN);
    e.intent(Intent::Pause).unwrap();
    w.clock.advance(10 * MIN);
    let v = view(&e);
    assert_eq!(v.phase, Phase::Paused);
    assert_eq!(v.step_remaining_ms, 2 * MIN);
    assert!(e.tick().unwrap().is_empty());
    assert_eq!(e.next_wake(), None);
    e.intent(Intent::Resume).unwrap();
    assert_eq!(
        e.next_wake(),
        Some(std::time::Duration::from_millis(2 * MIN))
    );
    w.clock.advance(30_000);
    assert_eq!(view(&e).step_remaining_ms, 90_000);
}

#[test]
fn extend_skip_and_back() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    e.intent(Intent::Extend).unwrap();
    assert_eq!(view(&e).step_remaining_ms, 4 * MIN);
    w.clock.advance(10_000);
    e.intent(Intent::Skip).unwrap();
    let v = view(&e);
    assert_eq!(v.step_kind, Some(StepKind::Massage));
    assert_eq!(v.step_remaining_ms, 2 * MIN);
    e.intent(Intent::Back).unwrap();
    let v = view(&e);
    assert_eq!(v.step_kind, Some(StepKind::WarmUp));
    assert_eq!(v.step_remaining_ms, 3 * MIN, "going back restarts the step");
    assert_eq!(v.runs.len(), 3, "every step as actually run is kept");
}

#[test]
fn marks_side_switches_and_notes_are_kept_with_their_step() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    e.intent(Intent::Skip).unwrap();
    e.intent(Intent::Skip).unwrap();
    w.clock.advance(90_000);
    e.intent(Intent::LetDown).unwrap();
    e.intent(Intent::Side { side: Side::Left }).unwrap();
    w.clock.advance(60_000);
    e.intent(Intent::LetDown).unwrap();
    e.intent(Intent::Note {
        text: "  warm tea helped ".into(),
    })
    .unwrap();
    let v = view(&e);
    assert_eq!(v.letdowns, 2);
    assert_eq!(v.first_letdown_ms, Some(90_000));
    assert_eq!(v.side, Some(Side::Left));
    assert_eq!(v.marks.len(), 4);
    assert_eq!(
        v.marks[3].kind,
        EventKind::Note {
            text: "warm tea helped".into()
        }
    );
    assert!(v.marks.iter().all(|m| m.step_index == Some(2)));
    assert!(matches!(
        e.intent(Intent::Note { text: "   ".into() }),
        Err(Error::Invalid(_))
    ));
    assert!(e
        .intent(Intent::Note {
            text: "x".repeat(1001)
        })
        .is_err());
}

#[test]
fn only_one_session_at_a_time() {
    let w = World::new();
    let mut e = w.engine();
    let id = standard_id(&e);
    e.start(id).unwrap();
    assert!(matches!(e.start(id), Err(Error::SessionInProgress)));
    // Even a second engine on the same file cannot start another.
    let mut other = Engine::open(Diary::open(&w.path).unwrap(), w.clock.clone()).unwrap();
    assert!(matches!(other.start(id), Err(Error::SessionInProgress)));
}

#[test]
fn intents_without_a_session_are_refused_plainly() {
    let w = World::new();
    let mut e = w.engine();
    assert!(matches!(e.intent(Intent::LetDown), Err(Error::NoSession)));
    assert!(matches!(e.finish(Finish::default()), Err(Error::NoSession)));
    assert!(matches!(e.discard(), Err(Error::NoSession)));
    assert!(matches!(e.start(9_999), Err(Error::NotFound(_))));
}

#[test]
fn finish_saves_amounts_comfort_tags_and_the_timeline() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    w.clock.advance(5 * MIN);
    e.tick().unwrap();
    w.clock.advance(4 * MIN);
    e.intent(Intent::LetDown).unwrap();
    w.clock.advance(6 * MIN);
    let id = e
        .finish(Finish {
            amount_left_ml: Some(60.0),
            amount_right_ml: Some(45.5),
            comfort: Some(4),
            tags: vec!["work".into(), " Work ".into(), "tea".into()],
            note: Some("calm room".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(e.snapshot().session.is_none());
    let rows = e.diary().sessions_between(T0 - 1, T0 + 86_400_000).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, id);
    assert_eq!(row.amount_total_ml, Some(105.5));
    assert_eq!(row.comfort, Some(4));
    assert_eq!(row.letdown_count, 1);
    assert_eq!(row.first_letdown_ms, Some(9 * MIN));
    assert_eq!(row.active_ms, Some(15 * MIN));
    assert_eq!(row.started_offset_min, 60);
    assert_eq!(e.diary().tags(id).unwrap(), ["tea", "work"]);
}

#[test]
fn finish_refuses_nonsense_and_keeps_the_session() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    for bad in [
        Finish {
            amount_left_ml: Some(-1.0),
            ..Default::default()
        },
        Finish {
            amount_total_ml: Some(f64::NAN),
            ..Default::default()
        },
        Finish {
            amount_right_ml: Some(5000.0),
            ..Default::default()
        },
        Finish {
            comfort: Some(0),
            ..Default::default()
        },
        Finish {
            comfort: Some(6),
            ..Default::default()
        },
        Finish {
            tags: vec!["x".repeat(33)],
            ..Default::default()
        },
    ] {
        assert!(matches!(e.finish(bad), Err(Error::Invalid(_))));
    }
    assert!(e.snapshot().session.is_some(), "nothing was lost");
}

#[test]
fn discard_can_be_undone_for_a_short_while() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    w.clock.advance(MIN);
    e.intent(Intent::LetDown).unwrap();
    e.discard().unwrap();
    let snap = e.snapshot();
    assert!(snap.session.is_none());
    assert!(snap.can_undo_discard);
    w.clock.advance(5_000);
    let back = e.undo_discard().unwrap().session.unwrap();
    assert_eq!(back.letdowns, 1);
    assert_eq!(back.phase, Phase::Paused);

    e.discard().unwrap();
    w.clock.advance(UNDO_WINDOW_MS as u64 + 1);
    assert!(!e.snapshot().can_undo_discard);
    assert!(matches!(e.undo_discard(), Err(Error::UndoExpired)));
    // The slot is free for a new session.
    e.start(standard_id(&e)).unwrap();
}

#[test]
fn a_restart_brings_back_the_session_paused_with_every_mark() {
    let w = World::new();
    {
        let mut e = w.engine();
        e.start(standard_id(&e)).unwrap();
        w.clock.advance(MIN);
        e.intent(Intent::LetDown).unwrap();
        e.intent(Intent::Side { side: Side::Right }).unwrap();
        // The app dies here, without any goodbye.
    }
    w.clock.advance(30_000); // restarted half a minute later
    let e = w.engine();
    let v = view(&e);
    assert!(v.recovered);
    assert_eq!(v.phase, Phase::Paused);
    assert_eq!(v.letdowns, 1);
    assert_eq!(v.side, Some(Side::Right));
    // The warm-up went on while the app was away: 3 min - 1.5 min.
    assert_eq!(v.step_remaining_ms, 90_000);
}

#[test]
fn a_restart_after_the_steps_ran_out_catches_up_at_the_exact_deadlines() {
    let w = World::new();
    {
        let mut e = w.engine();
        e.start(standard_id(&e)).unwrap();
    }
    w.clock.advance(7 * MIN);
    let e = w.engine();
    let v = view(&e);
    assert_eq!(v.step_kind, Some(StepKind::Pump));
    assert_eq!(v.step_elapsed_ms, 2 * MIN);
    let ends: Vec<_> = v.runs.iter().filter_map(|r| r.ended_active_ms).collect();
    assert_eq!(ends, [3 * MIN, 5 * MIN]);
}

#[test]
fn a_clock_set_back_never_gives_negative_or_absurd_times() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    w.clock.advance(MIN);
    w.clock.jump_wall(-3 * 60 * 60_000); // time zone fix or NTP step backwards
    w.clock.advance(10_000);
    let v = view(&e);
    assert_eq!(v.elapsed_ms, 70_000);
    e.intent(Intent::LetDown).unwrap();
    assert_eq!(view(&e).marks[0].active_ms, 70_000);
    // A clock set far ahead is not believed either.
    w.clock.jump_wall(5 * 24 * 60 * 60_000);
    w.clock.advance(1_000);
    assert_eq!(view(&e).elapsed_ms, 71_000);
}

#[test]
fn a_time_zone_change_moves_only_the_local_offset() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    w.clock.advance(MIN);
    w.clock.set_offset(-300); // flew to New York mid-session
    e.intent(Intent::LetDown).unwrap();
    let v = view(&e);
    assert_eq!(v.elapsed_ms, MIN);
    assert_eq!(v.started_offset_min, 60);
    assert_eq!(v.marks[0].offset_min, -300);
}

#[test]
fn a_laptop_asleep_mid_session_counts_the_time_it_slept() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    w.clock.advance(MIN);
    w.clock.sleep_laptop(MIN);
    let v = view(&e);
    assert_eq!(v.elapsed_ms, 2 * MIN);
    assert_eq!(v.step_remaining_ms, MIN);
}

#[test]
fn power_pumping_runs_its_five_steps_then_asks_to_finish() {
    let w = World::new();
    let mut e = w.engine();
    let power = e
        .diary()
        .routines()
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Power pumping")
        .unwrap();
    e.start(power.id).unwrap();
    w.clock.advance(60 * MIN);
    let chimes = e.tick().unwrap();
    let kinds: Vec<_> = chimes.iter().map(|c| c.kind).collect();
    use StepKind::*;
    assert_eq!(kinds, [Pump, Rest, Pump, Rest, Pump]);
    assert_eq!(chimes.last().unwrap().next, None);
    let v = view(&e);
    assert_eq!(v.phase, Phase::Complete);
    assert_eq!(v.elapsed_ms, 60 * MIN);
    w.clock.advance(5 * MIN);
    assert_eq!(
        view(&e).elapsed_ms,
        60 * MIN,
        "a complete session's clock stops"
    );
    e.finish(Finish::default()).unwrap();
}

#[test]
fn every_acknowledged_intent_is_in_the_file() {
    let w = World::new();
    let mut e = w.engine();
    e.start(standard_id(&e)).unwrap();
    let intents = [
        Intent::Pause,
        Intent::Resume,
        Intent::Extend,
        Intent::Skip,
        Intent::Back,
        Intent::LetDown,
        Intent::Side { side: Side::Both },
        Intent::Note {
            text: "hello".into(),
        },
    ];
    for intent in intents {
        w.clock.advance(1_000);
        e.intent(intent).unwrap();
    }
    // Read the file through a separate connection, as another process would.
    let other = Diary::open(&w.path).unwrap();
    let open = other.open_session().unwrap().unwrap();
    let names: Vec<_> = open.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        names,
        ["start", "pause", "resume", "extend", "skip", "back", "let_down", "side", "note"]
    );
}

#[test]
fn intents_arrive_from_the_ui_as_tagged_json_and_nonsense_is_refused() {
    let parse = |json: &str| serde_json::from_str::<Intent>(json);
    assert_eq!(parse(r#"{"kind":"let_down"}"#).unwrap(), Intent::LetDown);
    assert_eq!(
        parse(r#"{"kind":"side","side":"both"}"#).unwrap(),
        Intent::Side { side: Side::Both }
    );
    assert!(parse(r#"{"kind":"side","side":"middle"}"#).is_err());
    assert!(parse(r#"{"kind":"self_destruct"}"#).is_err());
    assert!(parse(r#"{"kind":"note","text":42}"#).is_err());
}
