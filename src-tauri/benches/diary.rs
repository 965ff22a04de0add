//! Diary speed on a generated ten-year diary (30,000 sessions, 150,000 marks,
//! 240,000 events) in a real file: the month list, week and all-time stats, and one
//! durable intent write. Goals and recorded figures: BENCHMARKS.md.
//! Run: cargo bench -p letdown --bench diary

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use letdown::diary::Diary;
use letdown::routine::presets;
use letdown::session::{Event, EventKind, Side};
use rusqlite::params;

const SESSIONS: i64 = 30_000;
const DAY: i64 = 86_400_000;
const START: i64 = 1_450_000_000_000; // late 2015: ten years before "now"

/// Fills a diary with ten years of finished sessions, about 8 a day, each
/// with a start, step changes and let-downs: five events on average.
fn generate(diary: &mut Diary) {
    let routine = serde_json::to_string(&presets()[0]).unwrap();
    let conn = diary.connection();
    let tx = conn.transaction().unwrap();
    {
        let mut session = tx
            .prepare(
                "INSERT INTO sessions (id, routine_json, started_ms, started_offset_min, ended_ms,
                   ended_offset_min, status, active_ms, amount_left_ml, amount_right_ml,
                   amount_total_ml, comfort, letdown_count, first_letdown_ms)
                 VALUES (?1, ?2, ?3, 60, ?4, 60, 'finished', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        let mut event = tx
            .prepare(
                "INSERT INTO events (session_id, seq, kind, at_ms, offset_min, active_ms, step_index, data_json)
                 VALUES (?1, ?2, ?3, ?4, 60, ?5, 2, ?6)",
            )
            .unwrap();
        let spacing = 10 * 365 * DAY / SESSIONS;
        for id in 1..=SESSIONS {
            let start = START + id * spacing;
            let active = 15 * 60_000 + (id % 10) * 60_000;
            let letdowns = 1 + id % 4; // 1..=4, 2.5 on average
            let first = 4 * 60_000 + (id % 7) * 20_000;
            let left = 40.0 + (id % 30) as f64;
            let right = 35.0 + (id % 25) as f64;
            session
                .execute(params![
                    id,
                    routine,
                    start,
                    start + active,
                    active,
                    left,
                    right,
                    left + right,
                    1 + id % 5,
                    letdowns,
                    first
                ])
                .unwrap();
            let mut seq = 0;
            let mut add = |kind: &EventKind, at: i64| {
                let data = serde_json::to_string(kind).unwrap();
                event
                    .execute(params![id, seq, kind.name(), start + at, at, data])
                    .unwrap();
                seq += 1;
            };
            // Marks: 2.5 let-downs, two side switches and a note every
            // other session: five on average, 150,000 in all.
            add(&EventKind::Start, 0);
            add(&EventKind::StepDone, 180_000);
            add(&EventKind::StepDone, 300_000);
            add(&EventKind::Side { side: Side::Left }, 300_000);
            for n in 0..letdowns {
                add(&EventKind::LetDown, first + n * 120_000);
            }
            add(&EventKind::Side { side: Side::Right }, active - 120_000);
            if id % 2 == 0 {
                add(
                    &EventKind::Note {
                        text: "warm tea helped".into(),
                    },
                    active - 60_000,
                );
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diary.sqlite3");
    let mut diary = Diary::open(&path).unwrap();
    generate(&mut diary);
    let (events, marks): (i64, i64) = diary
        .connection()
        .query_row(
            "SELECT count(*), sum(kind IN ('let_down', 'side', 'note')) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    println!("diary: {SESSIONS} sessions, {marks} marks, {events} events");
    let end = START + 10 * 365 * DAY;
    let month_start = end - 30 * DAY;
    let week_start = end - 7 * DAY;

    c.bench_function("month list (30 days)", |b| {
        b.iter(|| {
            let rows = diary.sessions_between(month_start, end).unwrap();
            assert!(rows.len() > 200);
            rows
        })
    });
    c.bench_function("week stats", |b| {
        b.iter(|| diary.stats_between(week_start, end).unwrap())
    });
    c.bench_function("all-time stats", |b| {
        b.iter(|| {
            let stats = diary.stats_between(i64::MIN, i64::MAX).unwrap();
            assert_eq!(stats.sessions as i64, SESSIONS);
            stats
        })
    });

    // One durable intent: a let-down appended to the session in progress,
    // committed with synchronous=FULL (fsync) in WAL mode.
    let start = Event {
        kind: EventKind::Start,
        at_ms: end,
        offset_min: 60,
        active_ms: 0,
    };
    let session = diary.create_session(&presets()[0], &start).unwrap();
    let mut seq = 1;
    c.bench_function("durable intent write", |b| {
        b.iter(|| {
            let event = Event {
                kind: EventKind::LetDown,
                at_ms: end + seq as i64,
                offset_min: 60,
                active_ms: seq as u64,
            };
            diary.append_event(session, seq, &event, Some(2)).unwrap();
            seq += 1;
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
