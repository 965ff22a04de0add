//! Reading and tidying the diary after the fact: the day-by-day list (paged,
//! so a ten-year diary opens at once), one session's detail and edits, delete
//! with undo, and the per-session figures behind the charts and the report.
//!
//! Days are the parent's local days *as they were*: each session carries the
//! UTC offset it started under, so a trip across time zones does not move
//! yesterday's sessions into another day. A session belongs to the day it
//! started on, even when it runs past midnight. Knows nothing of Tauri.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::diary::{session_row, Diary, Finish, SessionRow, SESSION_COLUMNS};
use crate::error::{Error, Result};
use crate::session::{EventKind, Side};
use crate::stash::{MilkOnDelete, Portion};

/// The local day, as SQL, of the session row `s` (see the module comment).
const LOCAL_DAY: &str = "date(s.started_ms / 1000 + s.started_offset_min * 60, 'unixepoch')";
/// Rows a page of the list holds.
pub const PAGE_SIZE: u32 = 60;
/// Charts and the report cover at most this many days.
pub const MAX_SPAN_DAYS: i64 = 366;

/// The wall-clock time an instant had where the parent was.
pub fn local_time(at_ms: i64, offset_min: i32) -> NaiveDateTime {
    DateTime::from_timestamp_millis(at_ms + i64::from(offset_min) * 60_000)
        .unwrap_or_default()
        .naive_utc()
}

/// Which sessions the list shows. Days are inclusive local dates.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub tag: Option<String>,
}

impl Filter {
    fn checked(&self) -> Result<(Option<String>, Option<String>, Option<&str>)> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(Error::Invalid(
                    "The first day must come before the last day.".into(),
                ));
            }
        }
        let tag = self.tag.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if tag.is_some_and(|t| t.chars().count() > crate::diary::MAX_TAG_CHARS) {
            return Err(Error::Invalid("That tag is too long.".into()));
        }
        Ok((
            self.from.map(|d| d.to_string()),
            self.to.map(|d| d.to_string()),
            tag,
        ))
    }
}

/// Where the next page starts: just after this session in newest-first order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    pub started_ms: i64,
    pub id: i64,
}

/// A session in the list, with its local day and tags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListRow {
    #[serde(flatten)]
    pub session: SessionRow,
    pub day: NaiveDate,
    pub tags: Vec<String>,
}

/// One day's totals over the sessions the filter lets through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayTotal {
    pub day: NaiveDate,
    pub sessions: u32,
    pub total_ml: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub rows: Vec<ListRow>,
    /// Totals for every day that has a row on this page (whole days, even when
    /// the day goes on into the next page).
    pub days: Vec<DayTotal>,
    pub next: Option<Cursor>,
}

/// A step as it actually ran, on the session's running-time axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRow {
    pub kind: String,
    pub planned_ms: u64,
    pub started_ms: u64,
    pub ended_ms: u64,
    pub ended: String,
}

/// A let-down or side switch, at its place in the session's running time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkRow {
    /// The event's number in the session's log: what an edit refers to.
    pub seq: u32,
    pub kind: &'static str,
    pub side: Option<Side>,
    pub active_ms: u64,
    pub at_ms: i64,
    pub offset_min: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub row: ListRow,
    pub steps: Vec<StepRow>,
    pub marks: Vec<MarkRow>,
    /// Notes typed during the session, in order.
    pub notes: Vec<String>,
    /// Where its milk went.
    pub milk: Vec<Portion>,
    /// What was recorded with it (`session_factors`): the pump's settings,
    /// the breathing guide's minutes, the chips.
    pub factors: Vec<(String, f64)>,
    /// The name of the pump it was pumped with, put away since or not.
    pub pump_name: Option<String>,
}

/// A change to a finished session: the finish sheet's fields again, and marks
/// removed (by `seq`) or let-downs added (at a running time).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub finish: Finish,
    #[serde(default)]
    pub remove_marks: Vec<u32>,
    #[serde(default)]
    pub add_letdowns: Vec<u64>,
}

/// What the charts and the report draw for one session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub id: i64,
    pub day: NaiveDate,
    pub started_ms: i64,
    pub started_offset_min: i32,
    pub total_ml: Option<f64>,
    pub left_ml: Option<f64>,
    pub right_ml: Option<f64>,
    pub letdowns: u32,
    pub first_letdown_ms: Option<u64>,
    /// Real time since the previous session started (any day, even outside the span).
    pub interval_ms: Option<i64>,
    pub comfort: Option<u8>,
    pub routine_name: String,
    pub note: Option<String>,
}

