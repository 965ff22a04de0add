//! The session engine: turns the parent's intents into durable diary events,
//! keeps the running clock, and says what the screen should show. No Tauri here.
//!
//! Time: while the app runs, progress is measured on the monotonic clock, with
//! the wall clock allowed to add time the monotonic clock missed (a laptop
//! asleep mid-session) but never to take time away (a clock set back, a time
//! zone change) or to add an absurd amount (a clock set far ahead).

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diary::{Diary, Finish};
use crate::error::{Error, Result};
use crate::routine::StepKind;
use crate::session::{Event, EventKind, Mark, Session, Side, StepRun};

/// The most the wall clock may run ahead of the monotonic clock and still be
/// believed (a laptop closed for a long lunch); beyond it, it was a clock change.
pub const MAX_UNSEEN_MS: u64 = 12 * 60 * 60_000;
/// How long a discarded session can be brought back.
pub const UNDO_WINDOW_MS: i64 = 20_000;
/// "+1 min".
pub const EXTEND_MS: u64 = 60_000;
pub const MAX_NOTE_CHARS: usize = 1_000;

/// Where time comes from; tests inject a clock they move by hand.
pub trait Clock: Send {
    /// Now, in UTC milliseconds since the Unix epoch.
    fn wall_ms(&self) -> i64;
    /// The local offset from UTC, in minutes, now.
    fn offset_min(&self) -> i32;
    /// A clock that only moves forward, from an arbitrary start.
    fn mono(&self) -> Duration;
}

pub struct SystemClock {
    base: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            base: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn wall_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
    fn offset_min(&self) -> i32 {
        chrono::Local::now().offset().local_minus_utc() / 60
    }
    fn mono(&self) -> Duration {
        self.base.elapsed()
    }
}

/// A clock moved by hand, for tests and benchmarks: clones share one time.
#[derive(Clone)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<(i64, Duration, i32)>>);

impl ManualClock {
    pub fn new(wall_ms: i64, offset_min: i32) -> ManualClock {
        ManualClock(std::sync::Arc::new(std::sync::Mutex::new((
            wall_ms,
            Duration::ZERO,
            offset_min,
        ))))
    }

    fn with<T>(&self, f: impl FnOnce(&mut (i64, Duration, i32)) -> T) -> T {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }

    /// Time passes normally: both clocks move.
    pub fn advance(&self, ms: u64) {
        self.with(|s| {
            s.0 += ms as i64;
            s.1 += Duration::from_millis(ms);
        })
    }

    /// The wall clock is changed (NTP step, manual change); real time does not pass.
    pub fn jump_wall(&self, ms: i64) {
        self.with(|s| s.0 += ms)
    }

    /// The laptop sleeps: wall time passes, the monotonic clock stands still.
    pub fn sleep_laptop(&self, ms: u64) {
        self.with(|s| s.0 += ms as i64)
    }

    pub fn set_offset(&self, offset_min: i32) {
        self.with(|s| s.2 = offset_min)
    }
}

impl Clock for ManualClock {
    fn wall_ms(&self) -> i64 {
        self.with(|s| s.0)
    }
    fn offset_min(&self) -> i32 {
        self.with(|s| s.2)
    }
    fn mono(&self) -> Duration {
        self.with(|s| s.1)
    }
}

/// What the parent asks of the session in progress, as the UI sends it:
/// `{ "kind": "let_down" }`, `{ "kind": "side", "side": "left" }`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Intent {
    Pause,
    Resume,
    Extend,
    Skip,
    Back,
    LetDown,
    Side { side: Side },
    Note { text: String },
}

/// A step reached its end (or a pump step its target): time for a soft chime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepFinished {
    pub step_index: usize,
    pub kind: StepKind,
    /// The step that follows, if any.
    pub next: Option<StepKind>,
    /// An open-ended pump step reached its target and goes on.
    pub target: bool,
}

/// Where the running clock stood at a known moment.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    mono: Duration,
    wall_ms: i64,
    active_ms: u64,
}

struct Live {
    id: i64,
    session: Session,
    next_seq: u32,
    anchor: Anchor,
}

pub struct Engine<C: Clock> {
    diary: Diary,
    clock: C,
    live: Option<Live>,
    /// The last discarded session and when, for undo.
    discarded: Option<(i64, i64)>,
}

