//! The sound engine: one thread owns the output device (rodio's device sink is
//! not `Send`); the rest of the app talks to it over a channel.

use std::num::NonZero;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rodio::buffer::SamplesBuffer;
use rodio::source::EmptyCallback;
use rodio::{DeviceSinkBuilder, MixerDeviceSink, Player, Source};
use serde::Serialize;

/// Whether sound can be heard right now, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SoundStatus {
    /// The audio thread is still opening the device.
    Starting,
    Ready,
    /// No output device could be opened; `reason` is the system's own words.
    Unavailable {
        reason: String,
    },
}

enum Msg {
    /// Play the soft chime; `done` is signalled once it has been played out.
    Chime { done: Option<Sender<()>> },
    /// Try to open the output device again (after "sound unavailable").
    Retry { done: Option<Sender<SoundStatus>> },
    /// The recording to loop: a file, or `None` for the built-in sound.
    Source(Option<PathBuf>),
    /// Fade the loop in (and start it if needed).
    Play,
    /// Fade the loop out, then pause it where it is.
    Pause,
    /// Fade the loop out, then forget its position.
    Stop,
    /// Volume 0–100, on a perceptual curve.
    Volume(u8),
    /// The device opened as number `device` stopped working (unplugged, or
    /// the sound server went away).
    Lost { device: u64, reason: String },
}

/// A handle to the audio thread. Cheap to clone; dropping the last handle ends the thread.
#[derive(Clone)]
pub struct Audio {
    tx: Sender<Msg>,
    status: Arc<Mutex<SoundStatus>>,
}

impl Audio {
    /// Starts the audio thread. Opening the device happens on that thread, off
    /// the start-up path; `status()` says `Starting` until it has been tried.
    pub fn start() -> Audio {
        Audio::start_with(|_| {})
    }

    /// Like `start`, calling `on_status` whenever the device opens or fails.
    pub fn start_with(on_status: impl Fn(&SoundStatus) + Send + 'static) -> Audio {
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(SoundStatus::Starting));
        let thread_status = Arc::clone(&status);
        let thread_tx = tx.clone();
        thread::Builder::new()
            .name("letdown-audio".into())
            .spawn(move || audio_thread(rx, thread_tx, thread_status, on_status))
            .map(|_| ())
            .unwrap_or_else(|e| {
                set_status(
                    &status,
                    SoundStatus::Unavailable {
                        reason: format!("could not start the sound thread: {e}"),
                    },
                )
            });
        Audio { tx, status }
    }

    pub fn status(&self) -> SoundStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or(SoundStatus::Starting)
    }

    /// Plays the end-of-step chime over whatever else is playing.
    pub fn chime(&self) {
        let _ = self.tx.send(Msg::Chime { done: None });
    }

    /// Plays the chime and blocks until it has been handed to the device in
    /// full, or `timeout` passes. Returns whether it played.
    pub fn chime_and_wait(&self, timeout: Duration) -> bool {
        let (done_tx, done_rx) = mpsc::channel();
        if self
            .tx
            .send(Msg::Chime {
                done: Some(done_tx),
            })
            .is_err()
        {
            return false;
        }
        done_rx.recv_timeout(timeout).is_ok()
    }

    /// Tries the output device again; returns how it went.
    pub fn retry(&self, timeout: Duration) -> SoundStatus {
        let (done_tx, done_rx) = mpsc::channel();
        let _ = self.tx.send(Msg::Retry {
            done: Some(done_tx),
        });
        done_rx
            .recv_timeout(timeout)
            .unwrap_or_else(|_| self.status())
    }

    /// Chooses what the loop plays: a recording, or `None` for the built-in sound.
    pub fn set_source(&self, path: Option<PathBuf>) {
        let _ = self.tx.send(Msg::Source(path));
    }

    /// Fades the loop in over about 2 s.
    pub fn play(&self) {
        let _ = self.tx.send(Msg::Play);
    }

    /// Fades the loop out over about 1.5 s and pauses it.
    pub fn pause(&self) {
        let _ = self.tx.send(Msg::Pause);
    }

    /// Fades the loop out and stops it; the next play starts from the beginning.
    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
    }

    pub fn set_volume(&self, volume: u8) {
        let _ = self.tx.send(Msg::Volume(volume.min(100)));
    }
}

pub const FADE_IN: Duration = Duration::from_millis(2_000);
pub const FADE_OUT: Duration = Duration::from_millis(1_500);
const FADE_TICK: Duration = Duration::from_millis(20);

/// Volume 0–100 to gain, on a cubic curve so equal steps sound like equal steps.
pub fn gain(volume: u8) -> f32 {
    let v = f32::from(volume.min(100)) / 100.0;
    v * v * v
}

/// What happens when a fade reaches its target.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Then {
    Nothing,
    Pause,
    Stop,
}

