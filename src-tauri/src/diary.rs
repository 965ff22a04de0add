//! The diary: one SQLite file holding routines, sessions, their event logs and
//! settings. Knows nothing of Tauri; every write is durable when it returns.

use std::path::Path;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Transaction};
use rusqlite_migration::{Migrations, M};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::media::Focus;
use crate::routine::{presets, Routine};
use crate::session::{Event, EventKind, Session};

/// Append-only: never edit a migration that has shipped, add a new one.
pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_diary.sql")),
        M::up(include_str!("../migrations/0002_media.sql")),
        M::up(include_str!("../migrations/0003_focus_factors.sql")),
        M::up(include_str!("../migrations/0004_pump_stash.sql")),
    ])
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    4
}

pub struct Diary {
    conn: Connection,
}

/// What the parent enters on the finish sheet. Amounts are millilitres.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finish {
    #[serde(default)]
    pub amount_left_ml: Option<f64>,
    #[serde(default)]
    pub amount_right_ml: Option<f64>,
    #[serde(default)]
    pub amount_total_ml: Option<f64>,
    #[serde(default)]
    pub comfort: Option<u8>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The "What did you do today?" chips ticked on the finish sheet.
    #[serde(default)]
    pub did: Vec<String>,
    /// Factors to record with the session (`session_factors`), filled in by
    /// the app from `did` and the chips offered; never from the page.
    #[serde(skip)]
    pub factors: Vec<(String, f64)>,
    /// Where the milk went: fridge, freezer, fed now, discarded, or a split.
    #[serde(default)]
    pub milk: Vec<crate::stash::Share>,
    /// How long stored milk keeps: the parent's settings, filled in by the app.
    #[serde(skip)]
    pub keeping: crate::stash::Keeping,
}

/// The session factor saying whether the controls faded while pumping (1 or 0).
pub const FACTOR_HIDE_CONTROLS: &str = "hide_controls";

pub const MAX_ML: f64 = 2_000.0;
pub const MAX_NOTE_CHARS: usize = 4_000;
pub const MAX_TAGS: usize = 12;
pub const MAX_TAG_CHARS: usize = 32;

impl Finish {
    /// Checks and tidies what was typed; the total is the sum of the sides when not given.
    pub fn validated(mut self) -> Result<Finish> {
        for amount in [
            self.amount_left_ml,
            self.amount_right_ml,
            self.amount_total_ml,
        ]
        .into_iter()
        .flatten()
        {
            if !amount.is_finite() || !(0.0..=MAX_ML).contains(&amount) {
                return Err(Error::Invalid(
                    "An amount must be a number between 0 and 2000 ml.".into(),
                ));
            }
        }
        if self.amount_total_ml.is_none()
            && (self.amount_left_ml.is_some() || self.amount_right_ml.is_some())
        {
            self.amount_total_ml =
                Some(self.amount_left_ml.unwrap_or(0.0) + self.amount_right_ml.unwrap_or(0.0));
        }
        if let Some(c) = self.comfort {
            if !(1..=5).contains(&c) {
                return Err(Error::Invalid("Comfort is a number from 1 to 5.".into()));
            }
        }
        self.note = self
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if self
            .note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
        {
            return Err(Error::Invalid(format!(
                "A note can be at most {MAX_NOTE_CHARS} characters."
            )));
        }
        let mut tags: Vec<String> = Vec::new();
        for tag in self.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if tag.chars().count() > MAX_TAG_CHARS {
                return Err(Error::Invalid(format!(
                    "A tag can be at most {MAX_TAG_CHARS} characters."
                )));
            }
            if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                tags.push(tag.to_string());
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(Error::Invalid(format!("At most {MAX_TAGS} tags, please.")));
        }
        self.tags = tags;
        self.milk = crate::stash::validated_shares(&self.milk, self.amount_total_ml)?;
        Ok(self)
    }
}

/// A session as the diary lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub routine_name: String,
    pub started_ms: i64,
    pub started_offset_min: i32,
    pub ended_ms: Option<i64>,
    pub active_ms: Option<u64>,
    pub amount_left_ml: Option<f64>,
    pub amount_right_ml: Option<f64>,
    pub amount_total_ml: Option<f64>,
    pub comfort: Option<u8>,
    pub letdown_count: u32,
    pub first_letdown_ms: Option<u64>,
    pub note: Option<String>,
}

/// Totals over a span of the diary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub sessions: u32,
    pub total_ml: f64,
    pub avg_ml: Option<f64>,
    pub avg_letdowns: Option<f64>,
    pub avg_first_letdown_ms: Option<f64>,
    pub avg_comfort: Option<f64>,
}

/// The columns `session_row` reads, from `sessions s`.
pub(crate) const SESSION_COLUMNS: &str =
    "s.id, json_extract(s.routine_json, '$.name'), s.started_ms, s.started_offset_min,
     s.ended_ms, s.active_ms, s.amount_left_ml, s.amount_right_ml, s.amount_total_ml,
     s.comfort, coalesce(s.letdown_count, 0), s.first_letdown_ms, s.note";

