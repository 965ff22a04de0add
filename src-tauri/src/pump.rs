//! The parent's pumps: their flanges and levels, the parts that wear out and
//! when each is due, and the settings each session was pumped with (kept as
//! the session's factors, so "What works for you" can compare them).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::diary::Diary;
use crate::error::{Error, Result};

const DAY_MS: i64 = 86_400_000;
pub const MAX_NAME_CHARS: usize = 40;
pub const MAX_PUMPS: usize = 6;
pub const MAX_PARTS: usize = 12;

/// Session factors holding the pump's settings.
pub const FACTOR_PUMP: &str = "pump";
pub const FACTOR_STIMULATION: &str = "pump_stimulation";
pub const FACTOR_EXPRESSION: &str = "pump_expression";
pub const FACTOR_SUCTION: &str = "pump_suction";
pub const FACTOR_EXPRESSION_FROM: &str = "pump_expression_from_s";
const SETTING_FACTORS: [&str; 5] = [
    FACTOR_PUMP,
    FACTOR_STIMULATION,
    FACTOR_EXPRESSION,
    FACTOR_SUCTION,
    FACTOR_EXPRESSION_FROM,
];

/// How a pump's strength is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Levels {
    /// A stimulation (let-down) mode and an expression mode, each with a level.
    Two,
    /// One suction level.
    One,
}

/// A pump as the parent describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PumpSpec {
    pub name: String,
    pub double: bool,
    #[serde(default)]
    pub flange_left_mm: Option<f64>,
    #[serde(default)]
    pub flange_right_mm: Option<f64>,
    pub levels: Levels,
    /// The levels a session starts with until the parent changes them.
    #[serde(default)]
    pub stimulation: Option<u8>,
    #[serde(default)]
    pub expression: Option<u8>,
    #[serde(default)]
    pub suction: Option<u8>,
}

fn tidy_name(name: &str, what: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Invalid(format!(
            "{what} needs a name of 1 to {MAX_NAME_CHARS} characters."
        )));
    }
    Ok(name.to_string())
}

fn check_level(level: Option<u8>) -> Result<Option<u8>> {
    match level {
        Some(l) if !(1..=20).contains(&l) => Err(Error::Invalid(
            "A pump level is a whole number from 1 to 20.".into(),
        )),
        other => Ok(other),
    }
}

impl PumpSpec {
    pub fn validated(self) -> Result<PumpSpec> {
        let name = tidy_name(&self.name, "A pump")?;
        for mm in [self.flange_left_mm, self.flange_right_mm]
            .into_iter()
            .flatten()
        {
            if !mm.is_finite() || !(10.0..=40.0).contains(&mm) {
                return Err(Error::Invalid(
                    "A flange size is between 10 and 40 mm.".into(),
                ));
            }
        }
        let two = self.levels == Levels::Two;
        Ok(PumpSpec {
            name,
            // A single pump has one flange: the left field holds it.
            flange_right_mm: self.flange_right_mm.filter(|_| self.double),
            stimulation: check_level(self.stimulation)?.filter(|_| two),
            expression: check_level(self.expression)?.filter(|_| two),
            suction: check_level(self.suction)?.filter(|_| !two),
            ..self
        })
    }
}

/// A part that wears, and when it is due to be replaced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub id: i64,
    pub pump_id: i64,
    pub name: String,
    pub every_days: u32,
    /// The last replacement, if the parent has marked one.
    pub last_replaced_ms: Option<i64>,
    /// When it is due: the last replacement (or the pump's start in Letdown) plus its interval.
    pub due_ms: i64,
    /// "Remind me in a week": not said to be due before this.
    pub quiet_until_ms: Option<i64>,
}

