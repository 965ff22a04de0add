//! Daily copies of the diary in `backups/` beside it, made with SQLite's
//! online backup API from a second, read-only connection (the app keeps
//! writing meanwhile), checked, and rotated so the last [`KEEP`] days stay.
//! Restoring one keeps the current diary aside first. Knows nothing of Tauri.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags, MAIN_DB};
use serde::Serialize;

use crate::diary::Diary;
use crate::error::{Error, Result};

/// How many daily copies are kept.
pub const KEEP: usize = 7;

/// One daily copy, as the settings list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    /// The file name, which is also its id: `diary-YYYY-MM-DD.sqlite3`.
    pub name: String,
    pub date: NaiveDate,
    /// Finished sessions in it, or `None` if it cannot be read.
    pub sessions: Option<i64>,
}

fn file_name(date: NaiveDate) -> String {
    format!("diary-{}.sqlite3", date.format("%Y-%m-%d"))
}

/// The date of a backup file name, or `None` for anything else (which is
/// how a name sent from the window is checked: only these are ever opened).
fn date_of(name: &str) -> Option<NaiveDate> {
    let date = name.strip_prefix("diary-")?.strip_suffix(".sqlite3")?;
    if date.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

fn io(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::StorageFull {
        Error::DiskFull
    } else {
        Error::DataDir(e.to_string())
    }
}

/// Makes today's copy of the diary at `diary` in `dir`, unless there is one;
/// then keeps only the newest [`KEEP`]. Returns the new copy, if one was made.
/// A copy that fails its integrity check is thrown away, so a damaged diary
/// never pushes a good copy out.
pub fn daily(diary: &Path, dir: &Path, today: NaiveDate) -> Result<Option<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(io)?;
    let target = dir.join(file_name(today));
    if target.exists() {
        return Ok(None);
    }
    let source = Connection::open_with_flags(
        diary,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Written under a temporary name and renamed when whole and checked.
    let partial = tempfile::Builder::new()
        .prefix(".partial-")
        .suffix(".sqlite3")
        .tempfile_in(dir)
        .map_err(io)?;
    source.backup(MAIN_DB, partial.path(), None)?;
    {
        let copy = Connection::open(partial.path())?;
        // A plain file on its own: no write-ahead log beside it.
        copy.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        })?;
        let check: String = copy.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(Error::DiaryDamaged(check));
        }
    }
    partial.as_file().sync_all().map_err(io)?;
    partial.persist(&target).map_err(|e| io(e.error))?;
    prune(dir)?;
    Ok(Some(target))
}

/// Deletes all but the newest [`KEEP`] copies.
fn prune(dir: &Path) -> Result<()> {
    let mut dates = dates(dir)?;
    dates.sort_unstable_by(|a, b| b.cmp(a));
    for old in dates.into_iter().skip(KEEP) {
        std::fs::remove_file(dir.join(file_name(old))).map_err(io)?;
    }
    Ok(())
}

fn dates(dir: &Path) -> Result<Vec<NaiveDate>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    Ok(entries
        .filter_map(|e| e.ok())
        .filter_map(|e| date_of(&e.file_name().to_string_lossy()))
        .collect())
}

/// The copies there are, newest first.
pub fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    let mut dates = dates(dir)?;
    dates.sort_unstable_by(|a, b| b.cmp(a));
    Ok(dates
        .into_iter()
        .map(|date| {
            let name = file_name(date);
            let sessions = Connection::open_with_flags(
                dir.join(&name),
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| {
                c.query_row(
                    "SELECT count(*) FROM sessions WHERE status = 'finished'",
                    [],
                    |r| r.get(0),
                )
            })
            .ok();
            BackupInfo {
                name,
                date,
                sessions,
            }
        })
        .collect())
}