/// The looping recording and its fade.
struct Loop {
    player: Option<Player>,
    source: Option<PathBuf>,
    volume: u8,
    /// Fade level 0..1, moved towards `target` a tick at a time.
    level: f32,
    target: f32,
    step: f32,
    then: Then,
}

impl Loop {
    fn fading(&self) -> bool {
        self.player.is_some() && (self.level - self.target).abs() > f32::EPSILON
    }

    fn fade_to(&mut self, target: f32, over: Duration, then: Then) {
        self.target = target;
        self.then = then;
        let ticks = (over.as_secs_f32() / FADE_TICK.as_secs_f32()).max(1.0);
        self.step = 1.0 / ticks;
    }

    fn apply(&self) {
        if let Some(p) = &self.player {
            p.set_volume(self.level * gain(self.volume));
        }
    }

    /// One fade tick; at the end of a fade-out, pause or stop.
    fn tick(&mut self) {
        if self.level < self.target {
            self.level = (self.level + self.step).min(self.target);
        } else {
            self.level = (self.level - self.step).max(self.target);
        }
        self.apply();
        if !self.fading() {
            match self.then {
                Then::Pause => {
                    if let Some(p) = &self.player {
                        p.pause();
                    }
                }
                Then::Stop => self.player = None,
                Then::Nothing => {}
            }
            self.then = Then::Nothing;
        }
    }

    fn start(&mut self, sink: &MixerDeviceSink) {
        if self.player.is_none() {
            let player = Player::connect_new(sink.mixer());
            player.set_volume(0.0);
            match self.source.as_deref().map(open_looped) {
                Some(Ok(source)) => player.append(source),
                // A recording that cannot be opened now (deleted, moved)
                // falls back to the built-in sound rather than silence.
                _ => player.append(builtin_sound().repeat_infinite()),
            }
            self.level = 0.0;
            self.player = Some(player);
        }
        if let Some(p) = &self.player {
            p.play();
        }
        self.fade_to(1.0, FADE_IN, Then::Nothing);
    }
}

fn open_looped(path: &std::path::Path) -> Result<Box<dyn Source + Send>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let hint = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    rodio::decoder::DecoderBuilder::new()
        .with_data(std::io::BufReader::new(file))
        .with_byte_len(len)
        .with_seekable(true)
        .with_hint(&hint)
        .build_looped()
        .map(|d| Box::new(d) as Box<dyn Source + Send>)
        .map_err(|e| e.to_string())
}

fn set_status(status: &Mutex<SoundStatus>, new: SoundStatus) {
    if let Ok(mut s) = status.lock() {
        *s = new;
    }
}

/// Frames per wake-up of the output stream: background sound, where latency
/// does not matter and fewer wake-ups cost less and ride out a busy laptop.
/// A device that refuses it gets its own default (`open_sink_or_fallback`).
const PERIOD_FRAMES: u32 = 4096;

/// How long errors must keep coming before the device counts as gone. A
/// stream that has lost its device reports an error on every poll, without
/// end; one being set up by the sound server can report a short burst of
/// errors (EIO from the PulseAudio plugin) and then play normally.
const LOST_AFTER: Duration = Duration::from_millis(600);
/// A pause this long between errors ends a burst.
const BURST_GAP: Duration = Duration::from_millis(200);

/// Opens the default output device; if it later fails for good, `Lost` for
/// `device` arrives on `tx`.
fn open_device(tx: &Sender<Msg>, device: u64) -> Result<MixerDeviceSink, String> {
    use std::time::Instant;
    struct Burst {
        tx: Sender<Msg>,
        first: Instant,
        last: Instant,
        reported: bool,
    }
    let long_ago = Instant::now() - BURST_GAP * 2;
    let burst = Mutex::new(Burst {
        tx: tx.clone(),
        first: long_ago,
        last: long_ago,
        reported: false,
    });
    let on_error = Arc::new(move |e: rodio::cpal::Error| {
        use rodio::cpal::ErrorKind::*;
        // Glitches and reroutes the stream survives are not a lost device.
        if matches!(e.kind(), Xrun | DeviceChanged | RealtimeDenied) {
            return;
        }
        let Ok(mut burst) = burst.lock() else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(burst.last) > BURST_GAP {
            burst.first = now;
        }
        burst.last = now;
        let gone = matches!(
            e.kind(),
            DeviceNotAvailable | HostUnavailable | StreamInvalidated
        );
        if !burst.reported && (gone || now.duration_since(burst.first) >= LOST_AFTER) {
            burst.reported = true;
            let reason = describe_error(&e);
            let _ = burst.tx.send(Msg::Lost { device, reason });
        }
    });
    let open = |builder: DeviceSinkBuilder| {
        let on_error = Arc::clone(&on_error);
        builder
            .with_buffer_size(rodio::cpal::BufferSize::Fixed(PERIOD_FRAMES))
            .with_error_callback(move |e| on_error(e))
            .open_sink_or_fallback()
    };
    // As rodio's `open_default_sink`: the default device, else the first
    // other real one that opens — each with the error callback attached.
    DeviceSinkBuilder::from_default_device()
        .and_then(open)
        .or_else(|first_error| {
            use rodio::cpal::traits::{DeviceTrait, HostTrait};
            let Ok(devices) = rodio::cpal::default_host().output_devices() else {
                return Err(first_error);
            };
            devices
                .filter(|d| {
                    d.description()
                        .map(|desc| desc.driver().is_some_and(|driver| driver != "null"))
                        .unwrap_or(false)
                })
                .find_map(|d| DeviceSinkBuilder::from_device(d).and_then(open).ok())
                .ok_or(first_error)
        })
        .map_err(|e| describe_error(&e))
}

