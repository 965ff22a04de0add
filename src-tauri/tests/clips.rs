//! Importing the baby's recording: the formats parents' phones make, and the
//! files that must be refused with a message that names the format.

mod common;

use common::Fixtures;
use letdown::media::MediaDir;
use letdown::Error;

fn media() -> (tempfile::TempDir, MediaDir) {
    let dir = tempfile::tempdir().unwrap();
    let media = MediaDir::new(dir.path().join("media"));
    (dir, media)
}

#[test]
fn the_formats_phones_make_are_decoded_and_copied_in() {
    let f = Fixtures::make();
    let (_d, media) = media();
    for (name, ms, id) in [
        ("memo.m4a", 3_000, "c1"),
        ("tone.mp3", 2_000, "c2"),
        ("tone.wav", 2_000, "c3"),
        ("tone.ogg", 2_000, "c4"),
        ("tone.flac", 2_000, "c5"),
    ] {
        let clip = media
            .import_clip(&f.path(name), id)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            (clip.duration_ms as i64 - ms).abs() < 150,
            "{name}: {} ms",
            clip.duration_ms
        );
        assert_eq!(clip.sample_rate, 44_100, "{name}");
        assert_eq!(clip.original_name, name);
        let copy = media.clip_path(id, &clip.extension).unwrap();
        assert_eq!(
            std::fs::read(copy).unwrap(),
            std::fs::read(f.path(name)).unwrap()
        );
    }
}

#[test]
fn the_same_voice_clip_in_every_format_has_the_same_length() {
    let f = Fixtures::make();
    let (_d, media) = media();
    let wav = media.import_clip(&f.path("voice.wav"), "d0").unwrap();
    assert!(
        wav.duration_ms > 3_000,
        "a spoken line: {} ms",
        wav.duration_ms
    );
    for (i, name) in ["voice.m4a", "voice.mp3", "voice.ogg", "voice.flac"]
        .into_iter()
        .enumerate()
    {
        let clip = media
            .import_clip(&f.path(name), &format!("d{}", i + 1))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Encoders add a few ms of padding; nothing more.
        let diff = clip.duration_ms as i64 - wav.duration_ms as i64;
        assert!(
            diff.abs() < 80,
            "{name}: {} ms vs {} ms",
            clip.duration_ms,
            wav.duration_ms
        );
    }
}

#[test]
fn recordings_that_cannot_play_are_refused_and_leave_nothing_behind() {
    let f = Fixtures::make();
    let (dir, media) = media();
    for (name, says) in [
        (
            "broken.m4a",
            "looks like an .m4a (AAC) recording but Letdown could not play it",
        ),
        (
            "cut-off.mp3",
            "looks like an MP3 but Letdown could not play it",
        ),
        (
            "tiny.wav",
            "looks like a WAV recording but Letdown could not play it",
        ),
        ("voice-note.opus", "Opus voice note"),
        (
            "landscape.jpg",
            "is not a kind of recording Letdown can play",
        ),
        ("empty.png", "is empty"),
    ] {
        let error = media.import_clip(&f.path(name), "dead").unwrap_err();
        assert!(
            matches!(error, Error::BadClip(_) | Error::BadFile(_)),
            "{name}"
        );
        assert!(error.to_string().contains(says), "{name}: {error}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path().join("media/clips"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}