/// What the screen shows: everything about the session in progress, if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub session: Option<SessionView>,
    /// A session was just discarded and can still be brought back.
    pub can_undo_discard: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Running,
    Paused,
    /// Every step has run: the finish sheet is due.
    Complete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Current,
    Upcoming,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub planned_ms: u64,
    pub open_ended: bool,
    pub state: StepState,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionView {
    pub id: i64,
    pub routine_name: String,
    pub phase: Phase,
    /// Found unfinished when the app started: offer to resume or finish.
    pub recovered: bool,
    pub step_index: Option<usize>,
    pub step_kind: Option<StepKind>,
    pub step_planned_ms: u64,
    pub step_elapsed_ms: u64,
    /// Time left to the step's end (or its target); 0 once past it.
    pub step_remaining_ms: u64,
    pub open_ended: bool,
    pub target_reached: bool,
    /// Running time of the whole session, pauses excluded.
    pub elapsed_ms: u64,
    pub started_at_ms: i64,
    pub started_offset_min: i32,
    pub steps: Vec<PlannedStep>,
    pub runs: Vec<StepRun>,
    pub letdowns: usize,
    pub first_letdown_ms: Option<u64>,
    pub side: Option<Side>,
    pub marks: Vec<Mark>,
}

fn believable_ms(mono_ms: u64, wall_ms: i64) -> u64 {
    match u64::try_from(wall_ms) {
        Ok(wall) if wall >= mono_ms && wall - mono_ms <= MAX_UNSEEN_MS => wall,
        _ => mono_ms,
    }
}

impl<C: Clock> Engine<C> {
    /// Opens the engine on a diary. A session left unfinished (the app was
    /// closed, crashed or lost power) is brought back paused, with every mark,
    /// and its clock moved on by the time that passed meanwhile.
    pub fn open(diary: Diary, clock: C) -> Result<Engine<C>> {
        let mut engine = Engine {
            diary,
            clock,
            live: None,
            discarded: None,
        };
        if let Some(open) = engine.diary.open_session()? {
            let next_seq = open.events.len() as u32;
            let session = Session::replay(open.routine, &open.events)
                .ok_or_else(|| Error::DiaryDamaged(format!("session {} has no start", open.id)))?;
            let away = if session.running() {
                let gap = engine.clock.wall_ms() - session.last_at_ms;
                u64::try_from(gap).unwrap_or(0).min(MAX_UNSEEN_MS)
            } else {
                0
            };
            let anchor = Anchor {
                mono: engine.clock.mono(),
                wall_ms: engine.clock.wall_ms(),
                active_ms: session.active_ms + away,
            };
            let running = session.running();
            engine.live = Some(Live {
                id: open.id,
                session,
                next_seq,
                anchor,
            });
            if running {
                // Steps that ran out while the app was away end at their deadlines.
                engine.catch_up()?;
                engine.record_now(EventKind::Pause { recovered: true })?;
            }
        }
        Ok(engine)
    }

    pub fn diary(&self) -> &Diary {
        &self.diary
    }

    pub fn diary_mut(&mut self) -> &mut Diary {
        &mut self.diary
    }

    /// The session's running time right now.
    fn active_now(&self, live: &Live) -> u64 {
        if !live.session.running() {
            return live.session.active_ms;
        }
        let mono_ms = self
            .clock
            .mono()
            .saturating_sub(live.anchor.mono)
            .as_millis() as u64;
        let wall_ms = self.clock.wall_ms() - live.anchor.wall_ms;
        (live.anchor.active_ms + believable_ms(mono_ms, wall_ms)).max(live.session.active_ms)
    }

    /// Writes one event durably, then applies it.
    fn write(&mut self, kind: EventKind, active_ms: u64, at_ms: i64) -> Result<()> {
        let offset_min = self.clock.offset_min();
        let live = self.live.as_mut().ok_or(Error::NoSession)?;
        let event = Event {
            kind,
            at_ms,
            offset_min,
            active_ms,
        };
        self.diary
            .append_event(live.id, live.next_seq, &event, live.session.current)?;
        live.next_seq += 1;
        live.session.apply(&event);
        Ok(())
    }

    /// Writes the engine's own step changes that are due by now, each at its deadline.
    fn catch_up(&mut self) -> Result<Vec<StepFinished>> {
        let Some(live) = self.live.as_ref() else {
            return Ok(Vec::new());
        };
        let now = self.active_now(live);
        let anchor = live.anchor;
        let mut finished = Vec::new();
        for (kind, at) in live.session.due(now) {
            let session = &self.live.as_ref().ok_or(Error::NoSession)?.session;
            let Some(run) = session.current_run() else {
                break;
            };
            let step_index = run.index;
            let step_kind = run.kind;
            let target = kind == EventKind::TargetReached;
            // The wall-clock instant that matches the deadline.
            let at_ms = anchor.wall_ms + (at as i64 - anchor.active_ms as i64);
            self.write(kind, at, at_ms)?;
            let session = &self.live.as_ref().ok_or(Error::NoSession)?.session;
            finished.push(StepFinished {
                step_index,
                kind: step_kind,
                next: if target {
                    None
                } else {
                    session.current_run().map(|r| r.kind)
                },
                target,
            });
        }
        Ok(finished)
    }

