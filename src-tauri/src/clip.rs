//! The baby's recording. What the parent picks is decoded once, inside the
//! probe process (probe.rs), into a WAV playback copy in the media folder,
//! `clips/<id>.play.wav`; the app plays only such a copy, written by Letdown
//! itself, so playing in a loop costs almost no decoding. Recordings that
//! earlier versions kept as the parent's own file get a playback copy the
//! first time they are to be played (`MediaDir::convert_clip`). No Tauri here.
//!
//! The boundary (probe.rs): `import_clip` and `convert_clip` run in the app
//! and only check, stage and ask; `decode_clip_here` and `decode_to_wav`
//! (symphonia, libopus) run only in the probe process.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use symphonia::core::audio::{Channels, SampleBuffer};
use symphonia::core::codecs::{self, CodecType, DecoderOptions};
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::error::{Error, Result};
use crate::media::{check_file, display_name, probe_failed, valid_id, MediaDir};

/// Recordings (and videos) larger than this on disk are refused before they are read.
pub const MAX_CLIP_BYTES: u64 = 300 * 1024 * 1024;
/// The longest recording accepted: far more than any break.
pub const MAX_CLIP_MS: u64 = 90 * 60_000;
/// The shortest: less than this is a damaged file, not a recording.
pub const MIN_CLIP_MS: u64 = 300;
/// Endings the file picker offers and a dropped file is taken as a recording
/// by; what the file holds is then found from its content.
pub const EXTENSIONS: [&str; 15] = [
    "m4a", "mp4", "aac", "mp3", "wav", "ogg", "oga", "opus", "flac", "webm", "weba", "mov", "m4v",
    "3gp", "caf",
];
/// The ending of the playback copies, the only recordings Letdown plays.
pub const PLAYBACK_EXTENSION: &str = "play.wav";
/// Endings of the copies earlier versions kept: the parent's file itself,
/// never played as it is, only converted.
const OLD_EXTENSIONS: [&str; 7] = ["m4a", "mp4", "aac", "mp3", "wav", "ogg", "flac"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    pub id: String,
    pub extension: String,
    pub duration_ms: u64,
    pub sample_rate: u32,
    pub channels: u16,
    pub original_name: String,
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// What a recording is, found from its content (the container and the codec
/// in it); its name in messages.
fn kind_name(codec: CodecType, ext: &str) -> &'static str {
    let video = matches!(ext, "mp4" | "mov" | "m4v" | "3gp" | "webm" | "mkv");
    match codec {
        codecs::CODEC_TYPE_OPUS if video => "a video",
        codecs::CODEC_TYPE_OPUS => "an Opus voice note",
        codecs::CODEC_TYPE_AAC if video => "a video",
        codecs::CODEC_TYPE_AAC => "an AAC recording",
        codecs::CODEC_TYPE_ALAC => "an Apple Lossless recording",
        codecs::CODEC_TYPE_MP3 => "an MP3",
        codecs::CODEC_TYPE_VORBIS => "an Ogg recording",
        codecs::CODEC_TYPE_FLAC => "a FLAC recording",
        _ if video => "a video",
        _ => "a recording",
    }
}

impl MediaDir {
    /// Where a recording's copy is: its playback copy, or an older import's
    /// original copy. None for anything that is not ours.
    pub fn clip_path(&self, id: &str, extension: &str) -> Option<PathBuf> {
        (valid_id(id) && (extension == PLAYBACK_EXTENSION || OLD_EXTENSIONS.contains(&extension)))
            .then(|| self.root().join("clips").join(format!("{id}.{extension}")))
    }

    fn part_path(&self, id: &str) -> Option<PathBuf> {
        valid_id(id).then(|| self.root().join("clips").join(format!("{id}.part.wav")))
    }

    /// Imports a recording: the probe decodes it in full into the playback
    /// copy, which is put in place only then. On any failure nothing is left
    /// behind and the current recording stays.
    pub fn import_clip(&self, source: &Path, id: &str) -> Result<Clip> {
        let name = display_name(source);
        let meta = check_file(source, MAX_CLIP_BYTES, &name, "recording")?;
        let (Some(part), Some(final_path)) =
            (self.part_path(id), self.clip_path(id, PLAYBACK_EXTENSION))
        else {
            return Err(Error::Invalid("That recording name is not valid.".into()));
        };
        let staged = self.stage(source, id, &name)?;
        let result = match self.probe().clip(self, &staged.0, id, &name, meta.len()) {
            Ok(answer) => answer,
            Err(ended) => Err(probe_failed(ended, &name, Error::BadClip, "play")),
        }
        .and_then(|clip| {
            std::fs::rename(&part, &final_path)
                .map_err(|e| Error::MediaWrite(e.to_string()))
                .map(|_| clip)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&part);
        }
        result
    }

