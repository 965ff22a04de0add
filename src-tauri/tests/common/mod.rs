//! Helpers shared by the integration tests: polling with a deadline,
//! invoking commands on the mock runtime, and recording what the harness's
//! sound server actually played.
#![allow(dead_code)] // each test binary uses its own share of these helpers

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use letdown::audio::{Audio, SoundStatus};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// Calls `probe` every 20 ms until it returns `Some`, or gives up after `timeout`.
pub fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Invokes `cmd` as the main window's page would, on another thread, and
/// gives up after 20 s: a hung command fails the test instead of hanging it.
pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let window = window.clone();
    std::thread::spawn(move || {
        let answer =
            get_ipc_response(&window, request).map(|body| body.deserialize::<Value>().unwrap());
        let _ = tx.send(answer);
    });
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("`{cmd}` did not answer within 20 s"))
}

/// The app on Tauri's mock runtime, its state started, and its main window.
/// The diary is opened in `$XDG_DATA_HOME`, which the test sets first.
pub fn mock_app() -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = letdown::build_app(tauri::test::mock_builder())
        .build(letdown::context())
        .expect("the app builds on the mock runtime");
    letdown::start_state(app.handle());
    let main = tauri::WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
        .build()
        .unwrap();
    (app, main)
}

const RATE: usize = 44_100;

/// Only one test at a time may listen to the sink, or they hear each other.
static SINK: Mutex<()> = Mutex::new(());

/// A recording of the harness sink's monitor, started before the sound plays.
pub struct Recording {
    child: Child,
    file: PathBuf,
    _dir: tempfile::TempDir,
    _sink: MutexGuard<'static, ()>,
}