/// One row of `SESSION_COLUMNS`.
pub(crate) fn session_row(r: &rusqlite::Row) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: r.get(0)?,
        routine_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        started_ms: r.get(2)?,
        started_offset_min: r.get(3)?,
        ended_ms: r.get(4)?,
        active_ms: r.get::<_, Option<i64>>(5)?.map(|v| v.max(0) as u64),
        amount_left_ml: r.get(6)?,
        amount_right_ml: r.get(7)?,
        amount_total_ml: r.get(8)?,
        comfort: r.get(9)?,
        letdown_count: r.get(10)?,
        first_letdown_ms: r.get::<_, Option<i64>>(11)?.map(|v| v.max(0) as u64),
        note: r.get(12)?,
    })
}

/// An unfinished session found in the diary.
pub struct OpenSession {
    pub id: i64,
    pub routine: Routine,
    pub events: Vec<Event>,
}

fn map_open_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            Error::DiaryDamaged(e.to_string())
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            Error::DiaryUnavailable(e.to_string())
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::DiaryBusy,
        Some(ErrorCode::DiskFull) => Error::DiskFull,
        _ => Error::from(e),
    }
}

/// Brings the schema up to date.
fn migrate(conn: &mut Connection) -> Result<()> {
    let before: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map_open_error)?;
    migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => map_open_error(err),
        other => Error::Migration(other.to_string()),
    })?;
    // An existing diary that gained tables has its schema's new pages at the
    // end of the file, where a cut-off copy loses them and with them every
    // table (recovery.rs reads the schema first). Rewritten once, the schema
    // is at the start again. Only tidiness: a failure (a full disk) is fine.
    if before > 0 && before < schema_version() as i64 {
        if let Err(e) = conn.execute_batch("VACUUM") {
            eprintln!("Letdown: the upgraded diary was not compacted: {e}");
        }
    }
    Ok(())
}

