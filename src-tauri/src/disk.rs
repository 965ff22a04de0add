//! Whether the diary's disk is full: a leaf module, so the error type can ask
//! without importing the diary (which imports the error type).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The folder of the diary opened first, for [`diary_disk_is_full`].
static DIARY_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Notes where the diary lives (the first diary opened in this process).
pub(crate) fn set_diary_dir(dir: &Path) {
    let _ = DIARY_DIR.set(dir.to_path_buf());
}

/// Whether the diary's disk has no room left, found by trying to write a
/// small file beside it (which is then removed).
pub(crate) fn diary_disk_is_full() -> bool {
    let Some(dir) = DIARY_DIR.get() else {
        return false;
    };
    let probe = tempfile::tempfile_in(dir).and_then(|mut f| {
        use std::io::Write;
        f.write_all(&[0u8; 64 * 1024])?;
        f.sync_all()
    });
    matches!(probe, Err(e) if e.kind() == std::io::ErrorKind::StorageFull)
}