fn recording_streams() -> usize {
    Command::new("pactl")
        .args(["list", "short", "source-outputs"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
        .unwrap_or(0)
}

impl Recording {
    pub fn start() -> Recording {
        let sink_lock = SINK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let sink = std::env::var("LETDOWN_TEST_SINK")
            .expect("LETDOWN_TEST_SINK is set by tests/harness/env.sh: run scripts/run-tests.sh");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("heard.f32");
        let before = recording_streams();
        let child = Command::new("parec")
            .args(["-d", &format!("{sink}.monitor")])
            .args([
                "--format=float32le",
                "--rate=44100",
                "--channels=1",
                "--latency-msec=10",
            ])
            .stdout(std::fs::File::create(&file).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("parec (pulseaudio-utils) is installed");
        // Wait until the server lists the recording stream, so nothing is missed.
        poll(Duration::from_secs(5), || {
            (recording_streams() > before).then_some(())
        })
        .expect("parec connected to the sound server");
        Recording {
            child,
            file,
            _dir: dir,
            _sink: sink_lock,
        }
    }

    /// Seconds recorded so far.
    pub fn seconds_so_far(&self) -> f32 {
        let bytes = std::fs::metadata(&self.file).map(|m| m.len()).unwrap_or(0);
        bytes as f32 / 4.0 / RATE as f32
    }

    /// Stops recording and returns the samples heard.
    pub fn stop(mut self) -> Heard {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap();
        let bytes = std::fs::read(&self.file).unwrap();
        Heard(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }
}

/// Mono samples at 44.1 kHz, as recorded.
pub struct Heard(pub Vec<f32>);

impl Heard {
    pub fn peak(&self) -> f32 {
        self.0.iter().fold(0.0, |m, s| m.max(s.abs()))
    }

    /// RMS over the part that was not silent.
    pub fn rms(&self) -> f32 {
        let loud: Vec<f32> = self.0.iter().copied().filter(|s| s.abs() > 1e-4).collect();
        if loud.is_empty() {
            return 0.0;
        }
        (loud.iter().map(|s| s * s).sum::<f32>() / loud.len() as f32).sqrt()
    }

    /// Seconds of 10 ms windows whose peak is above `threshold`.
    pub fn seconds_above(&self, threshold: f32) -> f32 {
        let window = RATE / 100;
        let loud = self
            .0
            .chunks(window)
            .filter(|w| w.iter().any(|s| s.abs() > threshold))
            .count();
        loud as f32 / 100.0
    }

    /// When each burst of sound begins (seconds from the start of the
    /// recording): 20 ms windows louder than `loud` after at least `gap`
    /// seconds of windows quieter than `quiet`.
    pub fn onsets(&self, quiet: f32, loud: f32, gap: f32) -> Vec<f32> {
        let window = RATE / 50;
        let mut quiet_for = 0.0;
        let mut onsets = Vec::new();
        for (i, w) in self.0.chunks(window).enumerate() {
            let rms = (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt();
            if rms < quiet {
                quiet_for += 0.02;
            } else if rms > loud {
                if quiet_for >= gap {
                    onsets.push(i as f32 * 0.02);
                }
                quiet_for = 0.0;
            }
        }
        onsets
    }

    pub fn seconds(&self) -> f32 {
        self.0.len() as f32 / RATE as f32
    }
}

/// Runs `f` with this process's audio pointed at no device at all: an empty
/// ALSA configuration (so no card is found) and a sound server that does not
/// exist. Only call it from a test binary of its own, before any audio starts.
pub fn without_sound_server<T>(f: impl FnOnce() -> T) -> T {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("asound.conf");
    std::fs::write(&empty, "").unwrap();
    std::env::set_var("ALSA_CONFIG_PATH", &empty);
    std::env::set_var("PULSE_SERVER", dir.path().join("no-such-server"));
    let out = f();
    std::mem::forget(dir); // the audio thread may read the config later
    out
}

/// Waits until the audio thread has tried the device, and says how it went.
pub fn wait_until_opened(audio: &Audio) -> SoundStatus {
    poll(Duration::from_secs(10), || match audio.status() {
        SoundStatus::Starting => None,
        other => Some(other),
    })
    .expect("the audio thread reports whether the device opened")
}

/// A media folder whose imports are decoded by the app's own binary started
/// as the probe, as in the app (the test binary itself serves no probes).
pub fn media_dir(root: PathBuf) -> letdown::media::MediaDir {
    letdown::media::MediaDir::new(root).with_probe(probe())
}

pub fn probe() -> letdown::probe::Probe {
    letdown::probe::Probe::program(PathBuf::from(env!("CARGO_BIN_EXE_letdown")))
}

/// Media files made by tests/fixtures/make-media.sh in a temporary folder.
pub struct Fixtures {
    pub dir: tempfile::TempDir,
}

impl Fixtures {
    pub fn make() -> Fixtures {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/make-media.sh");
        let status = Command::new("bash")
            .arg(script)
            .arg(dir.path())
            .status()
            .expect("bash runs the fixture script");
        assert!(
            status.success(),
            "fixtures need ImageMagick: run scripts/run-tests.sh"
        );
        Fixtures { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// landscape.jpg with an EXIF block saying "rotate 90° clockwise to show"
    /// (orientation 6), as a phone held upright writes it.
    pub fn sideways(&self) -> PathBuf {
        let jpeg = std::fs::read(self.path("landscape.jpg")).unwrap();
        let path = self.path("sideways.jpg");
        std::fs::write(&path, with_orientation(&jpeg, 6)).unwrap();
        path
    }
}

/// A JPEG with an EXIF block carrying the given orientation tag (1–8).
pub fn with_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    exif.extend(b"\x01\x12\0\x03\0\0\0\x01\0");
    exif.extend([orientation, 0, 0]);
    exif.extend([0, 0, 0, 0]); // no next IFD
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend([0xFF, 0xE1]);
    out.extend(((exif.len() + 2) as u16).to_be_bytes());
    out.extend(exif);
    out.extend(&jpeg[2..]);
    out
}

/// Records one fault or bad input a test tried, with what the parent sees and
/// what was kept, for the fault table (scripts/fault-table.mjs → docs/FAULTS.md).
pub fn record_fault(fault: &str, tries: u64, sees: &str, kept: &str) {
    use std::io::Write;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/faults");
    std::fs::create_dir_all(&dir).unwrap();
    let line = serde_json::json!({ "fault": fault, "tries": tries, "sees": sees, "kept": kept });
    // One write of the whole line (tests run on parallel threads; an
    // appending write of a short line is not interleaved with another).
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("rust.jsonl"))
        .unwrap();
    file.write_all(format!("{line}\n").as_bytes()).unwrap();
}