/// What `list_row` reads, from `sessions s`: the session, its local day and its tags.
fn list_columns() -> String {
    format!(
        "{SESSION_COLUMNS}, {LOCAL_DAY},
         (SELECT group_concat(tag, char(31)) FROM session_tags t WHERE t.session_id = s.id)"
    )
}

fn list_row(r: &rusqlite::Row) -> rusqlite::Result<ListRow> {
    let tags: Option<String> = r.get(14)?;
    let mut tags: Vec<String> = tags
        .map(|t| t.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(ListRow {
        session: session_row(r)?,
        day: r.get(13)?,
        tags,
    })
}

const MAX_MARK_EDITS: usize = 200;

impl Diary {
    /// One page of the diary list, newest first.
    pub fn list_page(&self, filter: &Filter, after: Option<Cursor>, limit: u32) -> Result<Page> {
        let (from, to, tag) = filter.checked()?;
        let limit = limit.clamp(1, 500);
        let where_ = format!(
            "s.status = 'finished'
             AND (?1 IS NULL OR {LOCAL_DAY} >= ?1) AND (?2 IS NULL OR {LOCAL_DAY} <= ?2)
             AND (?3 IS NULL OR EXISTS (SELECT 1 FROM session_tags t
                                        WHERE t.session_id = s.id AND t.tag = ?3))"
        );
        let (after_ms, after_id) = after.map_or((i64::MAX, i64::MAX), |c| (c.started_ms, c.id));
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {} FROM sessions s
             WHERE {where_} AND (s.started_ms < ?4 OR (s.started_ms = ?4 AND s.id < ?5))
             ORDER BY s.started_ms DESC, s.id DESC
             LIMIT ?6",
            list_columns()
        ))?;
        let rows: Vec<ListRow> = stmt
            .query_map(params![from, to, tag, after_ms, after_id, limit], list_row)?
            .collect::<rusqlite::Result<_>>()?;
        let next = (rows.len() == limit as usize).then(|| {
            let last = &rows[rows.len() - 1].session;
            Cursor {
                started_ms: last.started_ms,
                id: last.id,
            }
        });
        let days = match (rows.first(), rows.last()) {
            (Some(newest), Some(oldest)) => {
                let mut stmt = self.conn().prepare_cached(&format!(
                    "SELECT {LOCAL_DAY} AS day, count(*), coalesce(sum(s.amount_total_ml), 0)
                     FROM sessions s
                     WHERE {where_} AND {LOCAL_DAY} BETWEEN ?4 AND ?5
                       -- narrows the scan to the index; offsets are within ±1 day
                       AND s.started_ms BETWEEN ?6 AND ?7
                     GROUP BY day ORDER BY day DESC"
                ))?;
                let days = stmt.query_map(
                    params![
                        from,
                        to,
                        tag,
                        oldest.day.to_string(),
                        newest.day.to_string(),
                        oldest.session.started_ms - 2 * 86_400_000,
                        newest.session.started_ms + 2 * 86_400_000
                    ],
                    |r| {
                        Ok(DayTotal {
                            day: r.get(0)?,
                            sessions: r.get(1)?,
                            total_ml: r.get(2)?,
                        })
                    },
                )?;
                days.collect::<rusqlite::Result<_>>()?
            }
            _ => Vec::new(),
        };
        Ok(Page { rows, days, next })
    }

    /// Every tag in use, for the filter, most used first.
    pub fn all_tags(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT t.tag FROM session_tags t JOIN sessions s ON s.id = t.session_id
             WHERE s.status = 'finished' GROUP BY t.tag ORDER BY count(*) DESC, t.tag",
        )?;
        let tags = stmt.query_map([], |r| r.get(0))?;
        Ok(tags.collect::<rusqlite::Result<_>>()?)
    }

    /// A finished session with its steps as run, marks and notes.
    pub fn detail(&self, id: i64) -> Result<Detail> {
        let row = self
            .conn()
            .query_row(
                &format!(
                    "SELECT {} FROM sessions s WHERE s.id = ?1 AND s.status = 'finished'",
                    list_columns()
                ),
                [id],
                list_row,
            )
            .optional()?
            .ok_or(Error::NotFound("That session"))?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT kind, planned_ms, started_active_ms, ended_active_ms, ended
             FROM session_steps WHERE session_id = ?1 ORDER BY seq",
        )?;
        let steps = stmt
            .query_map([id], |r| {
                Ok(StepRow {
                    kind: r.get(0)?,
                    planned_ms: r.get::<_, i64>(1)?.max(0) as u64,
                    started_ms: r.get::<_, i64>(2)?.max(0) as u64,
                    ended_ms: r.get::<_, i64>(3)?.max(0) as u64,
                    ended: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let (marks, notes) = self.marks_and_notes(id)?;
        let factors = self.session_factors(id)?;
        let pump_name = crate::pump::PumpSettings::from_factors(&factors)
            .map(|p| self.pump_names().map(|mut names| names.remove(&p.pump_id)))
            .transpose()?
            .flatten();
        Ok(Detail {
            row,
            steps,
            marks,
            notes,
            milk: self.session_milk(id)?,
            factors,
            pump_name,
        })
    }

    pub(crate) fn marks_and_notes(&self, id: i64) -> Result<(Vec<MarkRow>, Vec<String>)> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, data_json, at_ms, offset_min, active_ms FROM events
             WHERE session_id = ?1 AND kind IN ('let_down', 'side', 'note')
             ORDER BY active_ms, seq",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i32>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let (mut marks, mut notes) = (Vec::new(), Vec::new());
        for row in rows {
            let (seq, data, at_ms, offset_min, active_ms) = row?;
            let kind: EventKind = serde_json::from_str(&data)
                .map_err(|e| Error::DiaryDamaged(format!("session {id}: {e}")))?;
            let (kind, side) = match kind {
                EventKind::LetDown => ("let_down", None),
                EventKind::Side { side } => ("side", Some(side)),
                EventKind::Note { text } => {
                    notes.push(text);
                    continue;
                }
                _ => continue,
            };
            marks.push(MarkRow {
                seq,
                kind,
                side,
                active_ms: active_ms.max(0) as u64,
                at_ms,
                offset_min,
            });
        }
        Ok((marks, notes))
    }

    /// Changes a finished session: amounts, comfort, note and tags as on the
    /// finish sheet; let-down and side marks removed, let-downs added. The
    /// session's log is edited in place (a finished session is never replayed),
    /// and its let-down count and time to first let-down follow. One transaction.
    pub fn edit_session(&mut self, id: i64, edit: Edit) -> Result<Detail> {
        let finish = edit.finish.validated()?;
        if edit.remove_marks.len() + edit.add_letdowns.len() > MAX_MARK_EDITS {
            return Err(Error::Invalid("Too many changes at once.".into()));
        }
        let current = self.detail(id)?;
        let active = current.row.session.active_ms.unwrap_or(0);
        if edit.add_letdowns.iter().any(|&at| at > active) {
            return Err(Error::Invalid(
                "A let-down has to be within the session's length.".into(),
            ));
        }
        if let Some(seq) = edit
            .remove_marks
            .iter()
            .find(|seq| !current.marks.iter().any(|m| m.seq == **seq))
        {
            return Err(Error::Invalid(format!(
                "Mark {seq} is not in this session."
            )));
        }
        let started = current.row.session.started_ms;
        let offset = current.row.session.started_offset_min;
        let tx = self.connection().transaction()?;
        tx.execute(
            "UPDATE sessions SET amount_left_ml = ?2, amount_right_ml = ?3, amount_total_ml = ?4,
               comfort = ?5, note = ?6 WHERE id = ?1 AND status = 'finished'",
            params![
                id,
                finish.amount_left_ml,
                finish.amount_right_ml,
                finish.amount_total_ml,
                finish.comfort,
                finish.note,
            ],
        )?;
        tx.execute("DELETE FROM session_tags WHERE session_id = ?1", [id])?;
        for tag in &finish.tags {
            tx.execute(
                "INSERT OR IGNORE INTO session_tags (session_id, tag) VALUES (?1, ?2)",
                params![id, tag],
            )?;
        }
        for seq in &edit.remove_marks {
            tx.execute(
                "DELETE FROM events WHERE session_id = ?1 AND seq = ?2 AND kind IN ('let_down', 'side')",
                params![id, seq],
            )?;
        }
        for &at in &edit.add_letdowns {
            // Wall-clock time is approximate for an added mark: start plus running time.
            tx.execute(
                "INSERT INTO events (session_id, seq, kind, at_ms, offset_min, active_ms, step_index, data_json)
                 VALUES (?1, (SELECT coalesce(max(seq), -1) + 1 FROM events WHERE session_id = ?1),
                         'let_down', ?2, ?3, ?4, NULL, ?5)",
                params![
                    id,
                    started + at as i64,
                    offset,
                    at as i64,
                    serde_json::to_string(&EventKind::LetDown).unwrap_or_default()
                ],
            )?;
        }
        crate::stash::rescale_milk(&tx, id, finish.amount_total_ml)?;
        tx.execute(
            "UPDATE sessions SET
               letdown_count = (SELECT count(*) FROM events WHERE session_id = ?1 AND kind = 'let_down'),
               first_letdown_ms = (SELECT min(active_ms) FROM events WHERE session_id = ?1 AND kind = 'let_down')
             WHERE id = ?1",
            [id],
        )?;
        tx.commit()?;
        self.detail(id)
    }

    /// Takes a finished session out of the diary; `undelete_session` brings
    /// it back. Its milk stays in the stash.
    pub fn delete_session(&mut self, id: i64, at_ms: i64) -> Result<()> {
        self.delete_session_with_milk(id, at_ms, MilkOnDelete::Keep)
    }

    /// Takes a finished session out of the diary, its milk in the stash kept
    /// or taken out with it, as the parent chose.
    pub fn delete_session_with_milk(
        &mut self,
        id: i64,
        at_ms: i64,
        milk: MilkOnDelete,
    ) -> Result<()> {
        let tx = self.connection().transaction()?;
        let n = tx.execute(
            "UPDATE sessions SET status = 'discarded', discarded_ms = ?2
             WHERE id = ?1 AND status = 'finished'",
            params![id, at_ms],
        )?;
        if n == 0 {
            return Err(Error::NotFound("That session"));
        }
        if milk == MilkOnDelete::Remove {
            tx.execute(
                "UPDATE milk SET removed_ms = ?2 WHERE session_id = ?1 AND removed_ms IS NULL",
                params![id, at_ms],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Brings back a deleted session (one that had been finished), and any
    /// milk that went from the stash with it.
    pub fn undelete_session(&mut self, id: i64) -> Result<()> {
        let tx = self.connection().transaction()?;
        tx.execute(
            "UPDATE milk SET removed_ms = NULL WHERE session_id = ?1 AND removed_ms =
               (SELECT discarded_ms FROM sessions WHERE id = ?1 AND status = 'discarded')",
            [id],
        )?;
        let n = tx.execute(
            "UPDATE sessions SET status = 'finished', discarded_ms = NULL
             WHERE id = ?1 AND status = 'discarded' AND ended_ms IS NOT NULL",
            [id],
        )?;
        if n == 0 {
            return Err(Error::UndoExpired);
        }
        tx.commit()?;
        Ok(())
    }

    /// The sessions of local days `from..=to`, oldest first, for charts and the report.
    pub fn points(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Point>> {
        if from > to || (to - from).num_days() >= MAX_SPAN_DAYS {
            return Err(Error::Invalid(format!(
                "Choose a span of 1 to {MAX_SPAN_DAYS} days."
            )));
        }
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS}, {LOCAL_DAY},
                    s.started_ms - (SELECT max(p.started_ms) FROM sessions p
                                    WHERE p.status = 'finished' AND p.started_ms < s.started_ms)
             FROM sessions s
             WHERE s.status = 'finished' AND {LOCAL_DAY} BETWEEN ?1 AND ?2
               -- narrows the scan to the index; offsets are within ±1 day
               AND s.started_ms BETWEEN ?3 AND ?4
             ORDER BY s.started_ms, s.id"
        ))?;
        let day_ms = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp_millis()
        };
        let rows = stmt.query_map(
            params![
                from.to_string(),
                to.to_string(),
                day_ms(from) - 86_400_000,
                day_ms(to) + 2 * 86_400_000
            ],
            |r| {
                let s = session_row(r)?;
                Ok(Point {
                    id: s.id,
                    day: r.get(13)?,
                    started_ms: s.started_ms,
                    started_offset_min: s.started_offset_min,
                    total_ml: s.amount_total_ml,
                    left_ml: s.amount_left_ml,
                    right_ml: s.amount_right_ml,
                    letdowns: s.letdown_count,
                    first_letdown_ms: s.first_letdown_ms,
                    interval_ms: r.get(14)?,
                    comfort: s.comfort,
                    routine_name: s.routine_name,
                    note: s.note,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A known diary for tests here and in `export` and `charts`: finished
/// sessions written straight into the tables, as the engine leaves them.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub struct S<'a> {
        pub start: &'a str,
        pub offset_min: i32,
        pub minutes: i64,
        pub left: Option<f64>,
        pub right: Option<f64>,
        pub letdowns_s: &'a [i64],
        pub tags: &'a [&'a str],
        pub note: Option<&'a str>,
    }

    impl Default for S<'_> {
        fn default() -> Self {
            S {
                start: "2026-03-02T08:00:00",
                offset_min: 0,
                minutes: 20,
                left: Some(50.0),
                right: Some(40.0),
                letdowns_s: &[150, 400],
                tags: &[],
                note: None,
            }
        }
    }

    /// Adds a session whose *local* start is `s.start`; returns its id.
    pub fn add(diary: &mut Diary, s: S) -> i64 {
        let local: NaiveDateTime = s.start.parse().unwrap();
        let started = local.and_utc().timestamp_millis() - i64::from(s.offset_min) * 60_000;
        let active = s.minutes * 60_000;
        let routine = serde_json::to_string(&crate::routine::presets()[0]).unwrap();
        let total = match (s.left, s.right) {
            (None, None) => None,
            (l, r) => Some(l.unwrap_or(0.0) + r.unwrap_or(0.0)),
        };
        let tx = diary.connection().transaction().unwrap();
        tx.execute(
            "INSERT INTO sessions (routine_json, started_ms, started_offset_min, ended_ms,
               ended_offset_min, status, active_ms, amount_left_ml, amount_right_ml,
               amount_total_ml, letdown_count, first_letdown_ms, note)
             VALUES (?1, ?2, ?3, ?4, ?3, 'finished', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                routine,
                started,
                s.offset_min,
                started + active,
                active,
                s.left,
                s.right,
                total,
                s.letdowns_s.len() as i64,
                s.letdowns_s.first().map(|v| v * 1000),
                s.note
            ],
        )
        .unwrap();
        let id = tx.last_insert_rowid();
        let mut events = vec![
            (0, EventKind::Start),
            (240_000, EventKind::Side { side: Side::Left }),
        ];
        events.extend(s.letdowns_s.iter().map(|s| (s * 1000, EventKind::LetDown)));
        events.push((600_000, EventKind::Side { side: Side::Right }));
        events.sort_by_key(|e| e.0);
        for (seq, (at, kind)) in events.iter().enumerate() {
            tx.execute(
                "INSERT INTO events (session_id, seq, kind, at_ms, offset_min, active_ms, data_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    seq as i64,
                    kind.name(),
                    started + at,
                    s.offset_min,
                    at,
                    serde_json::to_string(kind).unwrap()
                ],
            )
            .unwrap();
        }
        for (seq, (kind, from, to)) in [
            ("warm_up", 0, 120_000),
            ("massage", 120_000, 240_000),
            ("pump", 240_000, active),
        ]
        .iter()
        .enumerate()
        {
            tx.execute(
                "INSERT INTO session_steps VALUES (?1, ?2, ?2, ?3, 120000, ?4, ?5, 'finished')",
                params![id, seq as i64, kind, from, to],
            )
            .unwrap();
        }
        for tag in s.tags {
            tx.execute("INSERT INTO session_tags VALUES (?1, ?2)", params![id, tag])
                .unwrap();
        }
        tx.commit().unwrap();
        id
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{add, S};
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_list_goes_newest_first_in_whole_days_page_by_page() {
        let mut d = Diary::open_in_memory().unwrap();
        let mut ids = Vec::new();
        for (start, left) in [
            ("2026-03-01T07:00:00", 10.0),
            ("2026-03-01T12:00:00", 20.0),
            ("2026-03-02T07:00:00", 30.0),
            ("2026-03-02T12:00:00", 40.0),
            ("2026-03-02T18:00:00", 50.0),
        ] {
            ids.push(add(
                &mut d,
                S {
                    start,
                    left: Some(left),
                    right: None,
                    tags: &["work"],
                    ..S::default()
                },
            ));
        }
        let first = d.list_page(&Filter::default(), None, 2).unwrap();
        assert_eq!(
            first.rows.iter().map(|r| r.session.id).collect::<Vec<_>>(),
            [ids[4], ids[3]]
        );
        // The page ends mid-day, but the day's total is the whole day's.
        assert_eq!(
            first.days,
            [DayTotal {
                day: day("2026-03-02"),
                sessions: 3,
                total_ml: 120.0
            }]
        );
        assert_eq!(first.rows[0].tags, ["work"]);
        let second = d.list_page(&Filter::default(), first.next, 2).unwrap();
        assert_eq!(
            second.rows.iter().map(|r| r.session.id).collect::<Vec<_>>(),
            [ids[2], ids[1]]
        );
        assert_eq!(second.days.len(), 2);
        let third = d.list_page(&Filter::default(), second.next, 2).unwrap();
        assert_eq!(third.rows.len(), 1);
        assert_eq!(third.next, None);
    }

    #[test]
    fn filters_by_local_days_and_tag() {
        let mut d = Diary::open_in_memory().unwrap();
        add(
            &mut d,
            S {
                start: "2026-03-01T07:00:00",
                tags: &["home"],
                ..S::default()
            },
        );
        let b = add(
            &mut d,
            S {
                start: "2026-03-02T07:00:00",
                tags: &["work", "tired"],
                ..S::default()
            },
        );
        add(
            &mut d,
            S {
                start: "2026-03-03T07:00:00",
                tags: &["work"],
                ..S::default()
            },
        );
        let span = Filter {
            from: Some(day("2026-03-02")),
            to: Some(day("2026-03-02")),
            tag: None,
        };
        let page = d.list_page(&span, None, 10).unwrap();
        assert_eq!(
            page.rows.iter().map(|r| r.session.id).collect::<Vec<_>>(),
            [b]
        );
        assert_eq!(page.rows[0].tags, ["tired", "work"]);
        let work = Filter {
            tag: Some("work".into()),
            ..Filter::default()
        };
        assert_eq!(d.list_page(&work, None, 10).unwrap().rows.len(), 2);
        assert_eq!(d.all_tags().unwrap(), ["work", "home", "tired"]);
        let backwards = Filter {
            from: Some(day("2026-03-03")),
            to: Some(day("2026-03-01")),
            tag: None,
        };
        assert!(matches!(
            d.list_page(&backwards, None, 10),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn a_session_past_midnight_belongs_to_the_day_it_started() {
        let mut d = Diary::open_in_memory().unwrap();
        add(
            &mut d,
            S {
                start: "2026-03-01T23:50:00",
                minutes: 30,
                ..S::default()
            },
        );
        let page = d.list_page(&Filter::default(), None, 10).unwrap();
        assert_eq!(page.rows[0].day, day("2026-03-01"));
        assert_eq!(
            d.points(day("2026-03-02"), day("2026-03-02"))
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            d.points(day("2026-03-01"), day("2026-03-01"))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn days_follow_the_time_zone_each_session_was_in() {
        let mut d = Diary::open_in_memory().unwrap();
        // In Berlin (UTC+1) at 23:30 on 1 March, then flown to New York
        // (UTC−5): 19:30 on 1 March there is *later* in real time.
        let berlin = add(
            &mut d,
            S {
                start: "2026-03-01T23:30:00",
                offset_min: 60,
                left: Some(60.0),
                right: None,
                ..S::default()
            },
        );
        let new_york = add(
            &mut d,
            S {
                start: "2026-03-01T19:30:00",
                offset_min: -300,
                left: Some(40.0),
                right: None,
                ..S::default()
            },
        );
        let points = d.points(day("2026-03-01"), day("2026-03-01")).unwrap();
        assert_eq!(
            points.iter().map(|p| p.id).collect::<Vec<_>>(),
            [berlin, new_york]
        );
        // Real time between them: 22:30 UTC to 00:30 UTC.
        assert_eq!(points[1].interval_ms, Some(2 * 3_600_000));
        let page = d.list_page(&Filter::default(), None, 10).unwrap();
        assert_eq!(
            page.days,
            [DayTotal {
                day: day("2026-03-01"),
                sessions: 2,
                total_ml: 100.0
            }]
        );
    }

    #[test]
    fn points_carry_the_numbers_each_chart_draws() {
        let mut d = Diary::open_in_memory().unwrap();
        add(
            &mut d,
            S {
                start: "2026-03-01T08:00:00",
                letdowns_s: &[90, 300, 500],
                ..S::default()
            },
        );
        add(
            &mut d,
            S {
                start: "2026-03-01T11:15:00",
                letdowns_s: &[],
                left: None,
                right: None,
                ..S::default()
            },
        );
        let p = d.points(day("2026-03-01"), day("2026-03-07")).unwrap();
        assert_eq!(p[0].letdowns, 3);
        assert_eq!(p[0].first_letdown_ms, Some(90_000));
        assert_eq!(p[0].total_ml, Some(90.0));
        assert_eq!(p[0].interval_ms, None);
        assert_eq!(p[1].interval_ms, Some(3 * 3_600_000 + 15 * 60_000));
        assert_eq!(
            (p[1].letdowns, p[1].first_letdown_ms, p[1].total_ml),
            (0, None, None)
        );
        assert!(d.points(day("2026-03-01"), day("2027-06-01")).is_err());
    }

    #[test]
    fn edits_change_amounts_tags_and_marks_and_recount_let_downs() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = add(
            &mut d,
            S {
                tags: &["work"],
                ..S::default()
            },
        );
        let before = d.detail(id).unwrap();
        assert_eq!(before.steps.len(), 3);
        assert_eq!(
            before.marks.iter().map(|m| m.kind).collect::<Vec<_>>(),
            ["let_down", "side", "let_down", "side"]
        );
        let first = before.marks[0].seq;
        let edit = Edit {
            finish: Finish {
                amount_left_ml: Some(70.0),
                amount_right_ml: Some(45.5),
                tags: vec!["home".into()],
                note: Some(" calm ".into()),
                ..Finish::default()
            },
            remove_marks: vec![first],
            add_letdowns: vec![60_000],
        };
        let after = d.edit_session(id, edit).unwrap();
        let s = &after.row.session;
        assert_eq!(
            (s.amount_left_ml, s.amount_total_ml),
            (Some(70.0), Some(115.5))
        );
        assert_eq!(s.note.as_deref(), Some("calm"));
        assert_eq!(after.row.tags, ["home"]);
        assert_eq!(s.letdown_count, 2);
        assert_eq!(s.first_letdown_ms, Some(60_000));
        assert_eq!(after.marks[0].active_ms, 60_000);
        // Bad edits change nothing.
        for bad in [
            Edit {
                add_letdowns: vec![21 * 60_000],
                ..Edit::default()
            },
            Edit {
                remove_marks: vec![999],
                ..Edit::default()
            },
            Edit {
                finish: Finish {
                    amount_left_ml: Some(-1.0),
                    ..Finish::default()
                },
                ..Edit::default()
            },
        ] {
            assert!(matches!(d.edit_session(id, bad), Err(Error::Invalid(_))));
        }
        assert_eq!(d.detail(id).unwrap(), after);
        assert!(matches!(
            d.edit_session(id + 1, Edit::default()),
            Err(Error::NotFound(_))
        ));
    }

    #[test]
    fn a_deleted_session_leaves_the_list_and_comes_back_on_undo() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = add(&mut d, S::default());
        d.delete_session(id, 5).unwrap();
        assert!(d
            .list_page(&Filter::default(), None, 10)
            .unwrap()
            .rows
            .is_empty());
        assert!(matches!(d.detail(id), Err(Error::NotFound(_))));
        assert!(d.delete_session(id, 6).is_err());
        d.undelete_session(id).unwrap();
        assert_eq!(
            d.list_page(&Filter::default(), None, 10)
                .unwrap()
                .rows
                .len(),
            1
        );
        assert!(matches!(d.undelete_session(id), Err(Error::UndoExpired)));
    }

    #[test]
    fn unknown_fields_in_a_filter_or_edit_are_refused() {
        assert!(serde_json::from_str::<Filter>(r#"{"form":"2026-01-01"}"#).is_err());
        assert!(serde_json::from_str::<Filter>(r#"{"from":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Edit>(r#"{"finish":{},"drop":true}"#).is_err());
        assert!(serde_json::from_str::<Edit>(r#"{"finish":{},"add_letdowns":[-5]}"#).is_err());
    }
}
