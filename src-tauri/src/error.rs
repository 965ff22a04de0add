//! The one error type every command returns, written for a tired parent, not a developer.

use std::sync::Arc;

use serde::ser::SerializeStruct;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The app could not find or create its own data folder.
    #[error("Letdown could not open its data folder ({0}). Check that your user folder is not full or read-only.")]
    DataDir(String),
    #[error("Your diary file looks damaged, so Letdown has not changed it. ({0})")]
    DiaryDamaged(String),
    #[error("This diary was written by a newer version of Letdown. Please update Letdown to open it; it has not been changed.")]
    DiaryTooNew,
    #[error("Letdown cannot write to your diary ({0}). Check that the folder is not read-only.")]
    DiaryUnavailable(String),
    #[error("Letdown is already open in another window, which keeps your diary. Please use that window; this one has changed nothing.")]
    AlreadyOpen,
    #[error("Your diary is busy in another program. Please close other copies of Letdown and try again.")]
    DiaryBusy,
    #[error("The disk is full, so Letdown could not save that. Free some space and try again; nothing saved before was lost.")]
    DiskFull,
    #[error("Letdown could not update your diary's format ({0}). It has not been changed.")]
    Migration(String),
    #[error("Something went wrong saving to your diary ({0}). What you saved before is safe.")]
    Db(rusqlite::Error),
    /// Something typed or sent does not make sense; the message says what.
    #[error("{0}")]
    Invalid(String),
    #[error("{0} is no longer in your diary.")]
    NotFound(&'static str),
    #[error("A session is already in progress. Finish or discard it first.")]
    SessionInProgress,
    #[error("There is no session in progress.")]
    NoSession,
    #[error("That session can no longer be brought back.")]
    UndoExpired,
    /// A file the parent picked cannot be used; the message says why.
    #[error("{0}")]
    BadFile(String),
    #[error("{0} Your current photo is unchanged.")]
    BadImage(String),
    #[error("{0} Your current recording is unchanged.")]
    BadClip(String),
    #[error("Letdown could not save a copy in its media folder ({0}). Your current photo and recording are unchanged.")]
    MediaWrite(String),
    /// An export could not be written; the message says why in plain words.
    #[error("{0}")]
    Export(String),
    #[error("A file with that name is already there.")]
    FileExists,
    /// The system's login items could not be changed (the cause is logged).
    #[error(
        "Letdown could not change whether it opens when you log in. Nothing else has changed."
    )]
    Autostart,
    /// The diary is not open: it could not be opened at start-up (or at the
    /// last "Try again"), for the reason inside.
    #[error("{}", not_open_message(.0))]
    NotOpen(Arc<Error>),
}

/// Why the diary is not open, as the window says it.
fn not_open_message(why: &Error) -> String {
    match why {
        Error::DiskFull => "The disk is full, so Letdown cannot open your diary. Free some space, then press Try again; nothing in it was lost.".into(),
        e => e.to_string(),
    }
}

impl From<rusqlite::Error> for Error {
    /// A full disk is said as such. SQLite reports it as `SQLITE_FULL`, or,
    /// when it is the shared-memory index that cannot grow, as a plain I/O
    /// error: then the diary's folder is asked whether it has room.
    fn from(e: rusqlite::Error) -> Error {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Error::DiskFull,
            Some(rusqlite::ErrorCode::SystemIoFailure) if crate::disk::diary_disk_is_full() => {
                Error::DiskFull
            }
            _ => Error::Db(e),
        }
    }
}

impl Error {
    /// A stable, machine-readable name the UI can switch on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::DataDir(_) => "data_dir",
            Error::DiaryDamaged(_) => "diary_damaged",
            Error::DiaryTooNew => "diary_too_new",
            Error::DiaryUnavailable(_) => "diary_unavailable",
            Error::DiaryBusy => "diary_busy",
            Error::AlreadyOpen => "already_open",
            Error::DiskFull => "disk_full",
            Error::Migration(_) => "migration",
            Error::Db(_) => "diary",
            Error::Invalid(_) => "invalid",
            Error::NotFound(_) => "not_found",
            Error::SessionInProgress => "session_in_progress",
            Error::NoSession => "no_session",
            Error::UndoExpired => "undo_expired",
            Error::NotOpen(why) => why.kind(),
            Error::BadFile(_) => "bad_file",
            Error::BadImage(_) => "bad_image",
            Error::BadClip(_) => "bad_clip",
            Error::MediaWrite(_) => "media_write",
            Error::Export(_) => "export",
            Error::FileExists => "file_exists",
            Error::Autostart => "autostart",
        }
    }

    /// Whether opening the diary again may work once the parent has done
    /// something (freed some space, closed another program): the UI offers
    /// "Try again" (`reopen_diary`). A write refused on an open diary is not:
    /// its message asks the parent to try that again themselves.
    pub fn retryable(&self) -> bool {
        matches!(self, Error::NotOpen(why) if why.may_pass())
    }

    /// A reason the diary could not be opened that the parent can end.
    pub fn may_pass(&self) -> bool {
        matches!(self, Error::DiskFull | Error::DiaryBusy)
    }
}

/// Serialised as `{ kind, message, retryable }` so the UI can show `message`
/// as is and offer "Try again" where it may help.
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 3)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("retryable", &self.retryable())?;
        s.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_kind_and_plain_message() {
        let json = serde_json::to_value(Error::DataDir("disk full".into())).unwrap();
        assert_eq!(json["kind"], "data_dir");
        let message = json["message"].as_str().unwrap();
        assert!(message.starts_with("Letdown could not open its data folder"));
        assert!(message.contains("disk full"));
        assert_eq!(json["retryable"], false);
    }

    #[test]
    fn a_diary_not_open_for_a_passing_reason_can_be_tried_again() {
        let full = serde_json::to_value(Error::NotOpen(Arc::new(Error::DiskFull))).unwrap();
        assert_eq!(full["kind"], "disk_full");
        assert_eq!(full["retryable"], true);
        assert!(full["message"]
            .as_str()
            .unwrap()
            .contains("press Try again"));
        let busy = Error::NotOpen(Arc::new(Error::DiaryBusy));
        assert!(busy.retryable());
        // A full disk while the diary is open: saving again is the parent's step.
        assert!(!Error::DiskFull.retryable());
        let too_new = Error::NotOpen(Arc::new(Error::DiaryTooNew));
        assert!(!too_new.retryable());
        assert_eq!(too_new.kind(), "diary_too_new");
    }
}
