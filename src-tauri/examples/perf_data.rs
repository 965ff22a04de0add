//! Makes the data folder the performance harness starts Letdown with: a diary
//! whose welcome is done and one imported photo, as a parent's would be after
//! the first day. Usage: perf_data DATA_DIR PHOTO [VIDEO POSTER]
//! (`scripts/bench-vs-baseline.sh`; DATA_DIR is what the app's path API
//! gives, e.g. $XDG_DATA_HOME/app.letdown.desktop on Linux). With a video
//! (and its first frame as a JPEG), the video is what is shown, as the page
//! keeps one (`scripts/bench-video-cpu.sh`).
use std::path::PathBuf;

use letdown::diary::Diary;
use letdown::media::{new_id, MediaDir};
use letdown::prefs::{Prefs, PrefsChange};

fn main() {
    // Imports decode in this binary started as the probe, as the app does.
    letdown::probe::serve_if_asked();
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), Some(photo)) = (args.next(), args.next()) else {
        eprintln!("usage: perf_data DATA_DIR PHOTO [VIDEO POSTER]");
        std::process::exit(2);
    };
    let video = args.next().zip(args.next());
    let made = make(PathBuf::from(&dir), PathBuf::from(photo)).and_then(|()| match video {
        Some((video, poster)) => add_video(PathBuf::from(dir), video.into(), poster.into()),
        None => Ok(()),
    });
    if let Err(e) = made {
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

/// Keeps a video as `add_video` does once the page has tried it.
fn add_video(dir: PathBuf, video: PathBuf, poster: PathBuf) -> letdown::error::Result<()> {
    let mut diary = Diary::open(&dir.join("diary.sqlite3"))?;
    let media = MediaDir::new(dir.join("media"));
    let now = chrono::Utc::now().timestamp_millis();
    let id = new_id(now + 1);
    let ext = media.stage_video(&video, &id)?;
    let jpeg = std::fs::read(&poster).map_err(|e| letdown::Error::DataDir(e.to_string()))?;
    media.add_poster(&id, &jpeg)?;
    let size =
        image::image_dimensions(&poster).map_err(|e| letdown::Error::DataDir(e.to_string()))?;
    diary.add_photo(
        &letdown::media::Photo {
            id,
            width: size.0,
            height: size.1,
            original_name: letdown::media::display_name(&video),
            focus: None,
            video: Some(ext.to_string()),
        },
        now + 1,
    )
}
