//! Property-based fuzzing (proptest) of everything that reads bytes or text
//! from outside: the photo import, the recording probe, the video's
//! fragmenting, and every JSON shape a command accepts. Damaged versions of real files (bytes overwritten, cut
//! short, junk in front) and arbitrary JSON go in; a plain error or a good
//! result must come out — never a panic, never a half-written file.
//!
//! A plain `cargo test` runs 64 cases each; `scripts/fuzz.sh` runs many more.
//! (cargo-fuzz needs a nightly compiler, which this project's machines do not
//! have; proptest runs on stable.) Any failing input proptest finds is saved
//! under `proptest-regressions/` and replayed first on every run after.

mod common;

use std::path::Path;

use letdown::error::Error;
use proptest::prelude::*;

/// Bytes overwritten at positions given as fractions of the file, then
/// perhaps cut short and perhaps given junk in front.
#[derive(Debug, Clone)]
struct Damage {
    writes: Vec<(f64, u8)>,
    keep: Option<f64>,
    prefix: Vec<u8>,
}

fn damage() -> impl Strategy<Value = Damage> {
    (
        prop::collection::vec((0.0..1.0f64, any::<u8>()), 0..24),
        prop::option::of(0.0..1.0f64),
        prop::collection::vec(any::<u8>(), 0..3),
    )
        .prop_map(|(writes, keep, prefix)| Damage {
            writes,
            keep,
            prefix,
        })
}

fn apply(original: &[u8], d: &Damage) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for (at, b) in &d.writes {
        if !bytes.is_empty() {
            let i = ((*at * bytes.len() as f64) as usize).min(bytes.len() - 1);
            bytes[i] = *b;
        }
    }
    if let Some(keep) = d.keep {
        bytes.truncate((keep * bytes.len() as f64) as usize);
    }
    let mut out = d.prefix.clone();
    out.extend(bytes);
    out
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(64),
        ..ProptestConfig::default()
    }
}

/// The fixtures, made once per test binary.
fn fixtures() -> &'static common::Fixtures {
    static F: std::sync::OnceLock<common::Fixtures> = std::sync::OnceLock::new();
    F.get_or_init(common::Fixtures::make)
}

const PHOTOS: &[&str] = &[
    "landscape.jpg",
    "plain.png",
    "plain.webp",
    "first.gif",
    "landscape.heic",
];
const CLIPS: &[&str] = &[
    "tone.wav",
    "memo.m4a",
    "tone.mp3",
    "tone.ogg",
    "tone.flac",
    "voice-note.opus",
    "voice-lossless.m4a",
    "tone.aac",
    "baby.mov",
    "baby.webm",
];

const VIDEOS: &[&str] = &["phone-h264.mp4", "phone-hevc.mov", "baby.mov"];