/// rodio's Display hides the cause; walk the chain so the message says why.
fn describe_error(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn audio_thread(
    rx: Receiver<Msg>,
    tx: Sender<Msg>,
    status: Arc<Mutex<SoundStatus>>,
    on_status: impl Fn(&SoundStatus),
) {
    let mut device = None;
    // Counts devices opened, so a late error from an old one is ignored.
    let mut opened = 0u64;
    let announce = |new: SoundStatus| {
        set_status(&status, new.clone());
        on_status(&new);
    };
    let mut try_open = |device: &mut Option<MixerDeviceSink>| {
        opened += 1;
        let new = match open_device(&tx, opened) {
            Ok(sink) => {
                *device = Some(sink);
                SoundStatus::Ready
            }
            Err(reason) => SoundStatus::Unavailable { reason },
        };
        announce(new);
        opened
    };
    let mut current = try_open(&mut device);
    // Chimes still sounding; kept so dropping them does not cut the sound.
    let mut chimes: Vec<Player> = Vec::new();
    let mut clip = Loop {
        player: None,
        source: None,
        volume: 60,
        level: 0.0,
        target: 0.0,
        step: 0.0,
        then: Then::Nothing,
    };
    // What the loop should be doing, remembered so a retried device resumes it.
    let mut wanted_playing = false;
    loop {
        // While fading, wake every tick; otherwise sleep until told something.
        let msg = if clip.fading() {
            match rx.recv_timeout(FADE_TICK) {
                Ok(msg) => Some(msg),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(msg) => Some(msg),
                Err(_) => break,
            }
        };
        let Some(msg) = msg else {
            clip.tick();
            continue;
        };
        chimes.retain(|p| !p.empty());
        match msg {
            Msg::Retry { done } => {
                if device.is_none() {
                    current = try_open(&mut device);
                    if let (Some(sink), true) = (device.as_ref(), wanted_playing) {
                        clip.start(sink);
                    }
                }
                if let Some(done) = done {
                    let _ = done.send(
                        status
                            .lock()
                            .map(|s| s.clone())
                            .unwrap_or(SoundStatus::Starting),
                    );
                }
            }
            Msg::Chime { done } => {
                let Some(sink) = device.as_ref() else {
                    continue;
                };
                let player = Player::connect_new(sink.mixer());
                player.append(chime());
                if let Some(done) = done {
                    player.append(EmptyCallback::new(Box::new(move || {
                        let _ = done.send(());
                    })));
                }
                chimes.push(player);
            }
            Msg::Source(path) => {
                if clip.source != path {
                    clip.source = path;
                    // Start the new recording from its beginning next time.
                    clip.player = None;
                    if let (Some(sink), true) = (device.as_ref(), wanted_playing) {
                        clip.start(sink);
                    }
                }
            }
            Msg::Play => {
                wanted_playing = true;
                if let Some(sink) = device.as_ref() {
                    clip.start(sink);
                }
            }
            Msg::Pause => {
                wanted_playing = false;
                clip.fade_to(0.0, FADE_OUT, Then::Pause);
            }
            Msg::Stop => {
                wanted_playing = false;
                clip.fade_to(0.0, FADE_OUT, Then::Stop);
            }
            Msg::Volume(v) => {
                clip.volume = v;
                clip.apply();
            }
            Msg::Lost {
                device: lost,
                reason,
            } if lost == current && device.is_some() => {
                // Everything playing went with the device; a retry starts
                // the loop again if the session still wants it.
                device = None;
                clip.player = None;
                clip.level = 0.0;
                clip.then = Then::Nothing;
                chimes.clear();
                announce(SoundStatus::Unavailable {
                    reason: format!("the sound device stopped working ({reason})"),
                });
            }
            Msg::Lost { .. } => {}
        }
    }
}

/// Letdown's own gentle sound for before a recording is chosen: soft, slowly
/// swelling "shh" noise (the sound parents make to soothe), 8 s, loopable.
pub fn builtin_samples() -> Vec<f32> {
    const RATE: usize = 22_050;
    let len = RATE * 8;
    let mut seed: u32 = 0x2545_F491;
    let mut low = 0.0_f32;
    let mut lower = 0.0_f32;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let white = (seed as f32 / u32::MAX as f32) * 2.0 - 1.0;
        // Two gentle low-pass stages take the hiss out.
        low += 0.25 * (white - low);
        lower += 0.25 * (low - lower);
        // Two slow swells in 8 s, like breathing out: loops seamlessly.
        let t = i as f32 / RATE as f32;
        let swell = 0.35 + 0.65 * (0.5 - 0.5 * (std::f32::consts::TAU * t / 4.0).cos());
        out.push(lower * swell);
    }
    let peak = out.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
    let gain = if peak > 0.0 { BUILTIN_PEAK / peak } else { 0.0 };
    out.iter_mut().for_each(|s| *s *= gain);
    out
}

