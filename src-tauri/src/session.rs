//! A pumping session as an append-only log of events, and the state that log
//! adds up to. Pure: no clock and no I/O, so replaying a diary after a crash
//! gives exactly the state the parent last saw.
//!
//! Every event carries `active_ms`: how far into the session (paused time not
//! counted) it happened. Deadlines are positions on that axis, so a wall-clock
//! jump can never make a step run backwards.

use serde::{Deserialize, Serialize};

use crate::routine::{Routine, Step, StepKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

/// What happened. Parents' intents, and the engine's own step changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Start,
    Pause {
        /// The app found this session unfinished at start-up and paused it.
        #[serde(default)]
        recovered: bool,
    },
    Resume,
    Extend {
        ms: u64,
    },
    Skip,
    Back,
    /// A timed step reached its end and the next one began.
    StepDone,
    /// An open-ended pump step reached its target; pumping goes on.
    TargetReached,
    LetDown,
    Side {
        side: Side,
    },
    Note {
        text: String,
    },
}

impl EventKind {
    /// The name stored in the diary's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Start => "start",
            EventKind::Pause { .. } => "pause",
            EventKind::Resume => "resume",
            EventKind::Extend { .. } => "extend",
            EventKind::Skip => "skip",
            EventKind::Back => "back",
            EventKind::StepDone => "step_done",
            EventKind::TargetReached => "target_reached",
            EventKind::LetDown => "let_down",
            EventKind::Side { .. } => "side",
            EventKind::Note { .. } => "note",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(flatten)]
    pub kind: EventKind,
    /// Wall-clock instant, UTC milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The local offset from UTC at that instant, in minutes (for display).
    pub offset_min: i32,
    /// Position in the session's running time (pauses excluded).
    pub active_ms: u64,
}

/// How a step run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepEnd {
    Done,
    Skipped,
    Back,
    Finished,
}

/// A step as actually run: planned vs actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRun {
    pub index: usize,
    pub kind: StepKind,
    pub planned_ms: u64,
    pub open_ended: bool,
    pub started_active_ms: u64,
    pub ended_active_ms: Option<u64>,
    pub ended: Option<StepEnd>,
    pub target_reached: bool,
}

impl StepRun {
    fn new(index: usize, step: &Step, at: u64) -> StepRun {
        StepRun {
            index,
            kind: step.kind,
            planned_ms: step.planned_ms,
            open_ended: step.open_ended,
            started_active_ms: at,
            ended_active_ms: None,
            ended: None,
            target_reached: false,
        }
    }

    /// Where on the active axis this run's timer reaches zero.
    pub fn deadline(&self) -> u64 {
        self.started_active_ms + self.planned_ms
    }
}

/// A let-down, side switch or note, as the diary and timeline show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    #[serde(flatten)]
    pub kind: EventKind,
    pub at_ms: i64,
    pub offset_min: i32,
    pub active_ms: u64,
    pub step_index: Option<usize>,
}

/// The state a session's events add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub routine: Routine,
    pub runs: Vec<StepRun>,
    /// Index into `routine.steps` of the step now running; `None` once all are done.
    pub current: Option<usize>,
    pub paused: bool,
    pub recovered: bool,
    pub side: Option<Side>,
    pub marks: Vec<Mark>,
    /// Position of the latest event.
    pub active_ms: u64,
    pub started_at_ms: i64,
    pub started_offset_min: i32,
    pub last_at_ms: i64,
}

impl Session {
    /// A session that has only just begun: the `Start` event applied.
    pub fn new(routine: Routine, start: &Event) -> Session {
        let runs = routine
            .steps
            .first()
            .map(|s| vec![StepRun::new(0, s, 0)])
            .unwrap_or_default();
        let current = (!runs.is_empty()).then_some(0);
        Session {
            routine,
            runs,
            current,
            paused: false,
            recovered: false,
            side: None,
            marks: Vec::new(),
            active_ms: 0,
            started_at_ms: start.at_ms,
            started_offset_min: start.offset_min,
            last_at_ms: start.at_ms,
        }
    }

    /// Replays a whole log (its first event must be `Start`).
    pub fn replay(routine: Routine, events: &[Event]) -> Option<Session> {
        let (first, rest) = events.split_first()?;
        if first.kind != EventKind::Start {
            return None;
        }
        let mut session = Session::new(routine, first);
        rest.iter().for_each(|e| session.apply(e));
        Some(session)
    }

