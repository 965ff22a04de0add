//! A damaged diary is never changed and never thrown away: it is renamed aside
//! (with its write-ahead log) under a dated name, and a new diary is built at
//! the usual place from every row that can still be read out of a copy of it.
//! Knows nothing of Tauri.
//!
//! Reading a damaged table stops at the first unreadable page, so each table
//! is read from both ends (ascending, then descending key order): the rows on
//! either side of a bad page are both kept.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::diary::Diary;
use crate::error::{Error, Result};

/// What was done with a damaged diary, for the message the parent sees.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recovered {
    /// The damaged file, renamed; it is byte for byte what was there.
    pub kept_as: PathBuf,
    /// Finished sessions that could be read and are in the new diary.
    pub sessions: i64,
    /// Rows of every kind brought over.
    pub rows: usize,
}

impl Recovered {
    /// What the parent is told, in plain words.
    pub fn message(&self) -> String {
        let name = self
            .kept_as
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kept = match self.sessions {
            0 if self.rows == 0 => "Nothing in it could be read, so Letdown started a new diary. You can restore a backup in Settings.".to_string(),
            0 => "No sessions in it could be read; your routines and settings were kept. You can restore a backup in Settings.".to_string(),
            1 => "Letdown started a repaired diary with the 1 session it could read.".to_string(),
            n => format!("Letdown started a repaired diary with the {n} sessions it could read."),
        };
        format!("Your diary file was damaged. It has been kept, unchanged, as “{name}” in Letdown's data folder. {kept}")
    }
}

/// The tables the salvage copies, parents first, each with the key it is read
/// in order of. Every table of the schema must be here (a test checks).
const TABLES: &[(&str, &str)] = &[
    ("routines", "id"),
    ("sessions", "id"),
    ("events", "session_id, seq"),
    ("session_steps", "session_id, seq"),
    ("session_tags", "session_id, tag"),
    ("session_factors", "session_id, factor"),
    ("settings", "key"),
    ("photos", "id"),
    ("clips", "id"),
    ("pumps", "id"),
    ("pump_parts", "id"),
    ("part_replacements", "part_id, at_ms"),
    ("milk", "id"),
];

/// Opens the diary at `path`; if it is damaged, keeps it aside as
/// `diary-damaged-<stamp>.sqlite3` and opens a new one built from what could
/// be read. Other failures (a newer version, a read-only folder, a full disk)
/// are returned as they are, with the file untouched.
pub fn open(path: &Path, stamp: &str) -> Result<(Diary, Option<Recovered>)> {
    match Diary::open(path) {
        Ok(diary) => Ok((diary, None)),
        Err(Error::DiaryDamaged(_)) => {
            let kept_as = keep_aside(path, "damaged", stamp)?;
            let rows = salvage(&kept_as, path)?;
            let diary = Diary::open(path)?;
            let sessions = diary.count_finished_sessions()?;
            Ok((
                diary,
                Some(Recovered {
                    kept_as,
                    sessions,
                    rows,
                }),
            ))
        }
        Err(other) => Err(other),
    }
}