/// Files under `dir`, in every subfolder.
fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(|e| e.ok())
            .map(|e| {
                if e.path().is_dir() {
                    files_in(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_damaged_photo_gives_a_plain_refusal_or_a_good_picture(which in 0..PHOTOS.len(), d in damage()) {
        let f = fixtures();
        let original = std::fs::read(f.path(PHOTOS[which])).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join(PHOTOS[which]);
        std::fs::write(&source, apply(&original, &d)).unwrap();
        let media = common::media_dir(dir.path().join("media"));
        match media.import_photo(&source, &letdown::media::new_id(1_790_000_000_000)) {
            Ok(photo) => {
                prop_assert!(photo.width > 0 && photo.height > 0);
                prop_assert_eq!(
                    files_in(&dir.path().join("media")),
                    letdown::media::PhotoCopy::ALL.len(),
                    "a large copy, a window copy and a thumbnail"
                );
            }
            Err(Error::BadImage(message) | Error::BadFile(message)) => {
                prop_assert!(!message.is_empty());
                prop_assert_eq!(files_in(&dir.path().join("media")), 0, "nothing written: {}", message);
            }
            Err(other) => prop_assert!(false, "unexpected error kind {}: {}", other.kind(), other),
        }
    }

    #[test]
    fn a_damaged_recording_gives_a_plain_refusal_or_a_length(which in 0..CLIPS.len(), d in damage()) {
        let f = fixtures();
        let original = std::fs::read(f.path(CLIPS[which])).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join(CLIPS[which]);
        std::fs::write(&source, apply(&original, &d)).unwrap();
        let media = common::media_dir(dir.path().join("media"));
        match media.import_clip(&source, "f0") {
            Ok(clip) => {
                prop_assert!(clip.duration_ms > 0 && clip.sample_rate > 0 && clip.channels > 0, "{:?}", clip);
            }
            Err(Error::BadClip(message) | Error::BadFile(message)) => prop_assert!(!message.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error kind {}: {}", other.kind(), other),
        }
    }

    /// The baby's video is fragmented for WebKitGTK's Media Source player in
    /// the app's own process (fragment.rs): a damaged copy is fragmented or
    /// refused, never a panic, and what comes out is not much larger than it.
    #[test]
    fn a_damaged_video_is_fragmented_or_refused_without_panic(which in 0..VIDEOS.len(), d in damage()) {
        let f = fixtures();
        let original = std::fs::read(f.dir.path().join(VIDEOS[which])).unwrap();
        let damaged = apply(&original, &d);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VIDEOS[which]);
        std::fs::write(&path, &damaged).unwrap();
        if let Ok(Some(out)) = letdown::fragment::fragmented(&path) {
            prop_assert!(out.len() <= 2 * damaged.len() + 4096, "{} bytes from {}", out.len(), damaged.len());
        }
    }

    #[test]
    fn any_json_for_any_command_input_is_read_or_refused_without_panic(json in arbitrary_json()) {
        let text = json.to_string();
        // Each shape a command accepts, then its own checks where it has them.
        if let Ok(finish) = serde_json::from_str::<letdown::diary::Finish>(&text) {
            if let Ok(ok) = finish.validated() {
                for amount in [ok.amount_left_ml, ok.amount_right_ml, ok.amount_total_ml].into_iter().flatten() {
                    prop_assert!((0.0..=letdown::diary::MAX_ML).contains(&amount));
                }
            }
        }
        if let Ok(routine) = serde_json::from_str::<letdown::routine::Routine>(&text) {
            let _ = routine.validate();
        }
        let _ = serde_json::from_str::<letdown::engine::Intent>(&text);
        let _ = serde_json::from_str::<letdown::prefs::PrefsChange>(&text);
        let _ = serde_json::from_str::<letdown::prefs::Draft>(&text);
        let _ = serde_json::from_str::<letdown::history::Filter>(&text);
        let _ = serde_json::from_str::<letdown::history::Cursor>(&text);
        let _ = serde_json::from_str::<letdown::history::Edit>(&text);
    }

    #[test]
    fn any_text_as_a_prefs_change_is_refused_or_saved_within_limits(name in ".{0,80}", minutes in any::<u8>()) {
        let diary = letdown::diary::Diary::open_in_memory().unwrap();
        let change = serde_json::json!({ "baby_name": name, "rotate_minutes": minutes });
        let change: letdown::prefs::PrefsChange = serde_json::from_value(change).unwrap();
        if let Ok(prefs) = letdown::prefs::Prefs::change(&diary, change) {
            prop_assert!(prefs.baby_name.chars().count() <= letdown::prefs::MAX_BABY_NAME_CHARS);
        }
    }
}

/// Any JSON value a page could send: nested objects and arrays of the field
/// names the app knows (and some it does not), numbers of every size, strings.
fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let names = prop::sample::select(vec![
        "kind",
        "side",
        "amount_left_ml",
        "amount_right_ml",
        "amount_total_ml",
        "comfort",
        "tags",
        "note",
        "id",
        "name",
        "steps",
        "planned_ms",
        "open_ended",
        "unit",
        "theme",
        "baby_name",
        "rotate_minutes",
        "from",
        "to",
        "tag",
        "started_ms",
        "finish",
        "remove_marks",
        "add_letdowns",
        "welcome_done",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "let_down",
            "side",
            "left",
            "right",
            "pause",
            "ml",
            "oz",
            "dim",
            "warm_up",
            "pump",
            "2026-11-21",
            ""
        ])
        .prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(names.clone(), inner, 0..6).prop_map(|m| {
                serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}