    /// Writes an intent at the present moment and re-anchors the clock there.
    fn record_now(&mut self, kind: EventKind) -> Result<()> {
        let live = self.live.as_ref().ok_or(Error::NoSession)?;
        let now = self.active_now(live);
        let wall_ms = self.clock.wall_ms();
        let mono = self.clock.mono();
        self.write(kind, now, wall_ms)?;
        if let Some(live) = self.live.as_mut() {
            live.anchor = Anchor {
                mono,
                wall_ms,
                active_ms: now,
            };
        }
        Ok(())
    }

    /// Starts a session on a saved routine.
    pub fn start(&mut self, routine_id: i64) -> Result<Snapshot> {
        self.start_with(routine_id, &[])
    }

    /// Starts a session with the factors known at its start (`session_factors`).
    pub fn start_with(&mut self, routine_id: i64, factors: &[(&str, f64)]) -> Result<Snapshot> {
        if self.live.is_some() {
            return Err(Error::SessionInProgress);
        }
        let routine = self.diary.routine(routine_id)?;
        routine.validate()?;
        let start = Event {
            kind: EventKind::Start,
            at_ms: self.clock.wall_ms(),
            offset_min: self.clock.offset_min(),
            active_ms: 0,
        };
        let id = self.diary.create_session(&routine, &start, factors)?;
        self.live = Some(Live {
            id,
            session: Session::new(routine, &start),
            next_seq: 1,
            anchor: Anchor {
                mono: self.clock.mono(),
                wall_ms: start.at_ms,
                active_ms: 0,
            },
        });
        self.discarded = None;
        Ok(self.snapshot())
    }

