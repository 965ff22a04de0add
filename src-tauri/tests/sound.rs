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
