//! Makes the data folder the performance harness starts Letdown with: a diary
//! whose welcome is done and one imported photo, as a parent's would be after
//! the first day. Usage: perf_data DATA_DIR PHOTO
//! (`scripts/bench-vs-baseline.sh`; DATA_DIR is what the app's path API
//! gives, e.g. $XDG_DATA_HOME/app.letdown.desktop on Linux).
use std::path::PathBuf;

use letdown::diary::Diary;
use letdown::media::{new_id, MediaDir};
use letdown::prefs::{Prefs, PrefsChange};

fn main() {
    // Imports decode in this binary started as the probe, as the app does.
    letdown::probe::serve_if_asked();
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), Some(photo)) = (args.next(), args.next()) else {
        eprintln!("usage: perf_data DATA_DIR PHOTO");
        std::process::exit(2);
    };
    if let Err(e) = make(PathBuf::from(dir), PathBuf::from(photo)) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn make(dir: PathBuf, photo: PathBuf) -> letdown::error::Result<()> {
    std::fs::create_dir_all(&dir).map_err(|e| letdown::Error::DataDir(e.to_string()))?;
    let mut diary = Diary::open(&dir.join("diary.sqlite3"))?;
    let now = chrono::Utc::now().timestamp_millis();
    let imported = MediaDir::new(dir.join("media")).import_photo(&photo, &new_id(now))?;
    diary.add_photo(&imported, now)?;
    Prefs::change(
        &diary,
        PrefsChange {
            welcome_done: Some(true),
            ..Default::default()
        },
    )?;
    Ok(())
}
