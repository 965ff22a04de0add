//! The diary's finished sessions of a window as a `Table`: the outcomes, and
//! every factor known for each session.
//!
//! Factors the diary already holds in its own tables (the steps as run, side
//! switches, the time) are read from there, so sessions saved before factors
//! were recorded still count; the rest come from `session_factors`.

use std::collections::HashMap;

use chrono::{Datelike, Timelike, Weekday};
use rusqlite::types::ValueRef;
use rusqlite::{params, OptionalExtension};

use super::stats::{Row, Table, BANDS};
use crate::diary::Diary;
use crate::error::Result;
use crate::history::local_time;

/// A warm-up or massage step "ran to its end": one run of it ended on its
/// own, and none was skipped.
pub const WARM_UP_FULL: &str = "warm_up_full";
pub const MASSAGE_FULL: &str = "massage_full";
pub const SWITCHED_SIDES: &str = "switched_sides";
/// At least `LONG_GAP_MS` since the previous session ended.
pub const LONG_GAP: &str = "long_gap";
pub const LONG_GAP_MS: i64 = 3 * 3_600_000;
pub const WEEKEND: &str = "weekend";
/// The pump's levels above this parent's usual (the window's median level),
/// and an early switch from stimulation to expression.
pub const STIMULATION_HIGH: &str = "pump_stimulation_high";
pub const EXPRESSION_HIGH: &str = "pump_expression_high";
pub const SUCTION_HIGH: &str = "pump_suction_high";
pub const SWITCH_EARLY: &str = "pump_switch_early";
/// Guidance: switch to expression once the milk flows, about 2 minutes in.
const SWITCH_EARLY_S: f64 = 120.0;

