//! The sound engine: one thread owns the output device (rodio's device sink is
//! not `Send`); the rest of the app talks to it over a channel.

use std::num::NonZero;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rodio::buffer::SamplesBuffer;
use rodio::source::EmptyCallback;
use rodio::{DeviceSinkBuilder, MixerDeviceSink, Player};
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
    Retry,
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
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(SoundStatus::Starting));
        let thread_status = Arc::clone(&status);
        thread::Builder::new()
            .name("letdown-audio".into())
            .spawn(move || audio_thread(rx, thread_status))
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

    /// Asks the audio thread to try the output device again.
    pub fn retry(&self) {
        let _ = self.tx.send(Msg::Retry);
    }
}

fn set_status(status: &Mutex<SoundStatus>, new: SoundStatus) {
    if let Ok(mut s) = status.lock() {
        *s = new;
    }
}

fn open_device() -> Result<MixerDeviceSink, String> {
    DeviceSinkBuilder::open_default_sink()
        .map(|mut sink| {
            sink.log_on_drop(false);
            sink
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

fn audio_thread(rx: Receiver<Msg>, status: Arc<Mutex<SoundStatus>>) {
    let mut device = None;
    let try_open = |device: &mut Option<MixerDeviceSink>| match open_device() {
        Ok(sink) => {
            *device = Some(sink);
            set_status(&status, SoundStatus::Ready);
        }
        Err(reason) => set_status(&status, SoundStatus::Unavailable { reason }),
    };
    try_open(&mut device);
    // Players still sounding; kept so dropping them does not cut the sound.
    let mut playing: Vec<Player> = Vec::new();
    while let Ok(msg) = rx.recv() {
        playing.retain(|p| !p.empty());
        match msg {
            Msg::Retry => {
                if device.is_none() {
                    try_open(&mut device);
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
                playing.push(player);
            }
        }
    }
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