    /// Applies one intent; returns any steps that finished on the way (for chimes).
    pub fn intent(&mut self, intent: Intent) -> Result<Vec<StepFinished>> {
        let mut finished = self.catch_up()?;
        let session = &self.live.as_ref().ok_or(Error::NoSession)?.session;
        let kind = match intent {
            Intent::Pause if session.paused || session.complete() => return Ok(finished),
            Intent::Pause => EventKind::Pause { recovered: false },
            Intent::Resume if !session.paused => return Ok(finished),
            Intent::Resume => EventKind::Resume,
            Intent::Extend if session.complete() => {
                return Err(Error::Invalid(
                    "All the steps are done; finish the session to save it.".into(),
                ))
            }
            Intent::Extend => EventKind::Extend { ms: EXTEND_MS },
            Intent::Skip if session.complete() => return Ok(finished),
            Intent::Skip => EventKind::Skip,
            Intent::Back => EventKind::Back,
            Intent::LetDown => EventKind::LetDown,
            Intent::Side { side } => EventKind::Side { side },
            Intent::Note { text } => {
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(Error::Invalid("The note is empty.".into()));
                }
                if text.chars().count() > MAX_NOTE_CHARS {
                    return Err(Error::Invalid(format!(
                        "A note can be at most {MAX_NOTE_CHARS} characters."
                    )));
                }
                EventKind::Note { text }
            }
        };
        self.record_now(kind)?;
        // Skipping into a step whose time is already up cannot happen (a new
        // run starts now), but going on after a pause may reveal due steps.
        finished.extend(self.catch_up()?);
        Ok(finished)
    }

    /// Called by the app's timer: writes step changes that have come due.
    pub fn tick(&mut self) -> Result<Vec<StepFinished>> {
        self.catch_up()
    }

    /// How long until the next step change, if the session is running.
    pub fn next_wake(&self) -> Option<Duration> {
        let live = self.live.as_ref()?;
        if !live.session.running() {
            return None;
        }
        let deadline = live.session.next_deadline()?;
        Some(Duration::from_millis(
            deadline.saturating_sub(self.active_now(live)),
        ))
    }

    /// Saves the session with what the parent entered, and closes it.
    pub fn finish(&mut self, finish: Finish) -> Result<i64> {
        let finish = finish.validated()?;
        self.catch_up()?;
        if self.live.as_ref().is_some_and(|l| l.session.running()) {
            self.record_now(EventKind::Pause { recovered: false })?;
        }
        let live = self.live.as_ref().ok_or(Error::NoSession)?;
        let id = live.id;
        let (at, offset) = (self.clock.wall_ms(), self.clock.offset_min());
        self.diary
            .finish_session(id, &live.session, &finish, at, offset)?;
        self.live = None;
        Ok(id)
    }

    /// Sets the session aside; `undo_discard` brings it back for a short while.
    pub fn discard(&mut self) -> Result<()> {
        self.catch_up()?;
        if self.live.as_ref().is_some_and(|l| l.session.running()) {
            self.record_now(EventKind::Pause { recovered: false })?;
        }
        let id = self.live.as_ref().ok_or(Error::NoSession)?.id;
        let now = self.clock.wall_ms();
        self.diary.discard_session(id, now)?;
        self.live = None;
        self.discarded = Some((id, now));
        Ok(())
    }

    pub fn undo_discard(&mut self) -> Result<Snapshot> {
        let (id, at) = self.discarded.ok_or(Error::UndoExpired)?;
        if self.live.is_some() {
            return Err(Error::SessionInProgress);
        }
        if self.clock.wall_ms() - at > UNDO_WINDOW_MS {
            self.discarded = None;
            return Err(Error::UndoExpired);
        }
        self.diary.restore_session(id, at)?;
        self.discarded = None;
        let open = self.diary.open_session()?.ok_or(Error::UndoExpired)?;
        let session = Session::replay(open.routine, &open.events)
            .ok_or_else(|| Error::DiaryDamaged(format!("session {id} has no start")))?;
        self.live = Some(Live {
            id,
            next_seq: open.events.len() as u32,
            anchor: Anchor {
                mono: self.clock.mono(),
                wall_ms: self.clock.wall_ms(),
                active_ms: session.active_ms,
            },
            session,
        });
        Ok(self.snapshot())
    }

    /// The id of the session in progress, if there is one.
    pub fn session_id(&self) -> Option<i64> {
        self.live.as_ref().map(|live| live.id)
    }

    /// The session in progress and its running time right now (pauses left out).
    pub fn session_active_ms(&self) -> Option<(i64, u64)> {
        self.live
            .as_ref()
            .map(|live| (live.id, self.active_now(live)))
    }

    /// Everything the screen needs, as of now.
    pub fn snapshot(&self) -> Snapshot {
        let can_undo_discard = self
            .discarded
            .is_some_and(|(_, at)| self.clock.wall_ms() - at <= UNDO_WINDOW_MS);
        let Some(live) = self.live.as_ref() else {
            return Snapshot {
                session: None,
                can_undo_discard,
            };
        };
        let s = &live.session;
        // Show due step changes even before the timer has written them.
        let now = self.active_now(live);
        let mut view = s.clone();
        for (kind, at) in s.due(now) {
            view.apply(&Event {
                kind,
                at_ms: view.last_at_ms,
                offset_min: 0,
                active_ms: at,
            });
        }
        let run = view.current_run();
        let step_elapsed_ms = run.map_or(0, |r| now.saturating_sub(r.started_active_ms));
        let steps = view
            .routine
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| PlannedStep {
                kind: step.kind,
                planned_ms: step.planned_ms,
                open_ended: step.open_ended,
                state: match view.current {
                    Some(c) if i == c => StepState::Current,
                    Some(c) if i > c => StepState::Upcoming,
                    _ => StepState::Done,
                },
            })
            .collect();
        Snapshot {
            session: Some(SessionView {
                id: live.id,
                routine_name: view.routine.name.clone(),
                phase: if view.complete() {
                    Phase::Complete
                } else if view.paused {
                    Phase::Paused
                } else {
                    Phase::Running
                },
                recovered: view.recovered,
                step_index: view.current,
                step_kind: run.map(|r| r.kind),
                step_planned_ms: run.map_or(0, |r| r.planned_ms),
                step_elapsed_ms,
                step_remaining_ms: run.map_or(0, |r| r.deadline().saturating_sub(now)),
                open_ended: run.is_some_and(|r| r.open_ended),
                target_reached: run.is_some_and(|r| r.target_reached),
                elapsed_ms: if view.complete() { view.active_ms } else { now },
                started_at_ms: view.started_at_ms,
                started_offset_min: view.started_offset_min,
                steps,
                runs: view.runs.clone(),
                letdowns: view.letdowns().count(),
                first_letdown_ms: view.first_letdown_ms(),
                side: view.side,
                marks: view.marks.clone(),
            }),
            can_undo_discard,
        }
    }
}