/// Renames the diary and its `-wal`/`-shm` files to `diary-<why>-<stamp>…`
/// beside it (a rename: nothing is rewritten). Returns the new main file.
pub fn keep_aside(path: &Path, why: &str, stamp: &str) -> Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "diary".into());
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let mut n = 0;
    let aside = loop {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = dir.join(format!("{stem}-{why}-{stamp}{suffix}{ext}"));
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    let io = |e: std::io::Error| Error::DataDir(e.to_string());
    for side in ["-wal", "-shm"] {
        let from = sibling(path, side);
        if from.exists() {
            std::fs::rename(&from, sibling(&aside, side)).map_err(io)?;
        }
    }
    std::fs::rename(path, &aside).map_err(io)?;
    Ok(aside)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Builds a new diary at `into` from every readable row of the damaged file
/// `from`, which is read through a private copy so it stays as it was.
/// Returns how many rows were brought over.
pub fn salvage(from: &Path, into: &Path) -> Result<usize> {
    let scratch = tempfile::tempdir().map_err(|e| Error::DataDir(e.to_string()))?;
    let copy = scratch.path().join("copy.sqlite3");
    std::fs::copy(from, &copy).map_err(|e| Error::DataDir(e.to_string()))?;
    if sibling(from, "-wal").exists() {
        std::fs::copy(sibling(from, "-wal"), sibling(&copy, "-wal"))
            .map_err(|e| Error::DataDir(e.to_string()))?;
    }
    let mut target = Diary::create_schema(into)?;
    let source = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    );
    let Ok(source) = source else {
        return Ok(0); // nothing readable at all: an empty diary
    };
    // The query planner's statistics are loaded before any query; if their
    // pages are lost, no query runs. They are only hints: drop them (from the
    // private copy).
    let _ = source.execute_batch(
        "PRAGMA writable_schema = ON;
         DELETE FROM sqlite_master WHERE name LIKE 'sqlite_stat%';
         PRAGMA writable_schema = OFF;",
    );
    // Rows arrive children and parents in whatever order they can be read;
    // orphans are cleared below, before the commit.
    target.execute_batch("PRAGMA foreign_keys = OFF")?;
    let tx = target.transaction()?;
    let mut rows = 0;
    for (table, key) in TABLES {
        let wanted = columns(&tx, table);
        let have = columns(&source, table);
        let shared: Vec<&String> = wanted.iter().filter(|c| have.contains(c)).collect();
        if shared.is_empty() {
            continue;
        }
        let list = shared
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let marks = vec!["?"; shared.len()].join(", ");
        let mut insert = tx.prepare(&format!(
            "INSERT OR IGNORE INTO {table} ({list}) VALUES ({marks})"
        ))?;
        for order in ["ASC", "DESC"] {
            let descending_key = key
                .split(", ")
                .map(|k| format!("{k} {order}"))
                .collect::<Vec<_>>()
                .join(", ");
            let Ok(mut select) = source.prepare(&format!(
                "SELECT {list} FROM {table} ORDER BY {descending_key}"
            )) else {
                break;
            };
            let Ok(mut found) = select.query([]) else {
                break;
            };
            // Stops at the first unreadable row; the other order reads past it.
            while let Ok(Some(row)) = found.next() {
                let values: Vec<rusqlite::types::Value> =
                    (0..shared.len()).filter_map(|i| row.get(i).ok()).collect();
                if values.len() == shared.len() {
                    rows += insert.execute(rusqlite::params_from_iter(values))?;
                }
            }
        }
    }
    drop(source);
    // Children whose parent could not be read are of no use on their own,
    // and at most one session may be open.
    tx.execute_batch(
        "DELETE FROM events WHERE session_id NOT IN (SELECT id FROM sessions);
         DELETE FROM session_steps WHERE session_id NOT IN (SELECT id FROM sessions);
         DELETE FROM session_tags WHERE session_id NOT IN (SELECT id FROM sessions);
         DELETE FROM session_factors WHERE session_id NOT IN (SELECT id FROM sessions);
         DELETE FROM milk WHERE session_id NOT IN (SELECT id FROM sessions);
         DELETE FROM pump_parts WHERE pump_id NOT IN (SELECT id FROM pumps);
         DELETE FROM part_replacements WHERE part_id NOT IN (SELECT id FROM pump_parts);
         UPDATE sessions SET routine_id = NULL
          WHERE routine_id IS NOT NULL AND routine_id NOT IN (SELECT id FROM routines);",
    )?;
    tx.commit()?;
    Ok(rows)
}

