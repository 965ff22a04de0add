//! Importing the baby's recording: the formats parents' phones and messengers
//! make, decoded by the probe into a WAV playback copy, and the files that
//! must be refused with a plain message.

mod common;

use common::Fixtures;
use letdown::media::MediaDir;
use letdown::Error;

fn media() -> (tempfile::TempDir, MediaDir) {
    let dir = tempfile::tempdir().unwrap();
    let media = common::media_dir(dir.path().join("media"));
    (dir, media)
}

/// The playback copy's samples (16-bit WAV), read back.
fn playback_copy(media: &MediaDir, id: &str) -> (hound::WavSpec, Vec<i16>) {
    let reader = hound::WavReader::open(
        media
            .clip_path(id, letdown::clip::PLAYBACK_EXTENSION)
            .unwrap(),
    )
    .unwrap();
    let spec = reader.spec();
    let samples = reader.into_samples::<i16>().map(Result::unwrap).collect();
    (spec, samples)
}

/// The pitch of a steady tone, from its zero crossings (first channel).
fn pitch(spec: hound::WavSpec, samples: &[i16]) -> f64 {
    let first: Vec<i16> = samples
        .iter()
        .step_by(spec.channels as usize)
        .copied()
        .collect();
    let crossings = first
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (first.len() as f64 / f64::from(spec.sample_rate))
}

#[test]
fn the_formats_phones_and_messengers_make_become_playback_copies() {
    let f = Fixtures::make();
    let (_d, media) = media();
    for (i, (name, ms, rate, hz)) in [
        ("memo.m4a", 3_000, 44_100, 440.0),
        ("tone.mp3", 2_000, 44_100, 523.0),
        ("tone.wav", 2_000, 44_100, 330.0),
        ("tone.ogg", 2_000, 44_100, 392.0),
        ("tone.flac", 2_000, 44_100, 294.0),
        ("tone.aac", 2_000, 44_100, 440.0),
        ("voice-note.opus", 2_000, 48_000, 440.0),
        ("baby.mp4", 2_000, 44_100, 660.0),
        ("baby.mov", 2_000, 44_100, 660.0),
        ("baby.m4v", 2_000, 44_100, 660.0),
        ("baby.3gp", 2_000, 16_000, 660.0),
        ("baby.webm", 2_000, 48_000, 660.0),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("a{i:02x}");
        let clip = media
            .import_clip(&f.path(name), &id)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            (clip.duration_ms as i64 - ms).abs() < 150,
            "{name}: {} ms",
            clip.duration_ms
        );
        assert_eq!(clip.sample_rate, rate, "{name}");
        assert_eq!(clip.extension, letdown::clip::PLAYBACK_EXTENSION, "{name}");
        assert_eq!(clip.original_name, name);
        let (spec, samples) = playback_copy(&media, &id);
        assert_eq!(spec.sample_rate, rate, "{name}");
        let frames = samples.len() as u64 / u64::from(spec.channels);
        assert_eq!(frames * 1000 / u64::from(rate), clip.duration_ms, "{name}");
        let heard = pitch(spec, &samples);
        assert!((heard - hz).abs() < hz * 0.03, "{name}: {heard:.0} Hz");
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
    for (i, name) in [
        "voice.m4a",
        "voice.mp3",
        "voice.ogg",
        "voice.flac",
        "voice.opus",
        "voice-opus.ogg",
        "voice.webm",
        "voice-lossless.m4a",
        "voice.aac",
    ]
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

/// Words of the decoders' own that must never reach the parent.
const DECODER_WORDS: [&str; 5] = [
    "format of the data",
    "IO error",
    "malformed",
    "unsupported",
    "Error",
];

fn plain(message: &str) -> bool {
    !DECODER_WORDS.iter().any(|w| message.contains(w))
}

#[test]
fn recordings_that_cannot_play_are_refused_and_leave_nothing_behind() {
    let f = Fixtures::make();
    let (dir, media) = media();
    for (name, says) in [
        ("broken.m4a", "is not a recording Letdown can play"),
        ("cut-off.mp3", "looks like an MP3 but it is damaged"),
        ("tiny.wav", "looks damaged or incomplete"),
        ("cut-baby.mp4", "looks damaged or incomplete"),
        ("scrambled-baby.mov", "looks like a video but it is damaged"),
        (
            "scrambled-voice-lossless.m4a",
            "looks like an Apple Lossless recording but it is damaged",
        ),
        ("scrambled-voice.opus", "looks damaged or incomplete"),
        ("cut-voice.webm", "looks damaged or incomplete"),
        ("silent.mp4", "is a video without sound"),
        ("landscape.jpg", "is not a recording Letdown can play"),
        ("empty.png", "is empty"),
    ] {
        let error = media.import_clip(&f.path(name), "dead").unwrap_err();
        assert!(
            matches!(error, Error::BadClip(_) | Error::BadFile(_)),
            "{name}"
        );
        let message = error.to_string();
        assert!(message.contains(says), "{name}: {message}");
        assert!(plain(&message), "{name}: {message}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path().join("media/clips"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}

#[test]
fn every_damaged_copy_is_refused_plainly_or_plays_what_is_left() {
    let f = Fixtures::make();
    let (_d, media) = media();
    for original in [
        "voice.opus",
        "voice-lossless.m4a",
        "voice.aac",
        "voice.webm",
        "baby.mp4",
        "baby.mov",
    ] {
        let whole = media.import_clip(&f.path(original), "e0").unwrap();
        for damage in ["cut", "scrambled"] {
            let name = format!("{damage}-{original}");
            match media.import_clip(&f.path(&name), "e1") {
                Ok(clip) => assert!(
                    clip.duration_ms < whole.duration_ms,
                    "{name}: {} ms of {} ms",
                    clip.duration_ms,
                    whole.duration_ms
                ),
                Err(e) => {
                    let message = e.to_string();
                    assert!(message.contains("damaged"), "{name}: {message}");
                    assert!(plain(&message), "{name}: {message}");
                }
            }
        }
    }
}
