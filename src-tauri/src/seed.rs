//! A generated diary for benchmarks and end-to-end tests: `sessions` finished
//! sessions, about 8 a day, ending at `end_ms`, each with steps as run, 1–4
//! let-downs, two side switches, a note every other session and a tag every
//! third. Not used by the app itself.

use rusqlite::params;

use crate::diary::Diary;
use crate::error::Result;
use crate::routine::presets;
use crate::session::{EventKind, Side};

const DAY: i64 = 86_400_000;

pub fn generate(diary: &mut Diary, sessions: i64, end_ms: i64, offset_min: i32) -> Result<()> {
    let routine = serde_json::to_string(&presets()[0]).unwrap_or_default();
    let tx = diary.connection().transaction()?;
    {
        let mut session = tx.prepare(
            "INSERT INTO sessions (id, routine_json, started_ms, started_offset_min, ended_ms,
               ended_offset_min, status, active_ms, amount_left_ml, amount_right_ml,
               amount_total_ml, comfort, letdown_count, first_letdown_ms, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?4, 'finished', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut event = tx.prepare(
            "INSERT INTO events (session_id, seq, kind, at_ms, offset_min, active_ms, step_index, data_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 2, ?7)",
        )?;
        let mut step = tx
            .prepare("INSERT INTO session_steps VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, 'finished')")?;
        let mut tag = tx.prepare("INSERT INTO session_tags VALUES (?1, ?2)")?;
        let spacing = DAY / 8;
        let first_start = end_ms - sessions * spacing;
        for id in 1..=sessions {
            // A little jitter so sessions do not sit at the same minutes every day.
            let start = first_start + id * spacing - (id * 7_919 % 40) * 60_000;
            let active = 15 * 60_000 + (id % 10) * 60_000;
            let letdowns = 1 + id % 4;
            let first = 4 * 60_000 + (id % 7) * 20_000;
            let left = 40.0 + (id % 30) as f64;
            let right = 35.0 + (id % 25) as f64;
            let note = (id % 2 == 0).then_some("warm tea helped");
            session.execute(params![
                id,
                routine,
                start,
                offset_min,
                start + active,
                active,
                left,
                right,
                left + right,
                1 + id % 5,
                letdowns,
                first,
                note
            ])?;
            let mut events = vec![
                (EventKind::Start, 0),
                (EventKind::Side { side: Side::Left }, 300_000),
            ];
            events.extend((0..letdowns).map(|n| (EventKind::LetDown, first + n * 120_000)));
            events.push((EventKind::Side { side: Side::Right }, active - 120_000));
            write_events(&mut event, id, start, offset_min, &events)?;
            for (seq, (kind, from, to)) in [
                ("warm_up", 0, 180_000),
                ("massage", 180_000, 300_000),
                ("pump", 300_000, active),
            ]
            .into_iter()
            .enumerate()
            {
                step.execute(params![id, seq as i64, kind, to - from, from, to])?;
            }
            if id % 3 == 0 {
                tag.execute(params![id, if id % 2 == 0 { "work" } else { "home" }])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Writes a session's events, each `(kind, active ms)`, in order.
fn write_events(
    insert: &mut rusqlite::Statement,
    id: i64,
    start: i64,
    offset_min: i32,
    events: &[(EventKind, i64)],
) -> Result<()> {
    for (seq, (kind, at)) in events.iter().enumerate() {
        let data = serde_json::to_string(kind).unwrap_or_default();
        insert.execute(params![
            id,
            seq as i64,
            kind.name(),
            start + at,
            offset_min,
            at,
            data
        ])?;
    }
    Ok(())
}

/// Query-planner statistics, as a diary years old would have them after
/// SQLite's own upkeep. Kept apart from `generate`: the app never analyses,
/// and the statistics' schema rows push a diary's schema off page 1, to the
/// end of the file, which the recovery tests must not assume.
pub fn analyse(diary: &mut Diary) -> Result<()> {
    Ok(diary.connection().execute_batch("ANALYZE")?)
}

/// A diary with one planted effect, for the "What works for you" view and
/// its benchmark: `sessions` finished sessions, 8 hours apart, ending at
/// `end_ms`. In about half the warm-up runs to its end, and in those the
/// first let-down comes 90 s sooner (2:10 against 3:40 from the start of
/// pumping, ± up to 30 s); nothing else differs. Each session also carries
/// the factors the app records. Every time within a session is multiplied
/// by `scale` (1.0 as above; 1/30 for an end-to-end test's second-long steps).
pub fn planted(
    diary: &mut Diary,
    sessions: i64,
    end_ms: i64,
    offset_min: i32,
    scale: f64,
) -> Result<()> {
    let at = |ms: i64| (ms as f64 * scale).round() as i64;
    let routine = serde_json::to_string(&presets()[0]).unwrap_or_default();
    let mut rng = fastrand::Rng::with_seed(2026);
    let tx = diary.connection().transaction()?;
    {
        let mut session = tx.prepare(
            "INSERT INTO sessions (routine_json, started_ms, started_offset_min, ended_ms,
               ended_offset_min, status, active_ms, amount_total_ml, letdown_count, first_letdown_ms)
             VALUES (?1, ?2, ?3, ?4, ?3, 'finished', ?5, ?6, ?7, ?8)",
        )?;
        let mut event = tx.prepare(
            "INSERT INTO events (session_id, seq, kind, at_ms, offset_min, active_ms, step_index, data_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 2, ?7)",
        )?;
        let mut step =
            tx.prepare("INSERT INTO session_steps VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        let mut factor = tx.prepare("INSERT INTO session_factors VALUES (?1, ?2, ?3)")?;
        let spacing = DAY / 3;
        for n in 0..sessions {
            let start = end_ms - (sessions - n) * spacing;
            let full = rng.bool();
            let warm_ms = at(if full { 180_000 } else { 60_000 });
            let pump_start = warm_ms + at(120_000);
            let first = at(if full { 130_000 } else { 220_000 } + rng.i64(-30_000..=30_000));
            let second = first + at(420_000 + rng.i64(-40_000..=40_000));
            let active = pump_start + at(15 * 60_000);
            let volume = 90.0 + rng.f64() * 30.0;
            session.execute(params![
                routine,
                start,
                offset_min,
                start + active,
                active,
                volume,
                2,
                pump_start + first
            ])?;
            let id = tx.last_insert_rowid();
            let events = [
                (EventKind::Start, 0),
                (EventKind::LetDown, pump_start + first),
                (EventKind::LetDown, pump_start + second),
            ];
            write_events(&mut event, id, start, offset_min, &events)?;
            for (seq, (kind, from, to, ended)) in [
                ("warm_up", 0, warm_ms, if full { "done" } else { "skipped" }),
                ("massage", warm_ms, pump_start, "done"),
                ("pump", pump_start, active, "finished"),
            ]
            .into_iter()
            .enumerate()
            {
                step.execute(params![id, seq as i64, kind, to - from, from, to, ended])?;
            }
            for name in [
                crate::insights::BABY_PICTURE,
                crate::insights::BABY_SOUND,
                "did:a drink",
            ] {
                factor.execute(params![id, name, f64::from(u8::from(rng.bool()))])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}
