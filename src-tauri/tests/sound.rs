//! Real sound through a real sound server: the harness (tests/harness/env.sh)
//! runs a private PulseAudio whose default output is a null sink; these tests
//! record its monitor and measure what was actually played.
//! Run them through scripts/run-tests.sh (they are ignored by a plain `cargo test`).

mod common;

use std::time::Duration;

use letdown::audio::{Audio, SoundStatus};

#[test]
#[ignore = "needs the harness's sound server: run scripts/run-tests.sh"]
fn the_chime_is_heard_softly_on_the_default_device() {
    let recording = common::Recording::start();
    let audio = Audio::start();
    assert_eq!(common::wait_until_opened(&audio), SoundStatus::Ready);
    assert!(audio.chime_and_wait(Duration::from_secs(10)));
    let heard = recording.stop();

    // Loud enough to hear, never louder than −20 dBFS (with a little headroom
    // for resampling), and as long as the chime itself.
    let peak_db = 20.0 * heard.peak().log10();
    assert!(
        peak_db > -26.0,
        "chime too quiet or missing: peak {peak_db:.1} dBFS"
    );
    assert!(peak_db < -19.0, "chime too loud: peak {peak_db:.1} dBFS");
    assert!(heard.rms() > 0.003, "rms {}", heard.rms());
    assert!(heard.seconds_above(0.01) > 0.3, "chime too short");
}

#[test]
#[ignore = "needs the harness's sound server: run scripts/run-tests.sh"]
fn silence_is_recorded_as_silence() {
    // Guards the measurement itself: with nothing playing, nothing is heard.
    let recording = common::Recording::start();
    let audio = Audio::start();
    assert_eq!(common::wait_until_opened(&audio), SoundStatus::Ready);
    std::thread::sleep(Duration::from_millis(500)); // a stretch of deliberate silence
    let heard = recording.stop();
    assert!(heard.peak() < 0.001, "peak {}", heard.peak());
}

#[test]
#[ignore = "needs the harness's sound server: run scripts/run-tests.sh"]
fn a_voice_recording_loops_at_its_own_length() {
    // voice.wav: a spoken line, then a second of quiet; looped, each line
    // must start one recording-length after the last.
    let fixtures = common::Fixtures::make();
    let clip = common::media_dir(fixtures.dir.path().join("media"))
        .import_clip(&fixtures.path("voice.wav"), "a1")
        .unwrap();
    let length = clip.duration_ms as f32 / 1000.0;
    let recording = common::Recording::start();
    let audio = Audio::start();
    assert_eq!(common::wait_until_opened(&audio), SoundStatus::Ready);
    audio.set_volume(80);
    audio.set_source(Some(fixtures.path("voice.wav")));
    audio.play();
    common::poll(Duration::from_secs(30), || {
        (recording.seconds_so_far() > 3.0 * length + 1.0).then_some(())
    })
    .expect("the recording keeps running");
    audio.stop();
    let heard = recording.stop();

    assert!(heard.rms() > 0.01, "clearly heard: rms {}", heard.rms());
    let onsets = heard.onsets(0.002, 0.01, 0.8);
    assert!(onsets.len() >= 3, "three lines heard: {onsets:?}");
    for pair in onsets.windows(2) {
        let period = pair[1] - pair[0];
        assert!(
            (period - length).abs() < 0.15,
            "each loop lasts the recording's {length:.2} s, heard {period:.2} s ({onsets:?})"
        );
    }
}