/// Replaces what is in `diary` (the open diary, whose file is `diary_path`)
/// with the copy `name` from `dir`. The current diary is first copied whole
/// to `diary-before-restore-<stamp>.sqlite3` beside it; that copy's path is
/// returned. Only a name [`list`] gives is accepted.
pub fn restore(
    diary: &mut Diary,
    diary_path: &Path,
    dir: &Path,
    name: &str,
    stamp: &str,
) -> Result<PathBuf> {
    if date_of(name).is_none() {
        return Err(Error::Invalid(
            "That is not one of Letdown's backups.".into(),
        ));
    }
    let source = dir.join(name);
    if !source.is_file() {
        return Err(Error::NotFound("That backup"));
    }
    // The copy must be a diary this version can open, before anything changes.
    {
        let copy = Connection::open_with_flags(
            &source,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let check: String = copy
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| Error::DiaryDamaged(e.to_string()))?;
        if check != "ok" {
            return Err(Error::DiaryDamaged(check));
        }
        let version: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > crate::diary::schema_version() as i64 {
            return Err(Error::DiaryTooNew);
        }
    }
    let folder = diary_path.parent().unwrap_or(Path::new("."));
    let kept = folder.join(format!("diary-before-restore-{stamp}.sqlite3"));
    if kept.exists() {
        return Err(Error::FileExists);
    }
    let conn = diary.connection();
    conn.backup(MAIN_DB, &kept, None)?;
    conn.restore(MAIN_DB, &source, None::<fn(rusqlite::backup::Progress)>)?;
    // An older copy is brought up to this version's schema.
    diary.upgrade()?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn diary_with(dir: &Path, sessions: i64) -> (Diary, PathBuf) {
        let path = dir.join("diary.sqlite3");
        let mut diary = Diary::open(&path).unwrap();
        seed::generate(&mut diary, sessions, 1_790_000_000_000, 60).unwrap();
        (diary, path)
    }

    #[test]
    fn one_copy_a_day_and_the_last_seven_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (_diary, path) = diary_with(dir.path(), 10);
        let backups = dir.path().join("backups");
        for d in 1..=10 {
            let made = daily(&path, &backups, day(d)).unwrap();
            assert_eq!(made, Some(backups.join(file_name(day(d)))));
            assert_eq!(daily(&path, &backups, day(d)).unwrap(), None, "once a day");
        }
        let kept = list(&backups).unwrap();
        assert_eq!(
            kept.iter().map(|b| b.date).collect::<Vec<_>>(),
            (4..=10).rev().map(day).collect::<Vec<_>>()
        );
        assert!(kept.iter().all(|b| b.sessions == Some(10)));
        // Whole files, no logs or half-made copies beside them.
        let files: Vec<String> = std::fs::read_dir(&backups)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files.len(), KEEP, "{files:?}");
    }

    #[test]
    fn a_copy_is_made_while_the_diary_is_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let (mut diary, path) = diary_with(dir.path(), 5);
        // An open write transaction in the app does not stop the copy, and
        // the copy holds what was committed.
        let tx = diary.connection().transaction().unwrap();
        tx.execute("DELETE FROM sessions", []).unwrap();
        let made = daily(&path, &dir.path().join("b"), day(1))
            .unwrap()
            .unwrap();
        drop(tx);
        let copy = Diary::open(&made).unwrap();
        assert_eq!(copy.count_finished_sessions().unwrap(), 5);
    }

    #[test]
    fn restoring_keeps_the_current_diary_aside_first() {
        let dir = tempfile::tempdir().unwrap();
        let (mut diary, path) = diary_with(dir.path(), 3);
        let backups = dir.path().join("backups");
        daily(&path, &backups, day(1)).unwrap();
        // Sessions lost after the copy (deleted by mistake, say).
        diary
            .connection()
            .execute("DELETE FROM sessions WHERE id > 1", [])
            .unwrap();
        assert_eq!(diary.count_finished_sessions().unwrap(), 1);

        let kept = restore(&mut diary, &path, &backups, "diary-2026-11-01.sqlite3", "x").unwrap();
        assert_eq!(diary.count_finished_sessions().unwrap(), 3, "the backup's");
        let before = Diary::open(&kept).unwrap();
        assert_eq!(before.count_finished_sessions().unwrap(), 1, "kept aside");
        // The restored diary goes on working, and survives a reopen.
        drop(diary);
        assert_eq!(
            Diary::open(&path)
                .unwrap()
                .count_finished_sessions()
                .unwrap(),
            3
        );
    }

    #[test]
    fn only_letdowns_own_backups_can_be_restored() {
        let dir = tempfile::tempdir().unwrap();
        let (mut diary, path) = diary_with(dir.path(), 2);
        let backups = dir.path().join("backups");
        std::fs::create_dir_all(&backups).unwrap();
        for name in [
            "../diary.sqlite3",
            "/etc/passwd",
            "diary-2026-11-01.sqlite3/../../x",
            "diary-2026-13-01.sqlite3",
            "diary-2026-11-1.sqlite3",
            "notes.txt",
            "",
        ] {
            assert!(
                matches!(
                    restore(&mut diary, &path, &backups, name, "x"),
                    Err(Error::Invalid(_))
                ),
                "{name}"
            );
        }
        assert!(matches!(
            restore(&mut diary, &path, &backups, "diary-2026-11-02.sqlite3", "x"),
            Err(Error::NotFound(_))
        ));
        // A damaged copy is refused and nothing changes.
        std::fs::write(
            backups.join("diary-2026-11-03.sqlite3"),
            b"not a diary at all, sorry",
        )
        .unwrap();
        assert!(restore(&mut diary, &path, &backups, "diary-2026-11-03.sqlite3", "x").is_err());
        assert_eq!(diary.count_finished_sessions().unwrap(), 2);
        assert!(!dir.path().join("diary-before-restore-x.sqlite3").exists());
    }
}