    pub fn current_run(&self) -> Option<&StepRun> {
        self.current.and_then(|_| self.runs.last())
    }

    fn current_run_mut(&mut self) -> Option<&mut StepRun> {
        self.current.and_then(|_| self.runs.last_mut())
    }

    /// All steps have run: the session waits for the finish sheet.
    pub fn complete(&self) -> bool {
        self.current.is_none()
    }

    /// Whether time counts at the moment.
    pub fn running(&self) -> bool {
        !self.paused && !self.complete()
    }

    fn end_current(&mut self, at: u64, how: StepEnd) {
        if let Some(run) = self.current_run_mut() {
            run.ended_active_ms = Some(at);
            run.ended = Some(how);
        }
    }

    fn begin(&mut self, index: usize, at: u64) {
        match self.routine.steps.get(index) {
            Some(step) => {
                let run = StepRun::new(index, step, at);
                self.runs.push(run);
                self.current = Some(index);
            }
            None => self.current = None,
        }
    }

    /// Applies one event. Events that make no sense in the current state
    /// (which the engine never writes) leave the state as it is.
    pub fn apply(&mut self, event: &Event) {
        let at = event.active_ms.max(self.active_ms);
        self.active_ms = at;
        self.last_at_ms = event.at_ms;
        match &event.kind {
            EventKind::Start => {}
            EventKind::Pause { recovered } => {
                self.paused = true;
                self.recovered = *recovered;
            }
            EventKind::Resume => {
                self.paused = false;
                self.recovered = false;
            }
            EventKind::Extend { ms } => {
                if let Some(run) = self.current_run_mut() {
                    run.planned_ms += ms;
                }
            }
            EventKind::Skip | EventKind::StepDone => {
                if let Some(index) = self.current {
                    let how = if event.kind == EventKind::Skip {
                        StepEnd::Skipped
                    } else {
                        StepEnd::Done
                    };
                    self.end_current(at, how);
                    self.begin(index + 1, at);
                }
            }
            EventKind::Back => {
                let back_to = match self.current {
                    Some(index) => index.saturating_sub(1),
                    None => self.routine.steps.len().saturating_sub(1),
                };
                self.end_current(at, StepEnd::Back);
                self.begin(back_to, at);
            }
            EventKind::TargetReached => {
                if let Some(run) = self.current_run_mut() {
                    run.target_reached = true;
                }
            }
            EventKind::LetDown | EventKind::Side { .. } | EventKind::Note { .. } => {
                if let EventKind::Side { side } = event.kind {
                    self.side = Some(side);
                }
                self.marks.push(Mark {
                    kind: event.kind.clone(),
                    at_ms: event.at_ms,
                    offset_min: event.offset_min,
                    active_ms: at,
                    step_index: self.current,
                });
            }
        }
    }

    /// The engine's own events that are due by `active_now`: timed steps whose
    /// deadline has passed (each at its exact deadline), and a pump target reached.
    pub fn due(&self, active_now: u64) -> Vec<(EventKind, u64)> {
        let mut probe = self.clone();
        let mut due = Vec::new();
        while let Some(run) = probe.current_run() {
            let deadline = run.deadline();
            if deadline > active_now {
                break;
            }
            let kind = if !run.open_ended {
                EventKind::StepDone
            } else if !run.target_reached {
                EventKind::TargetReached
            } else {
                break;
            };
            probe.apply(&Event {
                kind: kind.clone(),
                at_ms: probe.last_at_ms,
                offset_min: 0,
                active_ms: deadline,
            });
            due.push((kind, deadline));
        }
        due
    }

    /// The next position at which `due` will have something, if any.
    pub fn next_deadline(&self) -> Option<u64> {
        let run = self.current_run()?;
        (!run.open_ended || !run.target_reached).then(|| run.deadline())
    }

    pub fn letdowns(&self) -> impl Iterator<Item = &Mark> {
        self.marks.iter().filter(|m| m.kind == EventKind::LetDown)
    }