    /// Makes the playback copy of a recording an earlier version kept as the
    /// parent's file. If the copy is there already (a diary restored from a
    /// backup made before it was), it is used as it is.
    pub fn convert_clip(&self, old: &Clip) -> Result<Clip> {
        let (Some(source), Some(copy)) = (
            self.clip_path(&old.id, &old.extension),
            self.clip_path(&old.id, PLAYBACK_EXTENSION),
        ) else {
            return Err(Error::NotFound("That recording"));
        };
        let clip = match hound::WavReader::open(&copy) {
            Ok(made) => {
                let spec = made.spec();
                Clip {
                    extension: PLAYBACK_EXTENSION.into(),
                    duration_ms: u64::from(made.duration()) * 1000
                        / u64::from(spec.sample_rate.max(1)),
                    sample_rate: spec.sample_rate,
                    channels: spec.channels,
                    ..old.clone()
                }
            }
            Err(_) if !source.exists() => return Err(Error::NotFound("That recording")),
            Err(_) => self.import_clip(&source, &old.id)?,
        };
        Ok(Clip {
            original_name: old.original_name.clone(),
            ..clip
        })
    }

    /// Deletes the parent's file an earlier version kept, once its playback
    /// copy is recorded in the diary.
    pub fn remove_old_clip(&self, old: &Clip) {
        if old.extension != PLAYBACK_EXTENSION {
            if let Some(path) = self.clip_path(&old.id, &old.extension) {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Deletes what an import stopped half-way (the app was closed or
    /// killed) left behind: staged copies and unfinished playback copies.
    pub fn sweep(&self) {
        let _ = std::fs::remove_dir_all(self.root().join("staging"));
        let parts = std::fs::read_dir(self.root().join("clips"));
        for entry in parts.into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().ends_with(".part.wav") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Inside the probe: decodes the recording into `clips/<id>.part.wav`.
    pub(crate) fn decode_clip_here(&self, source: &Path, id: &str, name: &str) -> Result<Clip> {
        let name = name.to_string();
        check_file(source, MAX_CLIP_BYTES, &name, "recording")?;
        let part = self
            .part_path(id)
            .ok_or_else(|| Error::Invalid("That recording name is not valid.".into()))?;
        std::fs::create_dir_all(self.root().join("clips"))
            .map_err(|e| Error::MediaWrite(e.to_string()))?;
        let decoded = decode_to_wav(source, &part, &name);
        if decoded.is_err() {
            let _ = std::fs::remove_file(&part);
        }
        let (duration_ms, sample_rate, channels) = decoded?;
        Ok(Clip {
            id: id.to_string(),
            extension: PLAYBACK_EXTENSION.to_string(),
            duration_ms,
            sample_rate,
            channels,
            original_name: name,
        })
    }
}

/// The container a file starts like, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Container {
    /// MP4, MOV, M4A, 3GP (an `ftyp` box).
    IsoMp4,
    Ogg,
    Wav,
    Flac,
    Caf,
    WebM,
    /// MP3 or ADTS AAC: frames only, their length estimated from the bit rate.
    Frames,
}

fn container(source: &Path) -> Option<Container> {
    let mut head = [0u8; 12];
    let n = File::open(source)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..n];
    let starts = |magic: &[u8]| head.starts_with(magic);
    Some(match () {
        _ if head.get(4..8) == Some(b"ftyp") => Container::IsoMp4,
        _ if starts(b"OggS") => Container::Ogg,
        _ if starts(b"RIFF") => Container::Wav,
        _ if starts(b"fLaC") => Container::Flac,
        _ if starts(b"caff") => Container::Caf,
        _ if starts(b"\x1a\x45\xdf\xa3") => Container::WebM,
        _ if starts(b"ID3") || (n > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) => {
            Container::Frames
        }
        _ => return None,
    })
}

/// The track to play: the first with sound Letdown can decode (a video's
/// picture track, and sound in codecs symphonia does not know, have none).
fn sound_track(format: &dyn FormatReader) -> Option<&symphonia::core::formats::Track> {
    format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != codecs::CODEC_TYPE_NULL)
}

/// Either decoder: symphonia's own, or libopus for Opus (symphonia 0.5 has none).
enum Decoder {
    Symphonia {
        decoder: Box<dyn codecs::Decoder>,
        buffer: Option<SampleBuffer<i16>>,
    },
    Opus {
        decoder: opus::Decoder,
        channels: usize,
        skip: usize,
    },
}

/// What one packet gave.
enum Decoded {
    /// Interleaved samples in `pcm`, at (rate, speakers).
    Sound(u32, Channels),
    /// A damaged packet, skipped as players do.
    Damaged,
    /// Sound the decoder cannot handle.
    Unsupported,
    /// The end of what can be read.
    End,
}

impl Decoder {
    fn new(
        params: &codecs::CodecParameters,
        container: Option<Container>,
    ) -> std::result::Result<Decoder, usize> {
        if params.codec != codecs::CODEC_TYPE_OPUS {
            let made = symphonia::default::get_codecs().make(params, &DecoderOptions::default());
            return made
                .map(|decoder| Decoder::Symphonia {
                    decoder,
                    buffer: None,
                })
                .map_err(|_| 0);
        }
        // The Opus header: WebM gives the channels and the lead-in only there;
        // MP4's (from its dOps box) is big-endian, Ogg's and WebM's little.
        let head = params.extra_data.as_deref().unwrap_or_default();
        let from_head = |at: usize| {
            head.starts_with(b"OpusHead")
                .then(|| head.get(at))
                .flatten()
        };
        let channels = params
            .channels
            .map(|c| c.count())
            .or_else(|| from_head(9).map(|&c| usize::from(c)))
            .unwrap_or(0);
        let pre_skip = from_head(10).zip(from_head(11)).map(|(&a, &b)| {
            u32::from(if container == Some(Container::IsoMp4) {
                u16::from_be_bytes([a, b])
            } else {
                u16::from_le_bytes([a, b])
            })
        });
        let layout = match channels {
            1 => opus::Channels::Mono,
            2 => opus::Channels::Stereo,
            _ => return Err(channels),
        };
        Ok(Decoder::Opus {
            decoder: opus::Decoder::new(48_000, layout).map_err(|_| channels)?,
            channels,
            // The encoder's lead-in ("pre-skip"), not part of the recording.
            skip: params.delay.or(pre_skip).unwrap_or(0) as usize,
        })
    }

    fn decode(&mut self, packet: &symphonia::core::formats::Packet, pcm: &mut Vec<i16>) -> Decoded {
        match self {
            Decoder::Opus {
                decoder,
                channels,
                skip,
            } => {
                // 120 ms at 48 kHz: the longest an Opus packet can hold.
                pcm.resize(5760 * *channels, 0);
                let Ok(n) = decoder.decode(&packet.data, pcm, false) else {
                    return Decoded::Damaged;
                };
                let lead = (*skip).min(n);
                *skip -= lead;
                pcm.truncate(n * *channels);
                pcm.drain(..lead * *channels);
                Decoded::Sound(
                    48_000,
                    if *channels == 1 {
                        Channels::FRONT_LEFT
                    } else {
                        Channels::FRONT_LEFT | Channels::FRONT_RIGHT
                    },
                )
            }
            Decoder::Symphonia { decoder, buffer } => match decoder.decode(packet) {
                Ok(audio) => {
                    let spec = *audio.spec();
                    let needed = audio.capacity() * spec.channels.count();
                    if buffer.as_ref().is_none_or(|b| b.capacity() < needed) {
                        *buffer = Some(SampleBuffer::new(audio.capacity() as u64, spec));
                    }
                    let Some(buf) = buffer.as_mut() else {
                        return Decoded::Damaged;
                    };
                    buf.copy_interleaved_ref(audio);
                    pcm.clear();
                    pcm.extend_from_slice(buf.samples());
                    Decoded::Sound(spec.rate, spec.channels)
                }
                // symphonia's MP3 and AAC decoders give an IO error for one bad packet.
                Err(DecodeError::DecodeError(_) | DecodeError::IoError(_)) => Decoded::Damaged,
                Err(DecodeError::Unsupported(_)) => Decoded::Unsupported,
                Err(DecodeError::ResetRequired) => {
                    decoder.reset();
                    Decoded::Damaged
                }
                Err(_) => Decoded::End,
            },
        }
    }
}

/// The playback copy being written: 16-bit, mono or stereo.
struct Wav {
    writer: hound::WavWriter<std::io::BufWriter<File>>,
    rate: u32,
    channels: usize,
    frames: u64,
}

/// How much of a speaker goes to the left and to the right in a stereo mix.
fn stereo_gains(speaker: Channels) -> (f32, f32) {
    const LEFT: Channels = Channels::FRONT_LEFT;
    const RIGHT: Channels = Channels::FRONT_RIGHT;
    let lefts = Channels::REAR_LEFT | Channels::SIDE_LEFT | Channels::FRONT_LEFT_CENTRE;
    let rights = Channels::REAR_RIGHT | Channels::SIDE_RIGHT | Channels::FRONT_RIGHT_CENTRE;
    match speaker {
        LEFT => (0.5, 0.0),
        RIGHT => (0.0, 0.5),
        s if s == Channels::FRONT_CENTRE => (0.35, 0.35),
        s if s == Channels::LFE1 => (0.0, 0.0),
        s if lefts.contains(s) => (0.35, 0.0),
        s if rights.contains(s) => (0.0, 0.35),
        _ => (0.25, 0.25),
    }
}

/// Sample rates a WAV copy is written at; outside them a file is not a recording.
const RATES: std::ops::RangeInclusive<u32> = 8_000..=192_000;
/// A WAV file's sizes are 32-bit; a copy stays well under that.
const MAX_WAV_BYTES: u64 = 4_000_000_000;

impl Wav {
    fn create(out: &Path, rate: u32, channels: usize) -> Result<Wav> {
        let spec = hound::WavSpec {
            channels: channels.min(2) as u16,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer =
            hound::WavWriter::create(out, spec).map_err(|e| Error::MediaWrite(e.to_string()))?;
        Ok(Wav {
            writer,
            rate,
            channels: channels.min(2),
            frames: 0,
        })
    }

    /// Appends interleaved samples in `layout`'s channels; more than two are
    /// mixed down to stereo by where each speaker is, the centre (where
    /// voices are) into both sides.
    fn write(&mut self, pcm: &[i16], layout: Channels) -> Result<()> {
        let channels = layout.count().max(1);
        let frames = pcm.len() / channels;
        let mut out = self.writer.get_i16_writer((frames * self.channels) as u32);
        if channels <= 2 {
            pcm[..frames * channels]
                .iter()
                .for_each(|&s| out.write_sample(s));
        } else {
            let gains: Vec<(f32, f32)> = layout.iter().map(stereo_gains).collect();
            for frame in pcm.chunks_exact(channels) {
                let (mut left, mut right) = (0.0f32, 0.0f32);
                for (&sample, (l, r)) in frame.iter().zip(&gains) {
                    left += l * f32::from(sample);
                    right += r * f32::from(sample);
                }
                out.write_sample(left.clamp(-32768.0, 32767.0) as i16);
                out.write_sample(right.clamp(-32768.0, 32767.0) as i16);
            }
        }
        out.flush().map_err(|e| Error::MediaWrite(e.to_string()))?;
        self.frames += frames as u64;
        Ok(())
    }

    fn duration_ms(&self) -> u64 {
        self.frames * 1000 / u64::from(self.rate)
    }

    fn bytes(&self) -> u64 {
        self.frames * self.channels as u64 * 2
    }
}

/// Decodes a recording in full (only ever inside the probe) and writes it as
/// 16-bit WAV to `out`; returns (duration ms, sample rate, channels).
pub fn decode_to_wav(source: &Path, out: &Path, name: &str) -> Result<(u64, u32, u16)> {
    let ext = extension(source);
    let container = container(source);
    let file = File::open(source)
        .map_err(|_| Error::BadFile(format!("Letdown could not open “{name}”.")))?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(&ext);
    // The container is found from the file's content; the ending is a hint.
    let mut format = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|_| {
            Error::BadClip(match container {
                Some(_) => {
                    format!("“{name}” looks damaged or incomplete, so Letdown cannot play it.")
                }
                None => format!(
                    "“{name}” is not a recording Letdown can play. Voice memos, WhatsApp voice \
                     notes, phone videos, MP3, WAV, FLAC and Ogg files work."
                ),
            })
        })?
        .format;
    let Some(track) = sound_track(format.as_ref()) else {
        return Err(Error::BadClip(
            if kind_name(codecs::CODEC_TYPE_NULL, &ext) == "a video" {
                format!("“{name}” is a video without sound Letdown can play.")
            } else {
                format!("“{name}” has no sound in it that Letdown can play.")
            },
        ));
    };
    let (track_id, params) = (track.id, track.codec_params.clone());
    let kind = kind_name(params.codec, &ext);
    let damaged = || {
        Error::BadClip(format!(
            "“{name}” looks like {kind} but it is damaged, so Letdown cannot play it."
        ))
    };
    let cannot_play = || {
        Error::BadClip(format!(
            "“{name}” is {kind} whose sound is in a format Letdown cannot play."
        ))
    };
    let too_long = || {
        Error::BadClip(format!(
            "“{name}” is longer than {} minutes. Please choose a shorter recording.",
            MAX_CLIP_MS / 60_000
        ))
    };
    let mut decoder = Decoder::new(&params, container).map_err(|channels| match channels {
        0 => cannot_play(),
        n => Error::BadClip(format!(
            "“{name}” is {kind} with {n} sound channels; Letdown plays one or two."
        )),
    })?;

    let mut wav: Option<Wav> = None;
    let (mut good, mut bad, mut unsupported) = (0u32, 0u32, 0u32);
    let mut pcm: Vec<i16> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            // The end of the file, or of what is left of a cut-off one.
            Err(DecodeError::IoError(_)) | Err(DecodeError::ResetRequired) => break,
            Err(_) if good > 0 => break,
            Err(_) => return Err(damaged()),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let (rate, layout) = match decoder.decode(&packet, &mut pcm) {
            Decoded::Sound(rate, layout) => (rate, layout),
            Decoded::Damaged => {
                bad += 1;
                continue;
            }
            // On a damaged file too: garbage can look like a feature the decoder lacks.
            Decoded::Unsupported => {
                bad += 1;
                unsupported += 1;
                continue;
            }
            Decoded::End => break,
        };
        good += 1;
        let channels = layout.count();
        if channels == 0 || pcm.is_empty() {
            continue;
        }
        if !RATES.contains(&rate) {
            return Err(cannot_play());
        }
        let copy = match wav.as_mut() {
            Some(copy) => copy,
            None => wav.insert(Wav::create(out, rate, channels)?),
        };
        if rate != copy.rate || channels.min(2) != copy.channels {
            return Err(damaged());
        }
        copy.write(&pcm, layout)?;
        if copy.duration_ms() > MAX_CLIP_MS || copy.bytes() > MAX_WAV_BYTES {
            return Err(too_long());
        }
    }
    let Some(copy) = wav else {
        return Err(if unsupported > 0 && good == 0 {
            cannot_play()
        } else {
            damaged()
        });
    };
    let (duration_ms, rate, channels) = (copy.duration_ms(), copy.rate, copy.channels as u16);
    copy.writer
        .finalize()
        .map_err(|e| Error::MediaWrite(e.to_string()))?;
    // A damaged packet or two is skipped, as players do; more is a damaged
    // file, which could play as noise. So is one that ends well before the
    // length its container states, where that length is exact (not for MP3
    // or ADTS, whose length is estimated from the bit rate).
    let stated_ms = params
        .n_frames
        .zip(params.time_base)
        .filter(|_| container != Some(Container::Frames))
        .map(|(n, base)| {
            let t = base.calc_time(n);
            t.seconds.saturating_mul(1000) + (t.frac * 1000.0) as u64
        });
    if bad.saturating_mul(20) > good
        || duration_ms < MIN_CLIP_MS
        || stated_ms.is_some_and(|stated| duration_ms.saturating_mul(10) < stated.saturating_mul(9))
    {
        return Err(damaged());
    }
    Ok((duration_ms, rate, channels))
}
