//! The baby's recording: copied into the media folder and decoded in full once
//! before it replaces the current one. No Tauri here.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rodio::decoder::DecoderBuilder;
use rodio::{Decoder, Source};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::media::{check_file, display_name, valid_id, MediaDir};

/// Recordings larger than this on disk are refused before they are copied.
pub const MAX_CLIP_BYTES: u64 = 300 * 1024 * 1024;
/// The longest recording accepted: far more than any break.
pub const MAX_CLIP_MS: u64 = 90 * 60_000;
/// File endings Letdown plays (rodio: AAC in MP4/M4A, MP3, WAV, Ogg Vorbis, FLAC).
pub const EXTENSIONS: [&str; 7] = ["m4a", "mp4", "aac", "mp3", "wav", "ogg", "flac"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clip {
    pub id: String,
    pub extension: String,
    pub duration_ms: u64,
    pub sample_rate: u32,
    pub channels: u16,
    pub original_name: String,
}

fn kind_name(ext: &str) -> String {
    match ext {
        "m4a" | "mp4" | "aac" => format!("an .{ext} (AAC) recording"),
        "mp3" => "an MP3".into(),
        "wav" => "a WAV recording".into(),
        "ogg" => "an Ogg recording".into(),
        "flac" => "a FLAC recording".into(),
        "" => "a recording".into(),
        other => format!("a .{other} file"),
    }
}

/// Opens a recording for playback, telling the decoder what the file's ending says it is.
pub fn open_decoder(path: &Path) -> std::result::Result<Decoder<BufReader<File>>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let ext = extension(path);
    DecoderBuilder::new()
        .with_data(BufReader::new(file))
        .with_byte_len(len)
        .with_seekable(true)
        .with_hint(&ext)
        .build()
        .map_err(|e| e.to_string())
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_opus(path: &Path, ext: &str) -> bool {
    ext == "opus"
        || (ext == "ogg"
            && std::fs::read(path)
                .map(|b| b.windows(8).take(512).any(|w| w == b"OpusHead"))
                .unwrap_or(false))
}

/// Decodes a whole recording once; returns (duration ms, sample rate, channels).
/// A decoder panic (symphonia 0.5 can, on a damaged file) is caught here only
/// where panics unwind: tests and debug builds. The release build aborts on a
/// panic, so there this guards nothing; decoding behind a process wall is
/// the media issue's.
pub fn probe(path: &Path, name: &str) -> Result<(u64, u32, u16)> {
    std::panic::catch_unwind(|| probe_inner(path, name)).unwrap_or_else(|_| {
        Err(Error::BadClip(format!(
            "“{name}” looks like {} but Letdown could not play it (the file is damaged).",
            kind_name(&extension(path))
        )))
    })
}

fn probe_inner(path: &Path, name: &str) -> Result<(u64, u32, u16)> {
    let ext = extension(path);
    let cannot = |why: &str| {
        Error::BadClip(format!(
            "“{name}” looks like {} but Letdown could not play it ({why}).",
            kind_name(&ext)
        ))
    };
    if is_opus(path, &ext) {
        return Err(Error::BadClip(format!(
            "“{name}” is an Opus voice note (as WhatsApp sends them), which Letdown cannot play yet. \
             Save or share it as .m4a or .mp3 — most phones' voice recorders do that — and choose it again."
        )));
    }
    let decoder = open_decoder(path).map_err(|e| cannot(&e))?;
    let rate = decoder.sample_rate().get();
    let channels = decoder.channels().get();
    let max_samples = MAX_CLIP_MS * rate as u64 * channels as u64 / 1000;
    let mut samples: u64 = 0;
    for _ in decoder {
        samples += 1;
        if samples > max_samples {
            return Err(Error::BadClip(format!(
                "“{name}” is longer than {} minutes. Please choose a shorter recording.",
                MAX_CLIP_MS / 60_000
            )));
        }
    }
    if samples == 0 {
        return Err(cannot("it has no sound in it"));
    }
    let duration_ms = samples * 1000 / (rate as u64 * channels as u64);
    Ok((duration_ms, rate, channels))
}

impl MediaDir {
    pub fn clip_path(&self, id: &str, extension: &str) -> Option<PathBuf> {
        (valid_id(id) && EXTENSIONS.contains(&extension))
            .then(|| self.root().join("clips").join(format!("{id}.{extension}")))
    }

    /// Copies the recording in, decodes it fully, and only then puts it in
    /// place; on any failure nothing is left behind and the current clip stays.
    pub fn import_clip(&self, source: &Path, id: &str) -> Result<Clip> {
        let name = display_name(source);
        let ext = extension(source);
        check_file(source, MAX_CLIP_BYTES, &name, "recording")?;
        if ext == "opus" {
            probe(source, &name)?; // explains Opus before copying anything
        }
        let Some(final_path) = self.clip_path(id, &ext) else {
            return Err(Error::BadClip(format!(
                "“{name}” is not a kind of recording Letdown can play. \
                 Phone voice memos (.m4a), .mp3, .wav, .ogg and .flac work."
            )));
        };
        let dir = self.root().join("clips");
        std::fs::create_dir_all(&dir).map_err(|e| Error::MediaWrite(e.to_string()))?;
        // Keep the real ending so the decoder gets the right hint.
        let part = dir.join(format!("{id}.part.{ext}"));
        let result = std::fs::copy(source, &part)
            .map_err(|e| Error::MediaWrite(e.to_string()))
            .and_then(|_| probe(&part, &name))
            .and_then(|probe| {
                std::fs::rename(&part, &final_path)
                    .map_err(|e| Error::MediaWrite(e.to_string()))
                    .map(|_| probe)
            });
        match result {
            Ok((duration_ms, sample_rate, channels)) => Ok(Clip {
                id: id.to_string(),
                extension: ext,
                duration_ms,
                sample_rate,
                channels,
                original_name: name,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }
}