    /// Time from the start of the session to the first let-down.
    pub fn first_letdown_ms(&self) -> Option<u64> {
        self.letdowns().next().map(|m| m.active_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routine::presets;

    fn ev(kind: EventKind, active_ms: u64) -> Event {
        Event {
            kind,
            at_ms: 1_700_000_000_000 + active_ms as i64,
            offset_min: 60,
            active_ms,
        }
    }

    fn standard() -> Session {
        Session::new(presets().remove(0), &ev(EventKind::Start, 0))
    }

    #[test]
    fn a_new_session_starts_its_first_step() {
        let s = standard();
        assert_eq!(s.current, Some(0));
        assert_eq!(s.current_run().unwrap().kind, StepKind::WarmUp);
        assert_eq!(s.next_deadline(), Some(180_000));
        assert!(s.running());
    }

    #[test]
    fn timed_steps_fall_due_at_their_exact_deadlines() {
        let s = standard();
        assert!(s.due(179_999).is_empty());
        let due = s.due(10 * 60_000);
        assert_eq!(
            due,
            vec![
                (EventKind::StepDone, 180_000),
                (EventKind::StepDone, 300_000),
            ]
        );
        // Past the pump target too: the target chime, but no advance.
        let due = s.due(25 * 60_000);
        assert_eq!(due.last(), Some(&(EventKind::TargetReached, 1_200_000)));
        assert_eq!(due.len(), 3);
    }

    #[test]
    fn extend_skip_and_back_move_the_deadlines() {
        let mut s = standard();
        s.apply(&ev(EventKind::Extend { ms: 60_000 }, 10_000));
        assert_eq!(s.next_deadline(), Some(240_000));
        s.apply(&ev(EventKind::Skip, 20_000));
        assert_eq!(s.current_run().unwrap().kind, StepKind::Massage);
        assert_eq!(s.next_deadline(), Some(140_000));
        s.apply(&ev(EventKind::Back, 30_000));
        let run = s.current_run().unwrap();
        assert_eq!((run.kind, run.planned_ms), (StepKind::WarmUp, 180_000));
        assert_eq!(s.next_deadline(), Some(210_000));
        let ends: Vec<_> = s.runs.iter().map(|r| r.ended).collect();
        assert_eq!(ends, [Some(StepEnd::Skipped), Some(StepEnd::Back), None]);
    }

    #[test]
    fn the_last_timed_step_completes_the_session() {
        let mut s = Session::new(presets().remove(2), &ev(EventKind::Start, 0));
        for (kind, at) in s.due(u64::MAX / 2) {
            s.apply(&ev(kind, at));
        }
        assert!(s.complete());
        assert!(!s.running());
        assert_eq!(s.runs.len(), 5);
        assert_eq!(s.active_ms, 60 * 60_000);
    }

    #[test]
    fn marks_remember_their_step_and_the_side() {
        let mut s = standard();
        s.apply(&ev(EventKind::Skip, 1_000));
        s.apply(&ev(EventKind::Skip, 2_000));
        s.apply(&ev(EventKind::LetDown, 95_000));
        s.apply(&ev(EventKind::Side { side: Side::Right }, 100_000));
        s.apply(&ev(EventKind::LetDown, 200_000));
        assert_eq!(s.letdowns().count(), 2);
        assert_eq!(s.first_letdown_ms(), Some(95_000));
        assert_eq!(s.side, Some(Side::Right));
        assert!(s.marks.iter().all(|m| m.step_index == Some(2)));
    }

    #[test]
    fn replay_gives_the_same_state_as_applying_live() {
        let events = vec![
            ev(EventKind::Start, 0),
            ev(EventKind::Pause { recovered: false }, 5_000),
            ev(EventKind::Resume, 5_000),
            ev(EventKind::StepDone, 180_000),
            ev(EventKind::LetDown, 200_000),
        ];
        let mut live = standard();
        events[1..].iter().for_each(|e| live.apply(e));
        assert_eq!(Session::replay(presets().remove(0), &events), Some(live));
        assert_eq!(Session::replay(presets().remove(0), &events[1..]), None);
    }

    #[test]
    fn an_event_dated_before_the_last_never_moves_time_backwards() {
        let mut s = standard();
        s.apply(&ev(EventKind::LetDown, 50_000));
        s.apply(&ev(EventKind::LetDown, 40_000));
        assert_eq!(s.active_ms, 50_000);
        assert_eq!(s.marks[1].active_ms, 50_000);
    }
}