/// Peak of the built-in sound before the volume setting: −12 dBFS.
pub const BUILTIN_PEAK: f32 = 0.25;

fn builtin_sound() -> SamplesBuffer {
    SamplesBuffer::new(
        NonZero::new(1).expect("one channel"),
        NonZero::new(22_050).expect("non-zero rate"),
        builtin_samples(),
    )
}

const CHIME_RATE: u32 = 44_100;
/// Peak of the chime: −20 dBFS, soft enough never to startle.
pub const CHIME_PEAK: f32 = 0.1;

/// A soft two-note chime: sines with a gentle attack and a long exponential
/// decay, synthesised here so the app ships no third-party sound.
pub fn chime_samples() -> Vec<f32> {
    let rate = CHIME_RATE as f32;
    let notes = [(659.25_f32, 0.0_f32), (987.77, 0.18)]; // E5, then B5
    let length = (rate * 1.4) as usize;
    let mut out = vec![0.0_f32; length];
    for (freq, start) in notes {
        let start = (start * rate) as usize;
        for (i, sample) in out.iter_mut().enumerate().skip(start) {
            let t = (i - start) as f32 / rate;
            let attack = (t / 0.02).min(1.0);
            let decay = (-t * 3.5).exp();
            *sample += (std::f32::consts::TAU * freq * t).sin() * attack * decay;
        }
    }
    let peak = out.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
    let gain = if peak > 0.0 { CHIME_PEAK / peak } else { 0.0 };
    out.iter_mut().for_each(|s| *s *= gain);
    out
}

fn chime() -> SamplesBuffer {
    SamplesBuffer::new(
        NonZero::new(1).expect("one channel"),
        NonZero::new(CHIME_RATE).expect("non-zero rate"),
        chime_samples(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chime_peaks_at_minus_twenty_dbfs_and_fades_to_silence() {
        let samples = chime_samples();
        let peak = samples.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
        let peak_db = 20.0 * peak.log10();
        assert!((peak_db + 20.0).abs() < 0.01, "peak was {peak_db} dBFS");
        let tail = &samples[samples.len() - 100..];
        assert!(tail.iter().all(|s| s.abs() < CHIME_PEAK * 0.02));
        // Starts softly (attack), not with a click.
        assert!(samples[0].abs() < 1e-6);
    }

    #[test]
    fn the_builtin_sound_is_soft_and_never_silent_for_long() {
        let samples = builtin_samples();
        let peak = samples.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
        assert!((peak - BUILTIN_PEAK).abs() < 1e-6);
        let windows: Vec<f32> = samples
            .chunks(2_205)
            .map(|w| (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt())
            .collect();
        assert!(
            windows.iter().all(|rms| *rms > 0.005),
            "a gentle, continuous sound"
        );
        // It swells and settles: the loudest tenth-second is clearly louder than the softest.
        let (lo, hi) = windows
            .iter()
            .fold((f32::MAX, 0.0_f32), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
        assert!(hi > 2.0 * lo, "swell {lo}..{hi}");
    }

    #[test]
    fn volume_follows_a_perceptual_curve() {
        assert_eq!(gain(0), 0.0);
        assert_eq!(gain(100), 1.0);
        assert!((gain(50) - 0.125).abs() < 1e-6);
        assert_eq!(gain(200), 1.0, "clamped");
    }

    #[test]
    fn error_description_includes_every_cause() {
        #[derive(Debug)]
        struct Inner;
        impl std::fmt::Display for Inner {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "device busy")
            }
        }
        impl std::error::Error for Inner {}
        #[derive(Debug)]
        struct Outer(Inner);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "could not open")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        assert_eq!(describe_error(&Outer(Inner)), "could not open: device busy");
    }
}
