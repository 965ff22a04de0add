//! The sound device going away mid-session (headphones unplugged, the sound
//! server restarted): the app is told, says sound is unavailable, keeps
//! working, and a retry brings the loop back. The test runs its own private
//! PulseAudio (not the harness's, which other tests are using) and kills it
//! while the loop plays. Its own test binary, because it points
//! `PULSE_SERVER` at that server for the whole process.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use letdown::audio::{Audio, SoundStatus};

struct Server {
    child: Child,
    socket: PathBuf,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let socket = dir.join("pulse.sock");
        let run = dir.join("run");
        std::fs::create_dir_all(&run).unwrap();
        let child = Command::new("pulseaudio")
            .args(["-n", "--daemonize=no", "--exit-idle-time=-1"])
            .arg("-L")
            .arg(format!(
                "module-native-protocol-unix auth-anonymous=1 socket={}",
                socket.display()
            ))
            .args(["-L", "module-null-sink sink_name=going_away"])
            .env("PULSE_RUNTIME_PATH", &run)
            .env("PULSE_STATE_PATH", dir.join("state"))
            // Not on the harness's session bus, where the harness's own
            // server already holds PulseAudio's name.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
            .env_remove("DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio is installed (scripts/run-tests.sh installs it)");
        let server = Server { child, socket };
        common::poll(Duration::from_secs(10), || {
            server.pactl(&["info"]).map(|_| ())
        })
        .expect("the private sound server started");
        server
    }

    fn pactl(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("pactl")
            .arg("-s")
            .arg(format!("unix:{}", self.socket.display()))
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// How many streams are playing into the server.
    fn playing(&self) -> usize {
        self.pactl(&["list", "short", "sink-inputs"])
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs PulseAudio: run scripts/run-tests.sh"]
fn losing_the_device_mid_play_is_reported_and_a_retry_brings_the_loop_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // SAFETY: set before the audio thread (or any other thread of this test
    // binary, which has only this test) reads the environment.
    unsafe { std::env::set_var("PULSE_SERVER", format!("unix:{}", server.socket.display())) };

    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_audio = Arc::clone(&seen);
    let audio = Audio::start_with(move |s| seen_by_audio.lock().unwrap().push(s.clone()));
    assert_eq!(common::wait_until_opened(&audio), SoundStatus::Ready);
    audio.play();
    common::poll(Duration::from_secs(10), || {
        (server.playing() > 0).then_some(())
    })
    .expect("the loop plays into the server");

    server.kill();
    let reason = common::poll(Duration::from_secs(15), || match audio.status() {
        SoundStatus::Unavailable { reason } => Some(reason),
        _ => None,
    })
    .expect("losing the device is noticed");
    assert!(reason.contains("stopped working"), "{reason}");
    assert!(
        matches!(
            seen.lock().unwrap().last(),
            Some(SoundStatus::Unavailable { .. })
        ),
        "the app was told (it shows the retry button from this)"
    );
    // Still working without a device: nothing panics, nothing blocks.
    audio.chime();
    audio.set_volume(40);
    audio.pause();

    let server = Server::start(dir.path());
    audio.play();
    assert_eq!(audio.retry(Duration::from_secs(10)), SoundStatus::Ready);
    common::poll(Duration::from_secs(10), || {
        (server.playing() > 0).then_some(())
    })
    .expect("after the retry the loop the session wants plays again");
    server.kill();
}