impl Part {
    /// Due now, and not put off.
    pub fn due(&self, now_ms: i64) -> bool {
        self.due_ms <= now_ms && self.quiet_until_ms.is_none_or(|q| q <= now_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pump {
    pub id: i64,
    #[serde(flatten)]
    pub spec: PumpSpec,
    pub created_ms: i64,
    pub parts: Vec<Part>,
}

/// A part as the parent adds or changes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    pub every_days: u32,
}

/// The parts a new pump starts with, and how often each is replaced, given
/// how many sessions a day the parent pumps. Defaults the parent can change.
/// Valves and membranes: pump makers' replacement charts (Medela's and
/// Spectra's parts guides) give 2 to 8 weeks, sooner the more often one
/// pumps; here 2 weeks at 5 or more sessions a day, 4 at 3–4, 6 at 2, 8 at
/// one. Tubing: every 3 to 6 months, or at once if milk or mould gets in;
/// here the 3 months of daily use. Backflow protectors: as the tubing.
pub fn default_parts(sessions_per_day: f64) -> Vec<(&'static str, u32)> {
    let valves = match sessions_per_day {
        s if s >= 5.0 => 14,
        s if s >= 3.0 => 28,
        s if s >= 2.0 => 42,
        _ => 56,
    };
    vec![
        ("Duckbill valves", valves),
        ("Membranes", valves),
        ("Tubing", 90),
        ("Backflow protectors", 90),
    ]
}

/// The settings a session was pumped with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PumpSettings {
    pub pump_id: i64,
    #[serde(default)]
    pub stimulation: Option<u8>,
    #[serde(default)]
    pub expression: Option<u8>,
    #[serde(default)]
    pub suction: Option<u8>,
    /// When, in the session's running time, stimulation gave way to expression.
    #[serde(default)]
    pub expression_from_s: Option<u32>,
}

impl PumpSettings {
    pub fn validated(self) -> Result<PumpSettings> {
        Ok(PumpSettings {
            stimulation: check_level(self.stimulation)?,
            expression: check_level(self.expression)?,
            suction: check_level(self.suction)?,
            ..self
        })
    }

    /// A pump's own levels, for a session that starts with no earlier choice.
    pub fn defaults(pump: &Pump) -> PumpSettings {
        PumpSettings {
            pump_id: pump.id,
            stimulation: pump.spec.stimulation,
            expression: pump.spec.expression,
            suction: pump.spec.suction,
            expression_from_s: None,
        }
    }

    /// The settings as session factors.
    pub fn factors(&self) -> Vec<(&'static str, f64)> {
        let mut out = vec![(FACTOR_PUMP, self.pump_id as f64)];
        let mut push = |name, v: Option<f64>| {
            if let Some(v) = v {
                out.push((name, v));
            }
        };
        push(FACTOR_STIMULATION, self.stimulation.map(f64::from));
        push(FACTOR_EXPRESSION, self.expression.map(f64::from));
        push(FACTOR_SUCTION, self.suction.map(f64::from));
        push(
            FACTOR_EXPRESSION_FROM,
            self.expression_from_s.map(f64::from),
        );
        out
    }

    /// The settings recorded in a session's factors, if a pump was.
    pub fn from_factors(factors: &[(String, f64)]) -> Option<PumpSettings> {
        let get = |name: &str| factors.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        let level = |name| get(name).map(|v| v.clamp(0.0, 255.0) as u8);
        Some(PumpSettings {
            pump_id: get(FACTOR_PUMP)? as i64,
            stimulation: level(FACTOR_STIMULATION),
            expression: level(FACTOR_EXPRESSION),
            suction: level(FACTOR_SUCTION),
            expression_from_s: get(FACTOR_EXPRESSION_FROM).map(|v| v.max(0.0) as u32),
        })
    }
}

/// A part due now, with its pump's name: the idle screen's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuePart {
    #[serde(flatten)]
    pub part: Part,
    pub pump: String,
}

/// A part replaced, for the charts' marks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replacement {
    pub at_ms: i64,
    pub offset_min: i32,
    pub part: String,
    pub pump: String,
}