impl Diary {
    /// Finished sessions that started in `[from_ms, to_ms)`, oldest first.
    /// Each table is read in one pass over the window (no query per session):
    /// a ten-year diary reads in BENCHMARKS.md's time.
    pub fn insight_table(&self, from_ms: i64, to_ms: i64) -> Result<Table> {
        let conn = self.conn();
        struct Head {
            id: i64,
            started_ms: i64,
            offset_min: i32,
            ended_ms: Option<i64>,
            volume: Option<f64>,
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, started_ms, started_offset_min, ended_ms, amount_total_ml FROM sessions
             WHERE status = 'finished' AND started_ms >= ?1 AND started_ms < ?2
             ORDER BY started_ms, id",
        )?;
        let heads = stmt
            .query_map(params![from_ms, to_ms], |r| {
                Ok(Head {
                    id: r.get(0)?,
                    started_ms: r.get(1)?,
                    offset_min: r.get(2)?,
                    ended_ms: r.get(3)?,
                    volume: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // The session before the window, for the first one's gap.
        let mut previous_end: Option<i64> = conn
            .prepare_cached(
                "SELECT ended_ms FROM sessions WHERE status = 'finished' AND started_ms < ?1
                 ORDER BY started_ms DESC, id DESC LIMIT 1",
            )?
            .query_row(params![from_ms], |r| r.get(0))
            .optional()?
            .flatten();

        // The steps as run: where pumping began and how long it ran, and
        // whether the warm-up and the massage ran to their end.
        #[derive(Default)]
        struct Steps {
            pump_start: Option<i64>,
            pump_ms: i64,
            /// (a run ended on its own, a run was skipped) per kind.
            warm_up: Option<(bool, bool)>,
            massage: Option<(bool, bool)>,
        }
        let mut steps: HashMap<i64, Steps> = HashMap::with_capacity(heads.len());
        let mut stmt = conn.prepare_cached(
            "SELECT st.session_id, st.kind, st.started_active_ms, st.ended_active_ms, st.ended
             FROM sessions s JOIN session_steps st ON st.session_id = s.id
             WHERE s.status = 'finished' AND s.started_ms >= ?1 AND s.started_ms < ?2",
        )?;
        let mut rows = stmt.query(params![from_ms, to_ms])?;
        while let Some(r) = rows.next()? {
            let entry = steps.entry(r.get(0)?).or_default();
            let (kind, from, to) = (r.get_ref(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?);
            let ended = r.get_ref(4)?;
            let ran = |slot: &mut Option<(bool, bool)>| {
                let (done, skipped) = slot.get_or_insert((false, false));
                *done |= ended == ValueRef::Text(b"done");
                *skipped |= ended == ValueRef::Text(b"skipped");
            };
            match kind {
                ValueRef::Text(b"pump") => {
                    entry.pump_start = Some(entry.pump_start.map_or(from, |s| s.min(from)));
                    entry.pump_ms += to - from;
                }
                ValueRef::Text(b"warm_up") => ran(&mut entry.warm_up),
                ValueRef::Text(b"massage") => ran(&mut entry.massage),
                _ => {}
            }
        }

        // Let-downs, and changes of side, of the window's sessions.
        #[derive(Default)]
        struct Marks {
            letdowns: Vec<i64>,
            side: Option<String>,
            switches: u32,
        }
        let mut marks: HashMap<i64, Marks> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT e.session_id, e.kind, e.active_ms, e.data_json FROM sessions s
               JOIN events e ON e.session_id = s.id
             WHERE s.status = 'finished' AND s.started_ms >= ?1 AND s.started_ms < ?2
               AND e.kind IN ('let_down', 'side')
             ORDER BY e.session_id, e.seq",
        )?;
        let mut rows = stmt.query(params![from_ms, to_ms])?;
        while let Some(r) = rows.next()? {
            let entry = marks.entry(r.get(0)?).or_default();
            let kind: String = r.get(1)?;
            if kind == "let_down" {
                entry.letdowns.push(r.get(2)?);
                continue;
            }
            let side = serde_json::from_str::<serde_json::Value>(&r.get::<_, String>(3)?)
                .ok()
                .and_then(|v| v.get("side")?.as_str().map(str::to_string));
            if entry.side.is_some() && side != entry.side {
                entry.switches += 1;
            }
            entry.side = side.or(entry.side.take());
        }
        let mut stored: HashMap<i64, Vec<(String, f64)>> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT f.session_id, f.factor, f.value FROM sessions s
               JOIN session_factors f ON f.session_id = s.id
             WHERE s.status = 'finished' AND s.started_ms >= ?1 AND s.started_ms < ?2",
        )?;
        let mut rows = stmt.query(params![from_ms, to_ms])?;
        while let Some(r) = rows.next()? {
            stored
                .entry(r.get(0)?)
                .or_default()
                .push((r.get(1)?, r.get(2)?));
        }

        let usual = Usual::of(stored.values());
        let mut table = Table::default();
        for h in heads {
            let local = local_time(h.started_ms, h.offset_min);
            let Marks {
                letdowns, switches, ..
            } = marks.remove(&h.id).unwrap_or_default();
            let st = steps.remove(&h.id).unwrap_or_default();
            let letdowns_s = st
                .pump_start
                .map(|start| {
                    // One before pumping began (in the massage, say) came at 0 s.
                    letdowns
                        .iter()
                        .map(|&at| (at - start).max(0) as f64 / 1000.0)
                        .collect()
                })
                .unwrap_or_default();
            let row = Row {
                band: (local.hour() / (24 / u32::from(BANDS))) as u8,
                letdowns_s,
                pumped: st.pump_start.is_some(),
                volume_ml: h.volume,
                pump_minutes: st.pump_start.map(|_| st.pump_ms as f64 / 60_000.0),
            };
            let mut factors: Vec<(&str, bool)> = vec![
                (SWITCHED_SIDES, switches >= 1),
                (
                    WEEKEND,
                    matches!(local.weekday(), Weekday::Sat | Weekday::Sun),
                ),
            ];
            if let Some((done, skipped)) = st.warm_up {
                factors.push((WARM_UP_FULL, done && !skipped));
            }
            if let Some((done, skipped)) = st.massage {
                factors.push((MASSAGE_FULL, done && !skipped));
            }
            // The first session of all had a long gap before it too.
            let gap = previous_end.map_or(i64::MAX, |end| h.started_ms - end);
            factors.push((LONG_GAP, gap >= LONG_GAP_MS));
            previous_end = h.ended_ms.or(previous_end);
            let kept = stored.remove(&h.id).unwrap_or_default();
            let pump_start_s = st.pump_start.map(|ms| ms as f64 / 1000.0);
            factors.extend(yes_or_no(&kept, &usual, pump_start_s));
            table.push(row, &factors);
        }
        Ok(table)
    }
}

/// The median of each level of each pump over the sessions read: "your
/// usual" (a level means something only on its own pump's scale).
#[derive(Debug, Default)]
struct Usual {
    by_pump: HashMap<i64, [Option<f64>; 3]>,
}

const LEVELS: [&str; 3] = [
    crate::pump::FACTOR_STIMULATION,
    crate::pump::FACTOR_EXPRESSION,
    crate::pump::FACTOR_SUCTION,
];
/// The yes-or-no each level becomes, in `LEVELS`' order.
pub const LEVELS_HIGH: [&str; 3] = [STIMULATION_HIGH, EXPRESSION_HIGH, SUCTION_HIGH];

fn pump_of(kept: &[(String, f64)]) -> Option<i64> {
    kept.iter()
        .find(|(n, _)| n == crate::pump::FACTOR_PUMP)
        .map(|(_, v)| *v as i64)
}

impl Usual {
    fn of<'a>(sessions: impl Iterator<Item = &'a Vec<(String, f64)>>) -> Usual {
        let mut levels: HashMap<i64, [Vec<f64>; 3]> = HashMap::new();
        for kept in sessions {
            let Some(pump) = pump_of(kept) else { continue };
            let entry = levels.entry(pump).or_default();
            for (name, v) in kept {
                if let Some(i) = LEVELS.iter().position(|l| l == name) {
                    entry[i].push(*v);
                }
            }
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied()
        };
        Usual {
            by_pump: levels
                .into_iter()
                .map(|(pump, [a, b, c])| (pump, [median(a), median(b), median(c)]))
                .collect(),
        }
    }
}

/// A session's stored factors as the yes-or-no the comparisons use. Where the
/// breathing guide's minutes were recorded, it counts as on from one minute:
/// a guide switched on and off again in passing is not a breathing session.
/// The pump's levels count as "above your usual" on that pump; which pump it
/// was is not compared (its id is no yes-or-no). The switch to expression is
/// timed from the start of pumping (`pump_start_s`), not of the session.
fn yes_or_no<'a>(
    kept: &'a [(String, f64)],
    usual: &'a Usual,
    pump_start_s: Option<f64>,
) -> impl Iterator<Item = (&'a str, bool)> + 'a {
    use crate::pump::{FACTOR_EXPRESSION_FROM, FACTOR_PUMP};
    let minutes = kept
        .iter()
        .find(|(name, _)| name == super::BREATHING_MIN)
        .map(|(_, v)| *v);
    let usual = pump_of(kept).and_then(|p| usual.by_pump.get(&p));
    kept.iter()
        .filter_map(move |(name, v)| match name.as_str() {
            super::BREATHING_MIN | FACTOR_PUMP => None,
            super::BREATHING => Some((super::BREATHING, minutes.map_or(*v != 0.0, |m| m >= 1.0))),
            FACTOR_EXPRESSION_FROM => {
                pump_start_s.map(|start| (SWITCH_EARLY, *v - start <= SWITCH_EARLY_S))
            }
            level => match LEVELS.iter().position(|l| *l == level) {
                Some(i) => usual.and_then(|u| u[i]).map(|u| (LEVELS_HIGH[i], *v > u)),
                None => Some((level, *v != 0.0)),
            },
        })
}

#[cfg(test)]
mod tests {
    use super::{yes_or_no, Usual};
    use crate::insights::{BREATHING, BREATHING_MIN, DISCREET};

    fn read(kept: &[(&str, f64)]) -> Vec<(String, bool)> {
        let kept: Vec<(String, f64)> = kept.iter().map(|(n, v)| (n.to_string(), *v)).collect();
        yes_or_no(&kept, &Usual::default(), None)
            .map(|(n, v)| (n.to_string(), v))
            .collect()
    }

    #[test]
    fn the_guide_counts_from_a_minute_where_its_minutes_are_known() {
        let on = |v: bool| vec![(BREATHING.to_string(), v), (DISCREET.to_string(), true)];
        // Switched on in passing: 20 s of guide is not a breathing session.
        assert_eq!(
            read(&[(BREATHING, 1.0), (BREATHING_MIN, 0.33), (DISCREET, 2.0)]),
            on(false)
        );
        assert_eq!(
            read(&[(BREATHING, 2.0), (BREATHING_MIN, 6.5), (DISCREET, 1.0)]),
            on(true)
        );
        // Sessions from before the minutes were kept read as recorded.
        assert_eq!(read(&[(BREATHING, 1.0), (DISCREET, 1.0)]), on(true));
    }

    #[test]
    fn pump_levels_count_as_above_the_usual_on_their_own_pump() {
        let session = |pump: f64, level: f64| {
            vec![
                ("pump".to_string(), pump),
                ("pump_expression".to_string(), level),
            ]
        };
        // Pump 3 usually at 7; pump 4, on another scale, usually at 2.
        let sessions: Vec<Vec<(String, f64)>> = [
            (3.0, 5.0),
            (3.0, 7.0),
            (3.0, 7.0),
            (3.0, 9.0),
            (4.0, 2.0),
            (4.0, 3.0),
        ]
        .iter()
        .map(|(p, l)| session(*p, *l))
        .collect();
        let usual = Usual::of(sessions.iter());
        assert_eq!(usual.by_pump[&3][1], Some(7.0));
        assert_eq!(usual.by_pump[&4][1], Some(3.0));
        let read = |kept: &[(String, f64)], start: Option<f64>| -> Vec<(String, bool)> {
            yes_or_no(kept, &usual, start)
                .map(|(n, v)| (n.to_string(), v))
                .collect()
        };
        let high = |v: bool| vec![("pump_expression_high".to_string(), v)];
        assert_eq!(read(&sessions[3], None), high(true));
        assert_eq!(read(&sessions[1], None), high(false));
        // Level 5 is high on pump 4's scale, though low on pump 3's.
        assert_eq!(read(&session(4.0, 5.0), None), high(true));
        // The switch to expression, timed from the start of pumping (300 s in).
        let switched = [("pump_expression_from_s".to_string(), 395.0)];
        assert_eq!(
            read(&switched, Some(300.0)),
            [("pump_switch_early".to_string(), true)]
        );
        assert_eq!(
            read(&switched, Some(200.0)),
            [("pump_switch_early".to_string(), false)]
        );
        assert!(
            read(&switched, None).is_empty(),
            "no pumping step, no comparison"
        );
    }
}