impl Diary {
    /// Opens (creating if needed) the diary file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Diary> {
        if let Some(dir) = path.parent() {
            crate::disk::set_diary_dir(dir);
        }
        Self::setup(Connection::open(path).map_err(map_open_error)?)
    }

    pub fn open_in_memory() -> Result<Diary> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Diary> {
        // Pragmas first, outside any transaction. WAL lets the diary be read
        // while a write is in flight; synchronous=FULL makes each commit
        // survive a power cut, not only a crash (a commit costs well under a
        // millisecond here: see BENCHMARKS.md).
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(map_open_error)?;
        // Reading the journal mode is the first real read of the file: a
        // damaged or foreign file is found here.
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(map_open_error)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(map_open_error)?;
        if version > schema_version() as i64 {
            return Err(Error::DiaryTooNew);
        }
        migrate(&mut conn)?;
        let diary = Diary { conn };
        diary.seed_presets()?;
        Ok(diary)
    }

    /// A new, empty diary file with the current schema and nothing in it (not
    /// even the preset routines), for the salvage of a damaged one to fill.
    pub(crate) fn create_schema(path: &Path) -> Result<Connection> {
        let mut conn = Connection::open(path).map_err(map_open_error)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(map_open_error)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn)?;
        Ok(conn)
    }

    /// How many sessions are finished (not open, not set aside).
    pub fn count_finished_sessions(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sessions WHERE status = 'finished'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Brings a diary whose content was just replaced (a restored backup) up
    /// to this version's schema, with the preset routines if it has none.
    pub(crate) fn upgrade(&mut self) -> Result<()> {
        migrate(&mut self.conn)?;
        self.seed_presets()
    }

    fn seed_presets(&self) -> Result<()> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM routines", [], |r| r.get(0))?;
        if count == 0 {
            for routine in presets() {
                self.save_routine(&routine, 0)?;
            }
        }
        Ok(())
    }

    // --- routines -------------------------------------------------------

    pub fn routines(&self) -> Result<Vec<Routine>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, steps_json FROM routines ORDER BY position, id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, name, steps) = row?;
            Ok(Routine {
                id,
                name,
                steps: serde_json::from_str(&steps).map_err(|e| Error::Migration(e.to_string()))?,
            })
        })
        .collect()
    }

    pub fn routine(&self, id: i64) -> Result<Routine> {
        self.routines()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(Error::NotFound("That routine"))
    }

    /// Inserts a new routine (id 0) or updates one; returns its id.
    pub fn save_routine(&self, routine: &Routine, now_ms: i64) -> Result<i64> {
        routine.validate()?;
        let steps =
            serde_json::to_string(&routine.steps).map_err(|e| Error::Invalid(e.to_string()))?;
        let name = routine.name.trim();
        let result = if routine.id == 0 {
            self.conn
                .execute(
                    "INSERT INTO routines (name, steps_json, position, created_ms, updated_ms)
                     VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM routines), ?3, ?3)",
                    params![name, steps, now_ms],
                )
                .map(|_| self.conn.last_insert_rowid())
        } else {
            self.conn
                .execute(
                    "UPDATE routines SET name = ?2, steps_json = ?3, updated_ms = ?4 WHERE id = ?1",
                    params![routine.id, name, steps, now_ms],
                )
                .and_then(|n| match n {
                    0 => Err(rusqlite::Error::QueryReturnedNoRows),
                    _ => Ok(routine.id),
                })
        };
        result.map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::ConstraintViolation) => {
                Error::Invalid(format!("There is already a routine called “{name}”."))
            }
            _ if matches!(e, rusqlite::Error::QueryReturnedNoRows) => {
                Error::NotFound("That routine")
            }
            _ => Error::from(e),
        })
    }

    // --- the session in progress -----------------------------------------

    /// Creates a session and writes its `Start` event, in one transaction.
    /// `factors` are what was true of it from the start (`session_factors`).
    pub fn create_session(
        &mut self,
        routine: &Routine,
        start: &Event,
        factors: &[(&str, f64)],
    ) -> Result<i64> {
        let routine_json =
            serde_json::to_string(routine).map_err(|e| Error::Invalid(e.to_string()))?;
        let tx = self.conn.transaction()?;
        let routine_id = (routine.id != 0).then_some(routine.id);
        tx.execute(
            "INSERT INTO sessions (routine_id, routine_json, started_ms, started_offset_min)
             VALUES (?1, ?2, ?3, ?4)",
            params![routine_id, routine_json, start.at_ms, start.offset_min],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::ConstraintViolation) => Error::SessionInProgress,
            _ => Error::from(e),
        })?;
        let id = tx.last_insert_rowid();
        insert_event(&tx, id, 0, start, Some(0))?;
        for (factor, value) in factors {
            tx.execute(
                "INSERT INTO session_factors (session_id, factor, value) VALUES (?1, ?2, ?3)",
                params![id, factor, value],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Appends one event to a session's log. Durable when it returns.
    pub fn append_event(
        &mut self,
        session_id: i64,
        seq: u32,
        event: &Event,
        step_index: Option<usize>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_event(&tx, session_id, seq, event, step_index)?;
        tx.commit()?;
        Ok(())
    }

    /// The session in progress, if the app stopped before it was finished.
    pub fn open_session(&self) -> Result<Option<OpenSession>> {
        let found = self
            .conn
            .query_row(
                "SELECT id, routine_json FROM sessions WHERE status = 'open'",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        let Some((id, routine_json)) = found else {
            return Ok(None);
        };
        let routine: Routine = serde_json::from_str(&routine_json)
            .map_err(|e| Error::DiaryDamaged(format!("session {id}: {e}")))?;
        Ok(Some(OpenSession {
            id,
            routine,
            events: self.events(id)?,
        }))
    }

    pub fn events(&self, session_id: i64) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT data_json, at_ms, offset_min, active_ms FROM events
             WHERE session_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([session_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i32>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (data, at_ms, offset_min, active_ms) = row?;
            let kind: EventKind = serde_json::from_str(&data)
                .map_err(|e| Error::DiaryDamaged(format!("session {session_id}: {e}")))?;
            Ok(Event {
                kind,
                at_ms,
                offset_min,
                active_ms: active_ms.max(0) as u64,
            })
        })
        .collect()
    }

    /// Closes a session with what the parent entered, and writes its steps as run.
    pub fn finish_session(
        &mut self,
        id: i64,
        session: &Session,
        finish: &Finish,
        at_ms: i64,
        offset_min: i32,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE sessions SET status = 'finished', ended_ms = ?2, ended_offset_min = ?3,
               active_ms = ?4, amount_left_ml = ?5, amount_right_ml = ?6, amount_total_ml = ?7,
               comfort = ?8, note = ?9, letdown_count = ?10, first_letdown_ms = ?11
             WHERE id = ?1 AND status = 'open'",
            params![
                id,
                at_ms,
                offset_min,
                session.active_ms as i64,
                finish.amount_left_ml,
                finish.amount_right_ml,
                finish.amount_total_ml,
                finish.comfort,
                finish.note,
                session.letdowns().count() as i64,
                session.first_letdown_ms().map(|v| v as i64),
            ],
        )?;
        if changed == 0 {
            return Err(Error::NoSession);
        }
        for (seq, run) in session.runs.iter().enumerate() {
            tx.execute(
                "INSERT INTO session_steps (session_id, seq, step_index, kind, planned_ms,
                   started_active_ms, ended_active_ms, ended)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    seq as i64,
                    run.index as i64,
                    run.kind.as_str(),
                    run.planned_ms as i64,
                    run.started_active_ms as i64,
                    run.ended_active_ms.unwrap_or(session.active_ms) as i64,
                    serde_json::to_value(run.ended.unwrap_or(crate::session::StepEnd::Finished))
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                ],
            )?;
        }
        for tag in &finish.tags {
            tx.execute(
                "INSERT OR IGNORE INTO session_tags (session_id, tag) VALUES (?1, ?2)",
                params![id, tag],
            )?;
        }
        for (factor, value) in &finish.factors {
            tx.execute(
                "INSERT OR REPLACE INTO session_factors (session_id, factor, value) VALUES (?1, ?2, ?3)",
                params![id, factor, value],
            )?;
        }
        crate::stash::insert_milk(&tx, id, &finish.milk, at_ms, &finish.keeping)?;
        tx.commit()?;
        Ok(())
    }

    /// When each finished session that started in `[from_ms, to_ms)` began
    /// and ended (UTC ms), oldest first.
    pub fn session_times_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT started_ms, coalesce(ended_ms, started_ms) FROM sessions
             WHERE status = 'finished' AND started_ms >= ?1 AND started_ms < ?2
             ORDER BY started_ms, id",
        )?;
        let rows = stmt.query_map(params![from_ms, to_ms], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the newest finished session started and ended (UTC ms).
    pub fn last_session_times(&self) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_ms, coalesce(ended_ms, started_ms) FROM sessions
                 WHERE status = 'finished' ORDER BY started_ms DESC, id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Adds `by` to a factor of a session (from 0 when it has none yet), as
    /// when the parent steps away into discreet mode or turns on the guide.
    pub fn add_to_factor(&self, session_id: i64, factor: &str, by: f64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO session_factors (session_id, factor, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (session_id, factor) DO UPDATE SET value = value + excluded.value",
            params![session_id, factor, by],
        )?;
        Ok(())
    }

    /// Sets a session aside; `restore_session` brings it back while it is recent.
    pub fn discard_session(&mut self, id: i64, at_ms: i64) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE sessions SET status = 'discarded', discarded_ms = ?2 WHERE id = ?1 AND status = 'open'",
            params![id, at_ms],
        )?;
        if n == 0 {
            return Err(Error::NoSession);
        }
        Ok(())
    }

    /// Brings back a session discarded at or after `since_ms`, if none is in progress.
    pub fn restore_session(&mut self, id: i64, since_ms: i64) -> Result<()> {
        let n = self
            .conn
            .execute(
                "UPDATE sessions SET status = 'open', discarded_ms = NULL
                 WHERE id = ?1 AND status = 'discarded' AND discarded_ms >= ?2",
                params![id, since_ms],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::ConstraintViolation) => Error::SessionInProgress,
                _ => Error::from(e),
            })?;
        if n == 0 {
            return Err(Error::UndoExpired);
        }
        Ok(())
    }

    // --- reading the diary -----------------------------------------------

    /// Finished sessions that started in `[from_ms, to_ms)`, newest first.
    pub fn sessions_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SessionRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s
             WHERE status = 'finished' AND started_ms >= ?1 AND started_ms < ?2
             ORDER BY started_ms DESC"
        ))?;
        let rows = stmt.query_map([from_ms, to_ms], session_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Totals for finished sessions that started in `[from_ms, to_ms)`.
    pub fn stats_between(&self, from_ms: i64, to_ms: i64) -> Result<Stats> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT count(*), coalesce(sum(amount_total_ml), 0), avg(amount_total_ml),
                    avg(letdown_count), avg(first_letdown_ms), avg(comfort)
             FROM sessions
             WHERE status = 'finished' AND started_ms >= ?1 AND started_ms < ?2",
        )?;
        Ok(stmt.query_row([from_ms, to_ms], |r| {
            Ok(Stats {
                sessions: r.get(0)?,
                total_ml: r.get(1)?,
                avg_ml: r.get(2)?,
                avg_letdowns: r.get(3)?,
                avg_first_letdown_ms: r.get(4)?,
                avg_comfort: r.get(5)?,
            })
        })?)
    }

    pub fn tags(&self, session_id: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT tag FROM session_tags WHERE session_id = ?1 ORDER BY tag")?;
        let rows = stmt.query_map([session_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // --- photos -----------------------------------------------------------

    /// Records an imported photo and makes it the one shown.
    pub fn add_photo(&mut self, photo: &crate::media::Photo, now_ms: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO photos (id, width, height, original_name, imported_ms, video)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                photo.id,
                photo.width,
                photo.height,
                photo.original_name,
                now_ms,
                photo.video
            ],
        )?;
        upsert_setting(&tx, "active_photo", &photo.id)?;
        tx.commit()?;
        Ok(())
    }

    pub fn photos(&self) -> Result<Vec<crate::media::Photo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, width, height, original_name, focus_x, focus_y, video
             FROM photos ORDER BY imported_ms DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let (x, y): (Option<f64>, Option<f64>) = (r.get(4)?, r.get(5)?);
            Ok(crate::media::Photo {
                id: r.get(0)?,
                width: r.get(1)?,
                height: r.get(2)?,
                original_name: r.get(3)?,
                focus: x.zip(y).map(|(x, y)| Focus { x, y }),
                video: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets (or, with `None`, forgets) where the baby's face is in a photo.
    /// Returns whether the photo was there.
    pub fn set_photo_focus(&mut self, id: &str, focus: Option<Focus>) -> Result<bool> {
        let focus = focus.map(Focus::checked).transpose()?;
        let changed = self.conn.execute(
            "UPDATE photos SET focus_x = ?2, focus_y = ?3 WHERE id = ?1",
            params![id, focus.map(|f| f.x), focus.map(|f| f.y)],
        )?;
        Ok(changed > 0)
    }

    /// The factors recorded with a session, by name.
    pub fn session_factors(&self, session_id: i64) -> Result<Vec<(String, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT factor, value FROM session_factors WHERE session_id = ?1 ORDER BY factor",
        )?;
        let rows = stmt.query_map([session_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Forgets a photo; if it was the one shown, the newest left is shown
    /// instead (or the built-in picture). Returns whether it was there.
    pub fn remove_photo(&mut self, id: &str) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM photos WHERE id = ?1", [id])?;
        tx.execute(
            "UPDATE settings SET value = coalesce(
                 (SELECT id FROM photos ORDER BY imported_ms DESC, id DESC LIMIT 1), '')
             WHERE key = 'active_photo' AND value = ?1",
            [id],
        )?;
        tx.commit()?;
        Ok(removed > 0)
    }

    /// The photo shown on the calm screen, if the parent has chosen one.
    pub fn active_photo(&self) -> Result<Option<crate::media::Photo>> {
        let Some(id) = self.setting("active_photo")? else {
            return Ok(None);
        };
        Ok(self.photos()?.into_iter().find(|p| p.id == id))
    }

    // --- recordings -------------------------------------------------------

    /// Records an imported recording and makes it the one played.
    pub fn add_clip(&mut self, clip: &crate::clip::Clip, now_ms: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO clips (id, extension, duration_ms, sample_rate, channels, original_name, imported_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                clip.id,
                clip.extension,
                clip.duration_ms as i64,
                clip.sample_rate,
                clip.channels,
                clip.original_name,
                now_ms
            ],
        )?;
        upsert_setting(&tx, "active_clip", &clip.id)?;
        tx.commit()?;
        Ok(())
    }

    /// Records a recording's new playback copy (its id and name stay); says
    /// whether the recording was there.
    pub fn replace_clip(&self, clip: &crate::clip::Clip) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE clips SET extension = ?2, duration_ms = ?3, sample_rate = ?4, channels = ?5
             WHERE id = ?1",
            params![
                clip.id,
                clip.extension,
                clip.duration_ms as i64,
                clip.sample_rate,
                clip.channels
            ],
        )?;
        Ok(changed > 0)
    }

    /// Stops playing recording `id` if it is still the chosen one (Letdown's
    /// own sound plays instead); says whether it was.
    pub fn forget_active_clip(&self, id: &str) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE settings SET value = '' WHERE key = 'active_clip' AND value = ?1",
            [id],
        )?;
        Ok(changed > 0)
    }

    /// The recording played in sessions, if the parent has chosen one.
    pub fn active_clip(&self) -> Result<Option<crate::clip::Clip>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, extension, duration_ms, sample_rate, channels, original_name
                 FROM clips WHERE id = (SELECT value FROM settings WHERE key = 'active_clip')",
                [],
                |r| {
                    Ok(crate::clip::Clip {
                        id: r.get(0)?,
                        extension: r.get(1)?,
                        duration_ms: r.get::<_, i64>(2)?.max(0) as u64,
                        sample_rate: r.get(3)?,
                        channels: r.get(4)?,
                        original_name: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    // --- settings ---------------------------------------------------------

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        upsert_setting(&self.conn, key, value)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection itself, for work that needs a transaction across
    /// several statements (history edits, backups) or bulk writes (the seed).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Sets one setting, inside whatever transaction `conn` is in.
fn upsert_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

fn insert_event(
    tx: &Transaction,
    session_id: i64,
    seq: u32,
    event: &Event,
    step_index: Option<usize>,
) -> Result<()> {
    let data = serde_json::to_string(&event.kind).map_err(|e| Error::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO events (session_id, seq, kind, at_ms, offset_min, active_ms, step_index, data_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        session_id,
        seq,
        event.kind.name(),
        event.at_ms,
        event.offset_min,
        event.active_ms as i64,
        step_index.map(|i| i as i64),
        data,
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Side;

    fn start_event(at_ms: i64) -> Event {
        Event {
            kind: EventKind::Start,
            at_ms,
            offset_min: 60,
            active_ms: 0,
        }
    }

    /// Every query function, against an in-memory diary and a real file.
    fn both(check: impl Fn(&mut Diary)) {
        check(&mut Diary::open_in_memory().unwrap());
        let dir = tempfile::tempdir().unwrap();
        check(&mut Diary::open(&dir.path().join("diary.sqlite3")).unwrap());
    }

    #[test]
    fn an_old_recording_is_let_go_only_while_it_is_still_the_chosen_one() {
        both(|diary| {
            let clip = |id: &str, extension: &str| crate::clip::Clip {
                id: id.into(),
                extension: extension.into(),
                duration_ms: 2000,
                sample_rate: 44_100,
                channels: 1,
                original_name: format!("{id}.{extension}"),
            };
            diary.add_clip(&clip("0a", "m4a"), 1).unwrap();
            assert!(diary.replace_clip(&clip("0a", "play.wav")).unwrap());
            assert_eq!(diary.active_clip().unwrap().unwrap().extension, "play.wav");
            // The parent chose another meanwhile: it stays chosen.
            diary.add_clip(&clip("0b", "play.wav"), 2).unwrap();
            assert!(!diary.forget_active_clip("0a").unwrap());
            assert_eq!(diary.active_clip().unwrap().unwrap().id, "0b");
            assert!(diary.forget_active_clip("0b").unwrap());
            assert_eq!(diary.active_clip().unwrap(), None);
        });
    }

    #[test]
    fn migrations_are_valid_and_run_twice_without_harm() {
        migrations().validate().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        drop(Diary::open(&path).unwrap());
        let diary = Diary::open(&path).unwrap();
        assert_eq!(diary.routines().unwrap().len(), 3, "presets seeded once");
        let version: i64 = diary
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, schema_version() as i64);
    }

    /// A diary file as schema `version` left it, with `sql` run in it.
    fn old_diary(path: &Path, version: usize, sql: &str) {
        let mut conn = Connection::open(path).unwrap();
        migrations().to_version(&mut conn, version).unwrap();
        conn.execute_batch(sql).unwrap();
    }

    #[test]
    fn a_version_2_diary_keeps_its_photos_without_a_focus_point() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        old_diary(
            &path,
            2,
            "INSERT INTO photos (id, width, height, original_name, imported_ms)
             VALUES ('abc123', 1600, 1200, 'baby.jpg', 5)",
        );
        let mut diary = Diary::open(&path).unwrap();
        let photos = diary.photos().unwrap();
        assert_eq!(photos.len(), 1);
        assert_eq!((photos[0].width, photos[0].focus), (1600, None));
        // Version 3's parts are there to use.
        let face = Focus { x: 0.88, y: 0.4 };
        assert!(diary.set_photo_focus("abc123", Some(face)).unwrap());
        assert_eq!(diary.photos().unwrap()[0].focus, Some(face));
    }

    fn photo(id: &str) -> crate::media::Photo {
        crate::media::Photo {
            id: id.into(),
            width: 1600,
            height: 1200,
            original_name: format!("{id}.jpg"),
            focus: None,
            video: None,
        }
    }

    #[test]
    fn a_focus_point_is_kept_changed_and_forgotten_and_must_lie_in_the_photo() {
        let mut d = Diary::open_in_memory().unwrap();
        d.add_photo(&photo("aaa111"), 1).unwrap();
        d.add_photo(&photo("bbb222"), 2).unwrap();
        let focus_of = |d: &Diary, id: &str| {
            d.photos()
                .unwrap()
                .into_iter()
                .find(|p| p.id == id)
                .unwrap()
                .focus
        };
        let corner = Focus { x: 1.0, y: 0.0 };
        assert!(d.set_photo_focus("aaa111", Some(corner)).unwrap());
        assert_eq!(focus_of(&d, "aaa111"), Some(corner));
        assert_eq!(focus_of(&d, "bbb222"), None, "only that photo's");
        for bad in [
            (1.01, 0.5),
            (-0.1, 0.5),
            (0.5, f64::NAN),
            (0.5, f64::INFINITY),
        ] {
            let e = d
                .set_photo_focus("aaa111", Some(Focus { x: bad.0, y: bad.1 }))
                .unwrap_err();
            assert!(matches!(e, Error::Invalid(_)), "{bad:?}: {e:?}");
            assert_eq!(
                focus_of(&d, "aaa111"),
                Some(corner),
                "{bad:?} changed nothing"
            );
        }
        assert!(
            !d.set_photo_focus("zzz999", Some(corner)).unwrap(),
            "no such photo"
        );
        assert!(d.set_photo_focus("aaa111", None).unwrap());
        assert_eq!(focus_of(&d, "aaa111"), None);
    }

    #[test]
    fn factors_are_kept_with_their_session_and_go_with_it() {
        let mut d = Diary::open_in_memory().unwrap();
        let routine = d.routines().unwrap().remove(0);
        let id = d
            .create_session(
                &routine,
                &start_event(1_000),
                &[(FACTOR_HIDE_CONTROLS, 1.0)],
            )
            .unwrap();
        assert_eq!(
            d.session_factors(id).unwrap(),
            vec![(FACTOR_HIDE_CONTROLS.to_string(), 1.0)]
        );
        // Counted as they happen (discreet mode), from 0 when not yet there.
        d.add_to_factor(id, "discreet", 1.0).unwrap();
        d.add_to_factor(id, "discreet", 1.0).unwrap();
        // The finish sheet's chips go in with the rest of the finish.
        let session = Session::new(routine, &start_event(1_000));
        let finish = Finish {
            factors: vec![("did:a drink".into(), 1.0), ("did:at work".into(), 0.0)],
            ..Finish::default()
        };
        d.finish_session(id, &session, &finish, 2_000, 60).unwrap();
        assert_eq!(
            d.session_factors(id).unwrap(),
            vec![
                ("did:a drink".to_string(), 1.0),
                ("did:at work".to_string(), 0.0),
                ("discreet".to_string(), 2.0),
                (FACTOR_HIDE_CONTROLS.to_string(), 1.0)
            ]
        );
        // The page cannot set factors itself.
        let from_page: Finish =
            serde_json::from_str(r#"{"did":["a drink"],"factors":[["did:x",1]]}"#)
                .unwrap_or_default();
        assert!(from_page.factors.is_empty());
        d.conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id])
            .unwrap();
        assert!(d.session_factors(id).unwrap().is_empty());
    }

    #[test]
    fn a_version_1_diary_is_upgraded_with_its_sessions_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        old_diary(
            &path,
            1,
            "INSERT INTO sessions (routine_json, started_ms, started_offset_min, status, amount_total_ml)
             VALUES ('{\"name\":\"Old\",\"steps\":[]}', 5, 60, 'finished', 80)",
        );
        let diary = Diary::open(&path).unwrap();
        let rows = diary.sessions_between(0, 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].amount_total_ml, Some(80.0));
        assert_eq!(rows[0].routine_name, "Old");
        assert!(
            diary.photos().unwrap().is_empty(),
            "version 2's tables exist"
        );
    }

    #[test]
    fn every_older_diary_gains_the_pumps_and_the_stash_with_its_sessions_kept() {
        for version in 1..schema_version() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("diary.sqlite3");
            old_diary(
                &path,
                version,
                "INSERT INTO sessions (routine_json, started_ms, started_offset_min, ended_ms,
                   ended_offset_min, status, amount_total_ml)
                 VALUES ('{\"name\":\"Old\",\"steps\":[]}', 5, 60, 8, 60, 'finished', 80)",
            );
            let mut diary = Diary::open(&path).unwrap();
            let rows = diary.sessions_between(0, 10).unwrap();
            assert_eq!(rows.len(), 1, "from version {version}");
            assert_eq!(rows[0].amount_total_ml, Some(80.0));
            // Version 4's parts work on the upgraded file.
            let spec = crate::pump::PumpSpec {
                name: "Pump".into(),
                double: true,
                flange_left_mm: Some(24.0),
                flange_right_mm: None,
                levels: crate::pump::Levels::One,
                stimulation: None,
                expression: None,
                suction: Some(4),
            };
            diary.save_pump(None, spec, 10).unwrap();
            assert_eq!(diary.pumps().unwrap()[0].parts.len(), 4);
            let tx = diary.connection().transaction().unwrap();
            let share = crate::stash::Share {
                place: crate::stash::Place::Freezer,
                amount_ml: 80.0,
                label: None,
            };
            let id = rows[0].id;
            crate::stash::insert_milk(&tx, id, &[share], 8, &Default::default()).unwrap();
            tx.commit().unwrap();
            let stash = diary.stash(9, &Default::default()).unwrap();
            assert_eq!(stash.freezer_ml, 80.0, "from version {version}");
        }
    }

    #[test]
    fn pragmas_are_set_for_durability() {
        let dir = tempfile::tempdir().unwrap();
        let diary = Diary::open(&dir.path().join("d.sqlite3")).unwrap();
        let get = |p: &str| -> String {
            diary
                .conn
                .query_row(&format!("PRAGMA {p}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(get("journal_mode"), "Text(\"wal\")");
        assert_eq!(get("synchronous"), "Integer(2)"); // FULL
        assert_eq!(get("foreign_keys"), "Integer(1)");
    }

    #[test]
    fn a_file_that_is_not_a_diary_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        let junk = b"these are not the bytes of a database, just a note ".repeat(100);
        std::fs::write(&path, &junk).unwrap();
        assert!(matches!(Diary::open(&path), Err(Error::DiaryDamaged(_))));
        assert_eq!(std::fs::read(&path).unwrap(), junk, "the file is untouched");
    }

    #[test]
    fn a_diary_from_a_newer_letdown_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        drop(Diary::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(Diary::open(&path), Err(Error::DiaryTooNew)));
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 99);
    }

    #[test]
    fn routines_are_saved_renamed_and_kept_unique() {
        both(|d| {
            let mut mine = presets().remove(1);
            mine.name = "Office".into();
            let id = d.save_routine(&mine, 5).unwrap();
            mine.id = id;
            mine.steps[0].planned_ms = 120_000;
            d.save_routine(&mine, 6).unwrap();
            assert_eq!(d.routine(id).unwrap().steps[0].planned_ms, 120_000);
            mine.id = 0;
            assert!(matches!(d.save_routine(&mine, 7), Err(Error::Invalid(_))));
            mine.id = 9_999;
            assert!(matches!(d.save_routine(&mine, 7), Err(Error::NotFound(_))));
            let names: Vec<_> = d.routines().unwrap().into_iter().map(|r| r.name).collect();
            assert_eq!(
                names,
                ["Standard", "Quick break", "Power pumping", "Office"]
            );
        });
    }

    #[test]
    fn events_round_trip_in_order() {
        both(|d| {
            let routine = d.routines().unwrap().remove(0);
            let id = d
                .create_session(&routine, &start_event(1_000), &[])
                .unwrap();
            let side = Event {
                kind: EventKind::Side { side: Side::Both },
                at_ms: 2_000,
                offset_min: -300,
                active_ms: 1_000,
            };
            d.append_event(id, 1, &side, Some(0)).unwrap();
            let open = d.open_session().unwrap().unwrap();
            assert_eq!(open.id, id);
            assert_eq!(open.routine, routine);
            assert_eq!(open.events, vec![start_event(1_000), side.clone()]);
            // The same sequence number twice is refused, never overwritten.
            assert!(d.append_event(id, 1, &side, None).is_err());
        });
    }

    #[test]
    fn a_second_open_session_is_refused_by_the_database() {
        both(|d| {
            let routine = d.routines().unwrap().remove(0);
            d.create_session(&routine, &start_event(1), &[]).unwrap();
            assert!(matches!(
                d.create_session(&routine, &start_event(2), &[]),
                Err(Error::SessionInProgress)
            ));
        });
    }

    #[test]
    fn stats_and_lists_cover_only_finished_sessions_in_range() {
        both(|d| {
            let routine = d.routines().unwrap().remove(0);
            for (i, ml) in [(0_i64, 100.0), (1, 50.0)] {
                let start = 1_000_000 + i * 10_000;
                let id = d
                    .create_session(&routine, &start_event(start), &[])
                    .unwrap();
                let mut s = Session::new(routine.clone(), &start_event(start));
                s.apply(&Event {
                    kind: EventKind::LetDown,
                    at_ms: start + 500,
                    offset_min: 60,
                    active_ms: 500 * (i as u64 + 1),
                });
                let finish = Finish {
                    amount_total_ml: Some(ml),
                    comfort: Some(3 + i as u8),
                    ..Default::default()
                };
                d.finish_session(id, &s, &finish, start + 900, 60).unwrap();
            }
            // An open session is not counted.
            d.create_session(&routine, &start_event(1_050_000), &[])
                .unwrap();
            let stats = d.stats_between(0, 2_000_000).unwrap();
            assert_eq!(stats.sessions, 2);
            assert_eq!(stats.total_ml, 150.0);
            assert_eq!(stats.avg_ml, Some(75.0));
            assert_eq!(stats.avg_letdowns, Some(1.0));
            assert_eq!(stats.avg_first_letdown_ms, Some(750.0));
            assert_eq!(stats.avg_comfort, Some(3.5));
            let rows = d.sessions_between(0, 2_000_000).unwrap();
            assert_eq!(
                rows.iter().map(|r| r.started_ms).collect::<Vec<_>>(),
                [1_010_000, 1_000_000]
            );
            assert_eq!(rows[0].routine_name, "Standard");
            assert!(d.sessions_between(1_005_000, 1_006_000).unwrap().is_empty());
            let empty = d.stats_between(0, 1).unwrap();
            assert_eq!((empty.sessions, empty.avg_ml), (0, None));
        });
    }

    #[test]
    fn settings_are_upserted() {
        both(|d| {
            assert_eq!(d.setting("unit").unwrap(), None);
            d.set_setting("unit", "ml").unwrap();
            d.set_setting("unit", "oz").unwrap();
            assert_eq!(d.setting("unit").unwrap().as_deref(), Some("oz"));
        });
    }

    #[test]
    fn finish_validation_fills_the_total_and_tidies_tags() {
        let f = Finish {
            amount_left_ml: Some(10.0),
            amount_right_ml: Some(5.5),
            tags: vec![" a ".into(), "A".into(), "".into(), "b".into()],
            note: Some("   ".into()),
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(f.amount_total_ml, Some(15.5));
        assert_eq!(f.tags, ["a", "b"]);
        assert_eq!(f.note, None);
        let too_many = Finish {
            tags: (0..13).map(|i| format!("t{i}")).collect(),
            ..Default::default()
        };
        assert!(too_many.validated().is_err());
    }
}