impl Diary {
    /// The pumps in use, oldest first, each with its parts.
    pub fn pumps(&self) -> Result<Vec<Pump>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, double, flange_left_mm, flange_right_mm, levels, stimulation,
                    expression, suction, created_ms
             FROM pumps WHERE removed_ms IS NULL ORDER BY id",
        )?;
        let mut pumps: Vec<Pump> = stmt
            .query_map([], |r| {
                Ok(Pump {
                    id: r.get(0)?,
                    spec: PumpSpec {
                        name: r.get(1)?,
                        double: r.get(2)?,
                        flange_left_mm: r.get(3)?,
                        flange_right_mm: r.get(4)?,
                        levels: if r.get::<_, String>(5)? == "one" {
                            Levels::One
                        } else {
                            Levels::Two
                        },
                        stimulation: r.get(6)?,
                        expression: r.get(7)?,
                        suction: r.get(8)?,
                    },
                    created_ms: r.get(9)?,
                    parts: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.id, p.pump_id, p.name, p.every_days, p.quiet_until_ms,
                    (SELECT max(at_ms) FROM part_replacements r WHERE r.part_id = p.id)
             FROM pump_parts p WHERE p.removed_ms IS NULL ORDER BY p.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let pump_id: i64 = r.get(1)?;
            let Some(pump) = pumps.iter_mut().find(|p| p.id == pump_id) else {
                continue;
            };
            let every_days: u32 = r.get(3)?;
            let last_replaced_ms: Option<i64> = r.get(5)?;
            pump.parts.push(Part {
                id: r.get(0)?,
                pump_id,
                name: r.get(2)?,
                every_days,
                last_replaced_ms,
                due_ms: last_replaced_ms.unwrap_or(pump.created_ms)
                    + i64::from(every_days) * DAY_MS,
                quiet_until_ms: r.get(4)?,
            });
        }
        Ok(pumps)
    }

    /// Every pump's name by id, those put away too: what old sessions used.
    pub fn pump_names(&self) -> Result<std::collections::HashMap<i64, String>> {
        let mut stmt = self.conn().prepare_cached("SELECT id, name FROM pumps")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Finished sessions a day over the two weeks before `now_ms`: how hard
    /// the parts work.
    pub fn sessions_per_day(&self, now_ms: i64) -> Result<f64> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM sessions WHERE status = 'finished'
               AND started_ms >= ?1 AND started_ms < ?2",
            params![now_ms - 14 * DAY_MS, now_ms],
            |r| r.get(0),
        )?;
        Ok(n as f64 / 14.0)
    }

    /// Adds a pump with the usual parts, or changes one; answers its id.
    pub fn save_pump(&mut self, id: Option<i64>, spec: PumpSpec, now_ms: i64) -> Result<i64> {
        let spec = spec.validated()?;
        let levels = match spec.levels {
            Levels::Two => "two",
            Levels::One => "one",
        };
        let per_day = self.sessions_per_day(now_ms)?;
        let tx = self.connection().transaction()?;
        let id = match id {
            Some(id) => {
                let n = tx.execute(
                    "UPDATE pumps SET name = ?2, double = ?3, flange_left_mm = ?4,
                       flange_right_mm = ?5, levels = ?6, stimulation = ?7, expression = ?8,
                       suction = ?9 WHERE id = ?1 AND removed_ms IS NULL",
                    params![
                        id,
                        spec.name,
                        spec.double,
                        spec.flange_left_mm,
                        spec.flange_right_mm,
                        levels,
                        spec.stimulation,
                        spec.expression,
                        spec.suction
                    ],
                )?;
                if n == 0 {
                    return Err(Error::NotFound("That pump"));
                }
                id
            }
            None => {
                let count: i64 = tx.query_row(
                    "SELECT count(*) FROM pumps WHERE removed_ms IS NULL",
                    [],
                    |r| r.get(0),
                )?;
                if count as usize >= MAX_PUMPS {
                    return Err(Error::Invalid(format!(
                        "At most {MAX_PUMPS} pumps, please."
                    )));
                }
                tx.execute(
                    "INSERT INTO pumps (name, double, flange_left_mm, flange_right_mm, levels,
                       stimulation, expression, suction, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        spec.name,
                        spec.double,
                        spec.flange_left_mm,
                        spec.flange_right_mm,
                        levels,
                        spec.stimulation,
                        spec.expression,
                        spec.suction,
                        now_ms
                    ],
                )?;
                let id = tx.last_insert_rowid();
                for (name, every_days) in default_parts(per_day) {
                    tx.execute(
                        "INSERT INTO pump_parts (pump_id, name, every_days) VALUES (?1, ?2, ?3)",
                        params![id, name, every_days],
                    )?;
                }
                id
            }
        };
        tx.commit()?;
        Ok(id)
    }

    /// Puts a pump away: no longer offered; its sessions keep their record.
    pub fn remove_pump(&self, id: i64, now_ms: i64) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE pumps SET removed_ms = ?2 WHERE id = ?1 AND removed_ms IS NULL",
            params![id, now_ms],
        )?;
        match n {
            0 => Err(Error::NotFound("That pump")),
            _ => Ok(()),
        }
    }

    /// Adds a part to a pump, or changes one's name or interval.
    pub fn save_part(&self, pump_id: i64, part: PartSpec) -> Result<i64> {
        let name = tidy_name(&part.name, "A part")?;
        if !(1..=730).contains(&part.every_days) {
            return Err(Error::Invalid(
                "A part is replaced every 1 to 730 days.".into(),
            ));
        }
        let taken = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                Error::Invalid("This pump already has a part of that name.".into())
            }
            _ => e.into(),
        };
        if let Some(id) = part.id {
            let n = self
                .conn()
                .execute(
                    "UPDATE pump_parts SET name = ?3, every_days = ?4
                     WHERE id = ?1 AND pump_id = ?2 AND removed_ms IS NULL",
                    params![id, pump_id, name, part.every_days],
                )
                .map_err(taken)?;
            return match n {
                0 => Err(Error::NotFound("That part")),
                _ => Ok(id),
            };
        }
        let count: i64 = self.conn().query_row(
            "SELECT count(*) FROM pump_parts WHERE pump_id = ?1 AND removed_ms IS NULL",
            [pump_id],
            |r| r.get(0),
        )?;
        if count as usize >= MAX_PARTS {
            return Err(Error::Invalid(format!(
                "At most {MAX_PARTS} parts a pump, please."
            )));
        }
        self.conn()
            .execute(
                "INSERT INTO pump_parts (pump_id, name, every_days)
                 SELECT id, ?2, ?3 FROM pumps WHERE id = ?1 AND removed_ms IS NULL",
                params![pump_id, name, part.every_days],
            )
            .map_err(taken)
            .and_then(|n| match n {
                0 => Err(Error::NotFound("That pump")),
                _ => Ok(self.conn().last_insert_rowid()),
            })
    }

    /// Stops tracking a part; its replacements stay on the charts.
    pub fn remove_part(&self, id: i64, now_ms: i64) -> Result<()> {
        match self.conn().execute(
            "UPDATE pump_parts SET removed_ms = ?2 WHERE id = ?1 AND removed_ms IS NULL",
            params![id, now_ms],
        )? {
            0 => Err(Error::NotFound("That part")),
            _ => Ok(()),
        }
    }

    /// "Replaced today": the part's clock starts again.
    pub fn replace_part(&mut self, id: i64, at_ms: i64, offset_min: i32) -> Result<()> {
        let tx = self.connection().transaction()?;
        let n = tx.execute(
            "UPDATE pump_parts SET quiet_until_ms = NULL WHERE id = ?1 AND removed_ms IS NULL",
            [id],
        )?;
        if n == 0 {
            return Err(Error::NotFound("That part"));
        }
        tx.execute(
            "INSERT OR REPLACE INTO part_replacements (part_id, at_ms, offset_min)
             VALUES (?1, ?2, ?3)",
            params![id, at_ms, offset_min],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// "Remind me in a week" (or whenever `until_ms` is).
    pub fn quiet_part(&self, id: i64, until_ms: i64) -> Result<()> {
        match self.conn().execute(
            "UPDATE pump_parts SET quiet_until_ms = ?2 WHERE id = ?1 AND removed_ms IS NULL",
            params![id, until_ms],
        )? {
            0 => Err(Error::NotFound("That part")),
            _ => Ok(()),
        }
    }

    /// The parts due at `now_ms`, soonest due first.
    pub fn parts_due(&self, now_ms: i64) -> Result<Vec<DuePart>> {
        let mut due: Vec<DuePart> = self
            .pumps()?
            .into_iter()
            .flat_map(|pump| {
                let name = pump.spec.name.clone();
                pump.parts
                    .into_iter()
                    .filter(|p| p.due(now_ms))
                    .map(move |part| DuePart {
                        part,
                        pump: name.clone(),
                    })
            })
            .collect();
        due.sort_by_key(|d| (d.part.due_ms, d.part.id));
        Ok(due)
    }

    /// Parts replaced in `[from_ms, to_ms)`, oldest first.
    pub fn replacements_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<Replacement>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.at_ms, r.offset_min, p.name, u.name FROM part_replacements r
               JOIN pump_parts p ON p.id = r.part_id JOIN pumps u ON u.id = p.pump_id
             WHERE r.at_ms >= ?1 AND r.at_ms < ?2 ORDER BY r.at_ms",
        )?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| {
            Ok(Replacement {
                at_ms: r.get(0)?,
                offset_min: r.get(1)?,
                part: r.get(2)?,
                pump: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Parts replaced on local days `from..=to`, for the charts' marks.
    pub fn replacements_in_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<Replacement>> {
        // Local days reach 14 hours either side of UTC's.
        let edge = |d: chrono::NaiveDate| {
            d.and_time(chrono::NaiveTime::MIN)
                .and_utc()
                .timestamp_millis()
        };
        let found = self.replacements_between(edge(from) - DAY_MS, edge(to) + 2 * DAY_MS)?;
        Ok(found
            .into_iter()
            .filter(|r| {
                let day = crate::history::local_time(r.at_ms, r.offset_min).date();
                (from..=to).contains(&day)
            })
            .collect())
    }

    /// What the next session starts with: the last session's settings if its
    /// pump is still in use, else the first pump's own levels; none without a pump.
    pub fn next_pump_settings(&self) -> Result<Option<PumpSettings>> {
        let pumps = self.pumps()?;
        let last: Option<i64> = self
            .conn()
            .query_row(
                "SELECT s.id FROM sessions s JOIN session_factors f
                   ON f.session_id = s.id AND f.factor = 'pump'
                 WHERE s.status = 'finished' ORDER BY s.started_ms DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = last {
            let settings = PumpSettings::from_factors(&self.session_factors(id)?);
            if let Some(s) = settings.filter(|s| pumps.iter().any(|p| p.id == s.pump_id)) {
                return Ok(Some(PumpSettings {
                    expression_from_s: None,
                    ..s
                }));
            }
        }
        Ok(pumps.first().map(PumpSettings::defaults))
    }

    /// Records the settings a session is pumped with, in place of any before.
    pub fn set_session_pump(&mut self, session_id: i64, settings: &PumpSettings) -> Result<()> {
        let settings = settings.validated()?;
        let tx = self.connection().transaction()?;
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pumps WHERE id = ?1 AND removed_ms IS NULL)",
            [settings.pump_id],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::NotFound("That pump"));
        }
        for factor in SETTING_FACTORS {
            tx.execute(
                "DELETE FROM session_factors WHERE session_id = ?1 AND factor = ?2",
                params![session_id, factor],
            )?;
        }
        for (factor, value) in settings.factors() {
            tx.execute(
                "INSERT INTO session_factors (session_id, factor, value) VALUES (?1, ?2, ?3)",
                params![session_id, factor, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC: a fixed instant

    fn spec(name: &str) -> PumpSpec {
        PumpSpec {
            name: name.into(),
            double: true,
            flange_left_mm: Some(24.0),
            flange_right_mm: Some(21.0),
            levels: Levels::Two,
            stimulation: Some(5),
            expression: Some(7),
            suction: Some(3),
        }
    }

    fn sessions(d: &mut Diary, per_day: i64, end_ms: i64) {
        let routine = serde_json::to_string(&crate::routine::presets()[0]).unwrap();
        for i in 0..14 * per_day {
            let start = end_ms - 14 * DAY_MS + i * DAY_MS / per_day;
            d.conn()
                .execute(
                    "INSERT INTO sessions (routine_json, started_ms, started_offset_min, ended_ms,
                       ended_offset_min, status, active_ms) VALUES (?1, ?2, 0, ?2, 0, 'finished', 0)",
                    params![routine, start],
                )
                .unwrap();
        }
    }

    #[test]
    fn a_new_pump_gets_parts_timed_by_how_often_the_parent_pumps() {
        let mut d = Diary::open_in_memory().unwrap();
        sessions(&mut d, 6, T0);
        let busy = d.save_pump(None, spec("Work pump"), T0).unwrap();
        let pumps = d.pumps().unwrap();
        let parts = &pumps.iter().find(|p| p.id == busy).unwrap().parts;
        let every = |name: &str| parts.iter().find(|p| p.name == name).unwrap().every_days;
        assert_eq!((every("Duckbill valves"), every("Membranes")), (14, 14));
        assert_eq!((every("Tubing"), every("Backflow protectors")), (90, 90));
        assert_eq!(default_parts(1.0)[0].1, 56);
        assert_eq!(default_parts(3.5)[0].1, 28);
        // Levels that the pump does not have are not kept.
        let p = &pumps[0].spec;
        assert_eq!(
            (p.stimulation, p.expression, p.suction),
            (Some(5), Some(7), None)
        );
    }

    #[test]
    fn bad_pump_details_are_refused_with_a_plain_sentence() {
        let mut d = Diary::open_in_memory().unwrap();
        let mut wide = spec("Pump");
        wide.flange_left_mm = Some(55.0);
        let mut loud = spec("Pump");
        loud.expression = Some(30);
        for (bad, says) in [
            (spec("  "), "needs a name"),
            (wide, "flange"),
            (loud, "level"),
        ] {
            let e = d.save_pump(None, bad, T0).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
        assert!(d.pumps().unwrap().is_empty(), "nothing saved");
        let id = d.save_pump(None, spec("Pump"), T0).unwrap();
        let e = d
            .save_part(
                id,
                PartSpec {
                    id: None,
                    name: "Tubing".into(),
                    every_days: 30,
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("already has a part"), "{e}");
        let e = d
            .save_part(
                id,
                PartSpec {
                    id: None,
                    name: "Flanges".into(),
                    every_days: 0,
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("every 1 to 730 days"), "{e}");
    }

    #[test]
    fn a_part_comes_due_is_put_off_a_week_and_starts_again_when_replaced() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = d.save_pump(None, spec("Pump"), T0).unwrap();
        // Once a day: valves and membranes every 8 weeks.
        let valves = d.pumps().unwrap()[0].parts[0].clone();
        assert_eq!(valves.every_days, 56);
        let due_at = T0 + 56 * DAY_MS;
        assert!(d.parts_due(due_at - 1).unwrap().is_empty());
        let due = d.parts_due(due_at).unwrap();
        let names: Vec<&str> = due.iter().map(|p| p.part.name.as_str()).collect();
        assert_eq!(names, ["Duckbill valves", "Membranes"]);
        assert_eq!(due[0].pump, "Pump");
        // "Remind me in a week".
        d.quiet_part(valves.id, due_at + 7 * DAY_MS).unwrap();
        assert_eq!(d.parts_due(due_at + DAY_MS).unwrap().len(), 1);
        assert_eq!(d.parts_due(due_at + 7 * DAY_MS).unwrap().len(), 2);
        // "Replaced today": due again 8 weeks on, and the replacement is kept.
        let replaced = due_at + 8 * DAY_MS;
        d.replace_part(valves.id, replaced, 60).unwrap();
        let now_due = d.parts_due(replaced).unwrap();
        assert!(now_due.iter().all(|p| p.part.id != valves.id));
        let again = d.parts_due(replaced + 56 * DAY_MS).unwrap();
        assert!(again.iter().any(|p| p.part.id == valves.id));
        let marks = d.replacements_between(T0, replaced + 1).unwrap();
        assert_eq!(marks.len(), 1);
        // A part no longer tracked keeps its replacements on the charts.
        let tubing = d.pumps().unwrap()[0].parts[2].clone();
        d.replace_part(tubing.id, replaced, 60).unwrap();
        d.remove_part(tubing.id, replaced).unwrap();
        assert!(d.pumps().unwrap()[0]
            .parts
            .iter()
            .all(|p| p.id != tubing.id));
        assert_eq!(d.replacements_between(T0, replaced + 1).unwrap().len(), 2);
        assert!(d.remove_part(tubing.id, replaced).is_err(), "removed once");
        // Its name is free again.
        let spec = PartSpec {
            id: None,
            name: "Tubing".into(),
            every_days: 60,
        };
        d.save_part(id, spec).unwrap();
        assert_eq!(
            (marks[0].part.as_str(), marks[0].offset_min),
            ("Duckbill valves", 60)
        );
        // A changed interval moves the due date.
        d.save_part(
            id,
            PartSpec {
                id: Some(valves.id),
                name: "Valves".into(),
                every_days: 7,
            },
        )
        .unwrap();
        assert!(d
            .parts_due(replaced + 7 * DAY_MS)
            .unwrap()
            .iter()
            .any(|p| p.part.name == "Valves"));
    }

    #[test]
    fn a_session_starts_with_the_last_settings_and_keeps_its_own() {
        let mut d = Diary::open_in_memory().unwrap();
        assert_eq!(
            d.next_pump_settings().unwrap(),
            None,
            "no pump, no settings"
        );
        let id = d.save_pump(None, spec("Pump"), T0).unwrap();
        let first = d.next_pump_settings().unwrap().unwrap();
        assert_eq!(
            (first.pump_id, first.stimulation, first.expression),
            (id, Some(5), Some(7))
        );
        sessions(&mut d, 1, T0);
        let last: i64 = d
            .conn()
            .query_row("SELECT max(id) FROM sessions", [], |r| r.get(0))
            .unwrap();
        let chosen = PumpSettings {
            expression: Some(9),
            expression_from_s: Some(120),
            ..first
        };
        d.set_session_pump(last, &chosen).unwrap();
        let kept = PumpSettings::from_factors(&d.session_factors(last).unwrap());
        assert_eq!(kept, Some(chosen));
        // The next session starts where this one left off, before the switch.
        let next = d.next_pump_settings().unwrap().unwrap();
        assert_eq!((next.expression, next.expression_from_s), (Some(9), None));
        // Changed again: the old values go, nothing is doubled.
        d.set_session_pump(last, &first).unwrap();
        let kept = PumpSettings::from_factors(&d.session_factors(last).unwrap());
        assert_eq!(kept, Some(first));
        assert!(d
            .set_session_pump(
                last,
                &PumpSettings {
                    expression: Some(40),
                    ..first
                }
            )
            .is_err());
        // A pump put away is not offered again.
        d.remove_pump(id, T0).unwrap();
        assert_eq!(d.next_pump_settings().unwrap(), None);
    }
}
