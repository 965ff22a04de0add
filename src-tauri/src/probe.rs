//! The wall between Letdown and the files a parent picks.
//!
//! Every photo and recording is decoded in a child process — Letdown's own
//! binary started with [`FLAG`] — under a memory cap and a time limit, and
//! only its answer, one line of JSON, comes back. Whatever a decoder does
//! with a damaged file (panic, abort, an allocation of 34 GB, a loop without
//! end) ends that child, never the app: the release build aborts on a panic,
//! so catching one in the app's own process would guard nothing.
//!
//! The boundary: `MediaDir::import_photo` and `MediaDir::import_clip` run the
//! child; `media::decode_photo` and `clip::decode_to_wav` run only inside it.
//! The app then shows the JPEG copies and plays the WAV copy the child wrote.
//!
//! Any binary that imports media calls [`serve_if_asked`] first thing in
//! `main` (the app does; so do the examples).

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clip::Clip;
use crate::error::{Error, Result};
use crate::media::{MediaDir, Photo};

/// The first argument that makes Letdown's binary a probe instead of the app.
pub const FLAG: &str = "--letdown-probe";

/// The most memory the probe may hold at once: a photo at the largest size
/// `media` accepts, decoded, scaled and turned, fits with room to spare.
pub const MEMORY_CAP: usize = 1536 << 20;

/// The most a photo's decoding may take; a 12 MP HEIC takes well under a second.
pub const PHOTO_TIME: Duration = Duration::from_secs(30);

/// The most a recording's decoding may take: a base, and a second per MB
/// (far slower than any decoder runs on a real file).
pub fn clip_time(bytes: u64) -> Duration {
    Duration::from_secs(30 + bytes / (1024 * 1024))
}

/// The app's allocator: uncapped in the app, capped once a process turns probe.
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// What the probe answers. The messages in `Refused` are Letdown's own,
/// written by `media` and `clip`; a decoder's words never reach the parent.
#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    Photo(Photo),
    Clip(Clip),
    Refused(Refusal),
}

#[derive(Debug, Serialize, Deserialize)]
enum Refusal {
    File(String),
    Image(String),
    Clip(String),
    Write(String),
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        match e {
            Error::BadFile(m) => Refusal::File(m),
            Error::BadImage(m) => Refusal::Image(m),
            Error::BadClip(m) => Refusal::Clip(m),
            Error::MediaWrite(m) => Refusal::Write(m),
            other => Refusal::Write(other.to_string()),
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        match r {
            Refusal::File(m) => Error::BadFile(m),
            Refusal::Image(m) => Error::BadImage(m),
            Refusal::Clip(m) => Error::BadClip(m),
            Refusal::Write(m) => Error::MediaWrite(m),
        }
    }
}

/// How a probe ended without an answer.
#[derive(Debug, PartialEq)]
pub enum Ended {
    /// It crashed, aborted, ran out of memory or answered nonsense.
    Crashed,
    /// It ran past its time and was stopped.
    TimedOut,
    /// It could not be started at all (the reason is the system's).
    NotStarted(String),
}

/// Which program to start as the probe: Letdown's own binary.
#[derive(Debug, Clone)]
pub struct Probe {
    program: PathBuf,
    patience: Option<Duration>,
}

