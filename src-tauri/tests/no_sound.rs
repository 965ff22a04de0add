//! With no sound device at all the app carries on and says so. A test binary
//! of its own, because it points the whole process's audio at nothing.

mod common;

use std::time::Duration;

use letdown::audio::{Audio, SoundStatus};

#[test]
fn no_sound_server_means_unavailable_not_a_panic() {
    // Point this process's audio at a server that does not exist.
    let audio = common::without_sound_server(Audio::start);
    match common::wait_until_opened(&audio) {
        SoundStatus::Unavailable { reason } => assert!(!reason.is_empty()),
        other => panic!("expected sound to be unavailable, got {other:?}"),
    }
    // Asking for sound while unavailable is harmless.
    assert!(!audio.chime_and_wait(Duration::from_millis(300)));
}