/// Column names of `table`, or none if it cannot be read.
fn columns(conn: &Connection, table: &str) -> Vec<String> {
    let Ok(mut stmt) = conn.prepare(&format!("PRAGMA table_info({table})")) else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get::<_, String>(1))
        .map(|rows| rows.filter_map(|r| r.ok()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn diary_with(dir: &Path, sessions: i64) -> PathBuf {
        let path = dir.join("diary.sqlite3");
        let mut diary = Diary::open(&path).unwrap();
        seed::generate(&mut diary, sessions, 1_790_000_000_000, 60).unwrap();
        drop(diary);
        path
    }

    /// Folds the write-ahead log into the file, so the file alone is the diary.
    fn fold_log(path: &Path) {
        Connection::open(path)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }

    fn stamp() -> &'static str {
        "20261121-093000"
    }

    #[test]
    fn every_table_of_the_schema_is_salvaged() {
        let diary = Diary::open_in_memory().unwrap();
        let mut stmt = diary
            .conn()
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .unwrap();
        let tables: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for table in tables {
            assert!(
                TABLES.iter().any(|(t, _)| *t == table),
                "{table} is not salvaged"
            );
        }
    }

    #[test]
    fn a_good_diary_opens_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = diary_with(dir.path(), 20);
        let (diary, recovered) = open(&path, stamp()).unwrap();
        assert_eq!(recovered, None);
        assert_eq!(diary.count_finished_sessions().unwrap(), 20);
    }

    #[test]
    fn random_bytes_are_kept_aside_unchanged_and_a_new_diary_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        let junk: Vec<u8> = (0..50_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(&path, &junk).unwrap();
        let (diary, recovered) = open(&path, stamp()).unwrap();
        let recovered = recovered.expect("recovered");
        assert_eq!(std::fs::read(&recovered.kept_as).unwrap(), junk);
        assert_eq!(
            recovered.kept_as.file_name().unwrap(),
            "diary-damaged-20261121-093000.sqlite3"
        );
        assert_eq!(recovered.sessions, 0);
        assert!(!diary.routines().unwrap().is_empty(), "presets are there");
        assert!(recovered.message().contains("kept, unchanged"));
        assert!(recovered.message().contains("Nothing in it could be read"));
    }

    #[test]
    fn a_truncated_diary_keeps_every_session_that_can_be_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = diary_with(dir.path(), 3000);
        // Cut the file short, as a failed copy onto a USB stick leaves it.
        fold_log(&path);
        let whole = std::fs::read(&path).unwrap();
        let cut = &whole[..whole.len() * 2 / 3];
        std::fs::write(&path, cut).unwrap();
        let (diary, recovered) = open(&path, stamp()).unwrap();
        let recovered = recovered.expect("a cut-off diary is damaged");
        assert_eq!(std::fs::read(&recovered.kept_as).unwrap(), cut);
        assert!(
            recovered.sessions > 100 && recovered.sessions < 3000,
            "{} sessions read",
            recovered.sessions
        );
        assert_eq!(diary.count_finished_sessions().unwrap(), recovered.sessions);
        // What was read is whole: every session kept has its events.
        let orphans: i64 = diary
            .conn()
            .query_row(
                "SELECT count(*) FROM events WHERE session_id NOT IN (SELECT id FROM sessions)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
        assert!(recovered.message().contains("sessions it could read"));
    }

    #[test]
    fn a_diary_upgraded_from_an_older_version_is_still_readable_when_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        // A version 3 diary with 3000 sessions: its schema filled page 1.
        let mut conn = Connection::open(&path).unwrap();
        crate::diary::migrations().to_version(&mut conn, 3).unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO sessions (routine_json, started_ms, started_offset_min, ended_ms,
               ended_offset_min, status, amount_total_ml, note)
             SELECT '{\"name\":\"Old\",\"steps\":[]}', i * 3600000, 60, i * 3600000 + 1200000,
               60, 'finished', 100, printf('%.200c', 'x') FROM n;",
        )
        .unwrap();
        drop(conn);
        // This version's tables are added, then the file is cut short.
        drop(Diary::open(&path).unwrap());
        fold_log(&path);
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() * 2 / 3]).unwrap();
        let (diary, recovered) = open(&path, stamp()).unwrap();
        let recovered = recovered.expect("a cut-off diary is damaged");
        assert!(
            recovered.sessions > 1000,
            "{} sessions read: the schema must not sit at the file's end",
            recovered.sessions
        );
        assert_eq!(diary.count_finished_sessions().unwrap(), recovered.sessions);
    }

    #[test]
    fn a_damaged_page_in_the_middle_loses_only_that_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = diary_with(dir.path(), 3000);
        fold_log(&path);
        let mut bytes = std::fs::read(&path).unwrap();
        // Scribble over a few pages in the middle of the file.
        let middle = bytes.len() / 2 / 4096 * 4096;
        for b in &mut bytes[middle..middle + 3 * 4096] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let damaged = Diary::open(&path).and_then(|d| d.count_finished_sessions());
        let (diary, recovered) = match damaged {
            // The damage is in pages the open does not touch: it opens.
            Ok(_) => (Diary::open(&path).unwrap(), None),
            Err(_) => open(&path, stamp()).unwrap(),
        };
        if let Some(r) = recovered {
            assert_eq!(std::fs::read(&r.kept_as).unwrap(), bytes);
            assert!(r.sessions > 2000, "{} of 3000 read", r.sessions);
        }
        assert!(diary.routines().is_ok());
    }

    #[test]
    fn a_newer_diary_is_not_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = diary_with(dir.path(), 2);
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(open(&path, stamp()), Err(Error::DiaryTooNew)));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn keeping_aside_twice_the_same_second_does_not_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diary.sqlite3");
        std::fs::write(&path, b"one").unwrap();
        let first = keep_aside(&path, "damaged", stamp()).unwrap();
        std::fs::write(&path, b"two").unwrap();
        let second = keep_aside(&path, "damaged", stamp()).unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read(first).unwrap(), b"one");
        assert_eq!(std::fs::read(second).unwrap(), b"two");
    }
}