impl Probe {
    /// The running binary, which calls [`serve_if_asked`] in its `main`.
    pub fn current() -> Probe {
        let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("letdown"));
        Probe::program(program)
    }

    /// Another binary that serves probes (integration tests pass the app's).
    pub fn program(program: PathBuf) -> Probe {
        Probe {
            program,
            patience: None,
        }
    }

    /// One time limit for every job instead of the usual ones (tests of a probe that hangs).
    pub fn with_patience(mut self, limit: Duration) -> Probe {
        self.patience = Some(limit);
        self
    }

    fn run(&self, args: &[OsString], limit: Duration) -> std::result::Result<Answer, Ended> {
        let limit = self.patience.unwrap_or(limit);
        let mut child = Command::new(&self.program)
            .arg(FLAG)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Ended::NotStarted(e.to_string()))?;
        let stdout = child.stdout.take();
        let (tx, rx) = std::sync::mpsc::channel();
        // The answer is read on a thread so that waiting for it can time out.
        std::thread::spawn(move || {
            let mut answer = Vec::new();
            if let Some(out) = stdout {
                let _ = out.take(1 << 20).read_to_end(&mut answer);
            }
            let _ = tx.send(answer);
        });
        let answer = match rx.recv_timeout(limit) {
            Ok(answer) => answer,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Ended::TimedOut);
            }
        };
        match child.wait() {
            Ok(status) if status.success() => {
                serde_json::from_slice(&answer).map_err(|_| Ended::Crashed)
            }
            _ => Err(Ended::Crashed),
        }
    }

    /// Decodes a photo in the probe, which writes its copies into `media`.
    /// The outer error is the probe's end; the inner one its refusal.
    pub(crate) fn photo(
        &self,
        media: &MediaDir,
        source: &Path,
        id: &str,
    ) -> std::result::Result<Result<Photo>, Ended> {
        match self.run(&job("photo", media, source, id), PHOTO_TIME)? {
            Answer::Photo(photo) => Ok(Ok(photo)),
            Answer::Refused(r) => Ok(Err(r.into())),
            Answer::Clip(_) => Err(Ended::Crashed),
        }
    }

    /// Decodes a recording in the probe, which writes its WAV playback copy
    /// as `clips/<id>.part.wav` in `media`.
    pub(crate) fn clip(
        &self,
        media: &MediaDir,
        source: &Path,
        id: &str,
        bytes: u64,
    ) -> std::result::Result<Result<Clip>, Ended> {
        match self.run(&job("clip", media, source, id), clip_time(bytes))? {
            Answer::Clip(clip) => Ok(Ok(clip)),
            Answer::Refused(r) => Ok(Err(r.into())),
            Answer::Photo(_) => Err(Ended::Crashed),
        }
    }
}

fn job(kind: &str, media: &MediaDir, source: &Path, id: &str) -> [OsString; 4] {
    [kind.into(), source.into(), media.root().into(), id.into()]
}

/// Turns this process into a probe when it was started as one: does the job
/// its arguments name, prints the answer and exits. Returns otherwise.
pub fn serve_if_asked() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|first| first != FLAG) {
        return;
    }
    // Fails only if more than the cap is already in use, which it never is here.
    let _ = ALLOCATOR.set_limit(MEMORY_CAP);
    let rest: Vec<OsString> = args.collect();
    let answer = match &rest[..] {
        [kind, source, root, id] => {
            let (source, media) = (Path::new(source), MediaDir::new(PathBuf::from(root)));
            let id = id.to_string_lossy();
            test_faults(source);
            match kind.to_str() {
                Some("photo") => media
                    .decode_photo_here(source, &id)
                    .map_or_else(|e| Answer::Refused(e.into()), Answer::Photo),
                Some("clip") => media
                    .decode_clip_here(source, &id)
                    .map_or_else(|e| Answer::Refused(e.into()), Answer::Clip),
                _ => std::process::exit(2),
            }
        }
        _ => std::process::exit(2),
    };
    let json = serde_json::to_string(&answer).unwrap_or_default();
    println!("{json}");
    std::process::exit(0);
}

/// The tests' own damaged files: one that makes the probe panic, abort, ask
/// for far too much memory, or never finish. Nothing else starts this way.
fn test_faults(source: &Path) {
    let mut head = [0u8; 32];
    let n = std::fs::File::open(source)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let Some(fault) = head[..n].strip_prefix(b"LETDOWN-PROBE-FAULT ") else {
        return;
    };
    if fault.starts_with(b"panic") {
        panic!("a test file asked the probe to panic");
    } else if fault.starts_with(b"abort") {
        std::process::abort();
    } else if fault.starts_with(b"alloc") {
        let huge: Vec<u8> = Vec::with_capacity(1 << (usize::BITS - 30));
        std::hint::black_box(huge);
    } else if fault.starts_with(b"hang") {
        loop {
            std::thread::park();
        }
    }
}
