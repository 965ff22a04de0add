//! The wall around decoding: whatever the probe does with a file — panic,
//! abort, ask for 16 GB, never finish — the import ends in a plain message,
//! nothing is left behind and the previous photo and recording stay.
//!
//! The probe is the app's binary: this build's by default, or the one named
//! by LETDOWN_PROBE_BIN, which scripts/run-tests.sh sets to the release build
//! (`panic = "abort"`, as shipped) for a second run.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::Fixtures;
use letdown::media::{MediaDir, PhotoCopy};
use letdown::probe::Probe;
use letdown::Error;

fn probe() -> Probe {
    // The probe obeys the fault files below only when told to (tests only).
    std::env::set_var(letdown::probe::FAULTS_ENV, "1");
    match std::env::var_os("LETDOWN_PROBE_BIN") {
        Some(bin) => Probe::program(PathBuf::from(bin)),
        None => common::probe(),
    }
    // Long enough for any real file here, short enough for the one that hangs.
    .with_patience(Duration::from_secs(10))
}

const FAULTS: [&str; 4] = ["panic", "abort", "alloc", "hang"];

#[test]
fn a_probe_that_crashes_or_hangs_costs_only_the_file() {
    let f = Fixtures::make();
    let dir = tempfile::tempdir().unwrap();
    let media = MediaDir::new(dir.path().join("media")).with_probe(probe());
    media.import_photo(&f.path("landscape.jpg"), "0a").unwrap();
    media.import_clip(&f.path("voice.opus"), "0b").unwrap();
    let photo = std::fs::read(media.photo_path("0a", PhotoCopy::Screen).unwrap()).unwrap();
    let clip = std::fs::read(
        media
            .clip_path("0b", letdown::clip::PLAYBACK_EXTENSION)
            .unwrap(),
    )
    .unwrap();

    for fault in FAULTS {
        let file = dir.path().join(format!("{fault}.heic"));
        std::fs::write(&file, format!("LETDOWN-PROBE-FAULT {fault}\n")).unwrap();
        let error = media.import_photo(&file, "0c").unwrap_err();
        assert!(matches!(error, Error::BadImage(_)), "{fault}: {error:?}");
        let message = error.to_string();
        assert!(message.contains("looks damaged"), "{fault}: {message}");
        assert_eq!(
            message.contains("too long"),
            fault == "hang",
            "{fault}: {message}"
        );

        let file = dir.path().join(format!("{fault}.opus"));
        std::fs::write(&file, format!("LETDOWN-PROBE-FAULT {fault}\n")).unwrap();
        let error = media.import_clip(&file, "0d").unwrap_err();
        assert!(matches!(error, Error::BadClip(_)), "{fault}: {error:?}");
        assert!(
            error.to_string().contains("looks damaged"),
            "{fault}: {error}"
        );
    }
    common::record_fault(
        "A photo or recording whose decoder panics, aborts, runs out of memory or hangs",
        (2 * FAULTS.len()) as u64,
        &media
            .import_photo(&dir.path().join("abort.heic"), "0c")
            .unwrap_err()
            .to_string(),
        "the current photo and recording; Letdown keeps running",
    );
    let mut left: Vec<_> = ["photos", "clips"]
        .iter()
        .flat_map(|d| std::fs::read_dir(dir.path().join("media").join(d)).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["0a-thumb.jpg", "0a-window.jpg", "0a.jpg", "0b.play.wav"],
        "only the earlier photo and recording"
    );
    assert_eq!(
        std::fs::read(media.photo_path("0a", PhotoCopy::Screen).unwrap()).unwrap(),
        photo
    );
    assert_eq!(
        std::fs::read(
            media
                .clip_path("0b", letdown::clip::PLAYBACK_EXTENSION)
                .unwrap()
        )
        .unwrap(),
        clip
    );
}

#[test]
fn a_real_decoder_panic_is_a_damaged_file() {
    // symphonia 0.5.5's WebM reader panics on this cut-off file: the probe,
    // started by hand, ends without an answer...
    let f = Fixtures::make();
    let dir = tempfile::tempdir().unwrap();
    let bin = std::env::var_os("LETDOWN_PROBE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_letdown")));
    let out = std::process::Command::new(bin)
        .arg(letdown::probe::FLAG)
        .arg("clip")
        .arg(f.path("cut-voice.webm"))
        .arg(dir.path())
        .args(["0e", "cut-voice.webm"])
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the probe crashed");
    assert!(out.stdout.is_empty(), "and gave no answer");
    // ...and the import says the file is damaged, and the app goes on.
    let media = MediaDir::new(dir.path().join("media")).with_probe(probe());
    let error = media
        .import_clip(&f.path("cut-voice.webm"), "0e")
        .unwrap_err();
    assert!(
        error.to_string().contains("looks damaged or incomplete"),
        "{error}"
    );
}
