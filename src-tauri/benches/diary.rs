//! Diary speed on a generated ten-year diary (30,000 sessions, 150,000 marks,
//! 240,000 events, its milk and pumps) in a real file: the month list, week and
//! all-time stats, the stash and the parts check, and one durable intent write. Goals and recorded figures: BENCHMARKS.md.
//! Run: cargo bench -p letdown --bench diary

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use letdown::diary::Diary;
use letdown::routine::presets;
use letdown::session::{Event, EventKind};

const SESSIONS: i64 = 30_000;
const DAY: i64 = 86_400_000;
const START: i64 = 1_450_000_000_000; // late 2015: ten years before "now"

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diary.sqlite3");
    let mut diary = Diary::open(&path).unwrap();
    letdown::seed::generate(&mut diary, SESSIONS, START + 10 * 365 * DAY, 60).unwrap();
    // "What works for you" needs factors: eight per session, as the app
    // records them, and warm-ups and massages that ran to their end or not.
    diary
        .connection()
        .execute_batch(
            "INSERT INTO session_factors SELECT id, 'baby_picture', id % 2 FROM sessions;
             INSERT INTO session_factors SELECT id, 'baby_sound', (id / 2) % 2 FROM sessions;
             INSERT INTO session_factors SELECT id, 'breathing', id % 3 = 0 FROM sessions;
             INSERT INTO session_factors SELECT id, 'discreet', id % 11 = 0 FROM sessions;
             INSERT INTO session_factors SELECT id, 'hide_controls', 1 FROM sessions;
             INSERT INTO session_factors SELECT id, 'did:warm compress', id * 7 % 5 < 2 FROM sessions;
             INSERT INTO session_factors SELECT id, 'did:a drink', id * 3 % 4 < 2 FROM sessions;
             INSERT INTO session_factors SELECT id, 'did:at work', id % 8 < 5 FROM sessions;
             UPDATE session_steps SET ended = 'done'
               WHERE kind IN ('warm_up', 'massage') AND session_id % 3 <> 0;",
        )
        .unwrap();
    let end = START + 10 * 365 * DAY;
    // The stash: every session's milk in the fridge (3 in 10), the freezer
    // (6 in 10) or fed; all of it used long since but the last 90 days'
    // frozen milk and the last 4 days' fridge milk (about 450 portions in
    // the stash, 27,000 stored in all). Two pumps, their four parts each
    // replaced every 4 weeks for ten years.
    diary
        .connection()
        .execute_batch(&format!(
            "INSERT INTO milk (session_id, place, amount_ml, use_by_ms, used_ms, used_how)
               SELECT id, place, coalesce(amount_total_ml, 100), use_by,
                      CASE WHEN ended_ms < {end} - keep THEN ended_ms + {DAY} END,
                      CASE WHEN ended_ms < {end} - keep THEN 'fed' END
               FROM (SELECT id, amount_total_ml, ended_ms,
                       CASE WHEN id % 10 < 6 THEN 'freezer' WHEN id % 10 < 9 THEN 'fridge' ELSE 'fed' END AS place,
                       CASE WHEN id % 10 < 6 THEN ended_ms + 182 * {DAY} WHEN id % 10 < 9 THEN ended_ms + 4 * {DAY} END AS use_by,
                       CASE WHEN id % 10 < 6 THEN 90 * {DAY} ELSE 4 * {DAY} END AS keep
                     FROM sessions WHERE status = 'finished');"
        ))
        .unwrap();
    for name in ["Work pump", "Home pump"] {
        let spec = letdown::pump::PumpSpec {
            name: name.into(),
            double: true,
            flange_left_mm: Some(24.0),
            flange_right_mm: Some(24.0),
            levels: letdown::pump::Levels::Two,
            stimulation: Some(5),
            expression: Some(7),
            suction: None,
        };
        diary.save_pump(None, spec, START).unwrap();
    }
    diary
        .connection()
        .execute_batch(&format!(
            "WITH RECURSIVE t(at) AS (SELECT {START} UNION ALL SELECT at + 28 * {DAY} FROM t WHERE at < {end})
             INSERT INTO part_replacements SELECT p.id, t.at, 60 FROM pump_parts p, t;"
        ))
        .unwrap();
    letdown::seed::analyse(&mut diary).unwrap();
    let (events, marks): (i64, i64) = diary
        .connection()
        .query_row(
            "SELECT count(*), sum(kind IN ('let_down', 'side', 'note')) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    println!("diary: {SESSIONS} sessions, {marks} marks, {events} events");
    let month_start = end - 30 * DAY;
    let week_start = end - 7 * DAY;

    c.bench_function("month list (30 days)", |b| {
        b.iter(|| {
            let rows = diary.sessions_between(month_start, end).unwrap();
            assert!(rows.len() > 200);
            rows
        })
    });
    c.bench_function("diary list: first page (all 10 years)", |b| {
        b.iter(|| {
            let page = diary
                .list_page(
                    &letdown::history::Filter::default(),
                    None,
                    letdown::history::PAGE_SIZE,
                )
                .unwrap();
            assert!(page.next.is_some());
            page
        })
    });
    c.bench_function("diary list: a page 5 years back", |b| {
        let cursor = letdown::history::Cursor {
            started_ms: START + 5 * 365 * DAY,
            id: i64::MAX,
        };
        b.iter(|| {
            diary
                .list_page(
                    &letdown::history::Filter::default(),
                    Some(cursor),
                    letdown::history::PAGE_SIZE,
                )
                .unwrap()
        })
    });
    c.bench_function("diary list: first page, filtered by tag", |b| {
        let filter = letdown::history::Filter {
            tag: Some("work".into()),
            ..Default::default()
        };
        b.iter(|| {
            diary
                .list_page(&filter, None, letdown::history::PAGE_SIZE)
                .unwrap()
        })
    });
    c.bench_function("month charts (points + 4 SVGs)", |b| {
        let to = chrono::DateTime::from_timestamp_millis(START + 10 * 365 * DAY)
            .unwrap()
            .date_naive();
        let from = to - chrono::Duration::days(30);
        b.iter(|| {
            let points = diary.points(from, to).unwrap();
            letdown::charts::all(from, to, &points, letdown::prefs::Unit::Ml, Some(3.0), &[])
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
    let keeping = letdown::stash::Keeping {
        daily_need_ml: 300,
        ..Default::default()
    };
    c.bench_function("stash view (10 years of milk)", |b| {
        b.iter(|| {
            let stash = diary.stash(end, &keeping).unwrap();
            assert!(stash.portions.len() > 300, "{}", stash.portions.len());
            stash
        })
    });
    c.bench_function("parts check (2 pumps, 10 years of replacements)", |b| {
        b.iter(|| diary.parts_due(end).unwrap())
    });
    c.bench_function("what works: 8 weeks of the 10-year diary", |b| {
        b.iter(|| {
            let view =
                letdown::insights::insights(&diary, 8, end, letdown::prefs::Unit::Ml).unwrap();
            assert!(view.sessions > 400);
            view
        })
    });
    let all = diary.insight_table(i64::MIN, i64::MAX).unwrap();
    assert_eq!(all.rows.len() as i64, SESSIONS);
    c.bench_function("what works statistics: all 30,000 sessions", |b| {
        b.iter(|| {
            let findings = letdown::insights::stats::findings(&all);
            (findings, letdown::insights::stats::pattern(&all.rows))
        })
    });
    c.bench_function("what works: reading all 30,000 sessions", |b| {
        b.iter(|| diary.insight_table(i64::MIN, i64::MAX).unwrap())
    });

    // One durable intent: a let-down appended to the session in progress,
    // committed with synchronous=FULL (fsync) in WAL mode.
    let start = Event {
        kind: EventKind::Start,
        at_ms: end,
        offset_min: 60,
        active_ms: 0,
    };
    let session = diary.create_session(&presets()[0], &start, &[]).unwrap();
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
