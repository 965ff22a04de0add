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
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::clip::Clip;
use crate::error::{Error, Result};
use crate::media::{MediaDir, Photo};

/// The first argument that makes Letdown's binary a probe instead of the app;
/// its version changes whenever the answer's shape does (an app updated while
/// running may start a newer binary, which then refuses rather than misreads).
pub const FLAG: &str = "--letdown-probe-1";

/// Set in the probe's environment: a probe never starts the app, and a
/// binary that does not serve probes exits at once instead of recursing.
pub const CHILD_ENV: &str = "LETDOWN_PROBE_CHILD";

/// Set by tests only: lets their own files make the probe crash (`test_faults`).
pub const FAULTS_ENV: &str = "LETDOWN_TEST_PROBE_FAULTS";

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
    /// The running binary, which calls [`serve_if_asked`] in its `main`. On
    /// Linux through /proc, which still reaches it after a package upgrade
    /// has replaced the file.
    pub fn current() -> Probe {
        let program = if cfg!(target_os = "linux") {
            PathBuf::from("/proc/self/exe")
        } else {
            std::env::current_exe().unwrap_or_default()
        };
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
        let deadline = Instant::now() + self.patience.unwrap_or(limit);
        let mut command = Command::new(&self.program);
        command
            .arg(FLAG)
            .args(args)
            .env(CHILD_ENV, "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        #[cfg(windows)]
        {
            use std::os::windows::process::CommandExt;
            const CREATE_NO_WINDOW: u32 = 0x0800_0000;
            command.creation_flags(CREATE_NO_WINDOW);
        }
        let mut child = command
            .spawn()
            .map_err(|e| Ended::NotStarted(e.to_string()))?;
        let stdout = child.stdout.take();
        let (tx, rx) = std::sync::mpsc::channel();
        // The answer (one line) is read on a thread so that waiting can time out.
        std::thread::spawn(move || {
            let mut answer = Vec::new();
            if let Some(out) = stdout {
                let _ = BufReader::new(out.take(1 << 20)).read_until(b'\n', &mut answer);
            }
            let _ = tx.send(answer);
        });
        let answer = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        // Then its exit, which follows its answer at once: a moment more for
        // an answer that came just in time.
        let exit_by = deadline.max(Instant::now() + Duration::from_secs(2));
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) if answer.is_ok() => break Some(status),
                Ok(None) if answer.is_ok() && Instant::now() < exit_by => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        match (answer, status) {
            (Ok(answer), Some(status)) if status.success() => {
                serde_json::from_slice(&answer).map_err(|_| Ended::Crashed)
            }
            (Ok(_), Some(_)) => Err(Ended::Crashed),
            _ => Err(Ended::TimedOut),
        }
    }

    /// Decodes a photo in the probe, which writes its copies into `media`.
    /// The outer error is the probe's end; the inner one its refusal.
    pub(crate) fn photo(
        &self,
        media: &MediaDir,
        source: &Path,
        id: &str,
        name: &str,
    ) -> std::result::Result<Result<Photo>, Ended> {
        match self.run(&job("photo", media, source, id, name), PHOTO_TIME)? {
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
        name: &str,
        bytes: u64,
    ) -> std::result::Result<Result<Clip>, Ended> {
        match self.run(&job("clip", media, source, id, name), clip_time(bytes))? {
            Answer::Clip(clip) => Ok(Ok(clip)),
            Answer::Refused(r) => Ok(Err(r.into())),
            Answer::Photo(_) => Err(Ended::Crashed),
        }
    }
}

/// The probe's arguments; `name` is the parent's name for the file, which
/// the messages use (the probe reads a staged copy).
fn job(kind: &str, media: &MediaDir, source: &Path, id: &str, name: &str) -> [OsString; 5] {
    let root = media.root().into();
    [kind.into(), source.into(), root, id.into(), name.into()]
}

/// Turns this process into a probe when it was started as one: does the job
/// its arguments name, prints the answer and exits. Returns otherwise.
pub fn serve_if_asked() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|first| first != FLAG) {
        // Started as a probe by an app of another version: no answer it could read.
        if std::env::var_os(CHILD_ENV).is_some() {
            std::process::exit(2);
        }
        return;
    }
    // Fails only if more than the cap is already in use, which it never is here.
    let _ = ALLOCATOR.set_limit(MEMORY_CAP);
    let rest: Vec<OsString> = args.collect();
    let answer = match &rest[..] {
        [kind, source, root, id, name] => {
            let (source, media) = (Path::new(source), MediaDir::new(PathBuf::from(root)));
            let (id, name) = (id.to_string_lossy(), name.to_string_lossy());
            test_faults(source);
            match kind.to_str() {
                Some("photo") => media
                    .decode_photo_here(source, &id, &name)
                    .map_or_else(|e| Answer::Refused(e.into()), Answer::Photo),
                Some("clip") => media
                    .decode_clip_here(source, &id, &name)
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
    if std::env::var_os(FAULTS_ENV).is_none() {
        return;
    }
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
        // A little over the cap, and written to: without the cap this succeeds.
        let over = vec![1u8; MEMORY_CAP + (64 << 20)];
        std::hint::black_box(over);
    } else if fault.starts_with(b"hang") {
        loop {
            std::thread::park();
        }
    }
}
