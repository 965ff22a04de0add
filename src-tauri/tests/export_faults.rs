//! Exports that cannot be written: a full disk and a read-only folder, on
//! real (tiny, temporary) file systems. The parent gets a plain sentence,
//! and a file already there is left exactly as it was.
//!
//! Mounting needs root, so this is `#[ignore]`d in a plain `cargo test`;
//! `scripts/run-tests.sh` (and CI, which runs as root) includes it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use letdown::error::Error;
use letdown::export::write_file;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn new(at: &Path, options: &str) -> Mount {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(at)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mount -t tmpfs needs root (run through scripts/run-tests.sh)"
        );
        Mount(at.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn message(result: Result<(), Error>) -> String {
    match result {
        Err(Error::Export(message)) => message,
        other => panic!("expected an export error, got {other:?}"),
    }
}

#[test]
#[ignore = "mounts tmpfs: needs root, run by scripts/run-tests.sh"]
fn a_full_disk_is_said_plainly_and_the_old_file_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let _full = Mount::new(&dir.path().join("full"), "size=64k");
    let path = dir.path().join("full/sessions.csv");
    std::fs::write(&path, "the export from last week").unwrap();
    let big = vec![b'x'; 256 * 1024];
    let text = message(write_file(&path, &big, true));
    assert!(text.starts_with("The disk is full"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "the export from last week"
    );
    // Nothing half-written is left beside it.
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
    common::record_fault(
        "Full disk (export)",
        1,
        &text,
        "the file already there, unchanged; nothing half-written",
    );
}

#[test]
#[ignore = "mounts tmpfs: needs root, run by scripts/run-tests.sh"]
fn a_read_only_folder_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let _ro = Mount::new(&dir.path().join("ro"), "ro,size=64k");
    let text = message(write_file(
        &dir.path().join("ro/report.html"),
        b"<!doctype html>",
        false,
    ));
    assert!(
        text.contains("not allowed to save in that folder"),
        "{text}"
    );
    common::record_fault("Read-only folder (export)", 1, &text, "nothing written");
}
