//! The baby's recording. What the parent picks is decoded once, inside the
//! probe process (probe.rs), into a WAV playback copy in the media folder,
//! `clips/<id>.wav`; the app plays only that copy, written by Letdown itself,
//! so playing in a loop costs almost no decoding. (Recordings imported by
//! earlier versions are the exception: see `OLD_EXTENSIONS`.) No Tauri here.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use symphonia::core::audio::SampleBuffer;
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
pub const PLAYBACK_EXTENSION: &str = "wav";
/// Endings of the copies kept of recordings imported before playback copies
/// existed: the parent's file itself, which rodio still decodes in the app's
/// own process when it plays (not yet behind the probe; see the media issue's note).
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

/// The refusal for a file whose container could not be read: damaged when
/// it starts like one of the containers Letdown reads, otherwise not a recording.
fn unreadable(source: &Path, name: &str) -> Error {
    let mut head = [0u8; 12];
    let n = File::open(source)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..n];
    let media = head.get(4..8) == Some(b"ftyp")
        || [
            &b"OggS"[..],
            b"RIFF",
            b"fLaC",
            b"ID3",
            b"\x1a\x45\xdf\xa3",
            b"caff",
        ]
        .iter()
        .any(|magic| head.starts_with(magic))
        || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0); // MP3 or ADTS frame
    Error::BadClip(if media {
        format!("“{name}” looks damaged or incomplete, so Letdown cannot play it.")
    } else {
        format!(
            "“{name}” is not a recording Letdown can play. Voice memos, WhatsApp voice \
             notes, phone videos, MP3, WAV, FLAC and Ogg files work."
        )
    })
}

impl MediaDir {
    /// Where a recording's copy is: its playback copy, or an older import's
    /// original copy. None for anything that is not ours.
    pub fn clip_path(&self, id: &str, extension: &str) -> Option<PathBuf> {
        (valid_id(id) && OLD_EXTENSIONS.contains(&extension))
            .then(|| self.root().join("clips").join(format!("{id}.{extension}")))
    }

    fn part_path(&self, id: &str) -> Option<PathBuf> {
        valid_id(id).then(|| {
            self.root()
                .join("clips")
                .join(format!("{id}.part.{PLAYBACK_EXTENSION}"))
        })
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
        let result = match self.probe().clip(self, source, id, meta.len()) {
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

    /// Inside the probe: decodes the recording into `clips/<id>.part.wav`.
    pub(crate) fn decode_clip_here(&self, source: &Path, id: &str) -> Result<Clip> {
        let name = display_name(source);
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

/// The track to play: the first with sound in it (a video's picture track
/// has no audio codec).
fn sound_track(format: &dyn FormatReader) -> Option<&symphonia::core::formats::Track> {
    format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != codecs::CODEC_TYPE_NULL)
}

/// Either decoder: symphonia's own, or libopus for Opus (symphonia 0.5 has none).
enum Decoder {
    Symphonia(Box<dyn codecs::Decoder>),
    Opus {
        decoder: opus::Decoder,
        channels: usize,
        skip: usize,
    },
}

/// Decodes a recording in full (only ever inside the probe) and writes it as
/// 16-bit WAV to `out`; returns (duration ms, sample rate, channels).
pub fn decode_to_wav(source: &Path, out: &Path, name: &str) -> Result<(u64, u32, u16)> {
    let ext = extension(source);
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
        .map_err(|_| unreadable(source, name))?
        .format;
    let Some(track) = sound_track(format.as_ref()) else {
        return Err(Error::BadClip(
            if kind_name(codecs::CODEC_TYPE_NULL, &ext) == "a video" {
                format!("“{name}” is a video without sound, so there is nothing to play.")
            } else {
                format!("“{name}” has no sound in it.")
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
    let mut decoder = if params.codec == codecs::CODEC_TYPE_OPUS {
        // WebM gives the channels and the lead-in only in the Opus header.
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
        let pre_skip = from_head(10)
            .zip(from_head(11))
            .map(|(&lo, &hi)| u32::from(u16::from_le_bytes([lo, hi])));
        let layout = match channels {
            1 => opus::Channels::Mono,
            2 => opus::Channels::Stereo,
            _ => {
                return Err(Error::BadClip(format!(
                    "“{name}” is {kind} with {channels} sound channels; Letdown plays one or two."
                )))
            }
        };
        Decoder::Opus {
            decoder: opus::Decoder::new(48_000, layout).map_err(|_| damaged())?,
            channels,
            // The encoder's lead-in ("pre-skip"), not part of the recording.
            skip: params.delay.or(pre_skip).unwrap_or(0) as usize,
        }
    } else {
        let made = symphonia::default::get_codecs().make(&params, &DecoderOptions::default());
        Decoder::Symphonia(made.map_err(|_| {
            Error::BadClip(format!(
                "“{name}” is {kind} whose sound is in a format Letdown cannot play."
            ))
        })?)
    };

    let mut wav: Option<(hound::WavWriter<std::io::BufWriter<File>>, u32, u16)> = None;
    let mut frames: u64 = 0;
    let (mut good, mut bad) = (0u32, 0u32);
    let mut pcm: Vec<i16> = Vec::new();
    let mut buffer: Option<SampleBuffer<i16>> = None;
    let too_long = || {
        Error::BadClip(format!(
            "“{name}” is longer than {} minutes. Please choose a shorter recording.",
            MAX_CLIP_MS / 60_000
        ))
    };
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
        // Decoded into interleaved 16-bit samples: (rate, channels, samples).
        let decoded: Option<(u32, usize)> = match &mut decoder {
            Decoder::Opus {
                decoder,
                channels,
                skip,
            } => {
                pcm.resize(5760 * *channels, 0);
                match decoder.decode(&packet.data, &mut pcm, false) {
                    Ok(n) => {
                        let lead = (*skip).min(n);
                        *skip -= lead;
                        pcm.truncate(n * *channels);
                        pcm.drain(..lead * *channels);
                        Some((48_000, *channels))
                    }
                    Err(_) => None,
                }
            }
            Decoder::Symphonia(decoder) => match decoder.decode(&packet) {
                Ok(audio) => {
                    let spec = *audio.spec();
                    let buf = buffer
                        .get_or_insert_with(|| SampleBuffer::new(audio.capacity() as u64, spec));
                    if buf.capacity() < audio.capacity() * spec.channels.count() {
                        *buf = SampleBuffer::new(audio.capacity() as u64, spec);
                    }
                    buf.copy_interleaved_ref(audio);
                    pcm.clear();
                    pcm.extend_from_slice(buf.samples());
                    Some((spec.rate, spec.channels.count()))
                }
                Err(DecodeError::DecodeError(_)) => None,
                Err(DecodeError::IoError(_)) | Err(DecodeError::ResetRequired) => break,
                Err(_) => return Err(damaged()),
            },
        };
        let Some((rate, channels)) = decoded else {
            bad += 1;
            continue;
        };
        good += 1;
        if rate == 0 || channels == 0 || pcm.is_empty() {
            continue;
        }
        // Played in stereo at most: a video's surround track gives its front pair.
        let kept = channels.min(2);
        if wav.is_none() {
            let spec = hound::WavSpec {
                channels: kept as u16,
                sample_rate: rate,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            let writer = hound::WavWriter::create(out, spec)
                .map_err(|e| Error::MediaWrite(e.to_string()))?;
            wav = Some((writer, rate, kept as u16));
        }
        let Some((writer, wav_rate, wav_channels)) = wav.as_mut() else {
            continue;
        };
        if rate != *wav_rate || kept != usize::from(*wav_channels) {
            return Err(damaged());
        }
        let mut writer16 = writer.get_i16_writer((pcm.len() / channels * kept) as u32);
        for frame in pcm.chunks_exact(channels) {
            for &sample in &frame[..kept] {
                writer16.write_sample(sample);
            }
        }
        writer16
            .flush()
            .map_err(|e| Error::MediaWrite(e.to_string()))?;
        frames += (pcm.len() / channels) as u64;
        if frames * 1000 / u64::from(rate) > MAX_CLIP_MS {
            return Err(too_long());
        }
    }
    let Some((writer, rate, channels)) = wav else {
        return Err(damaged());
    };
    // A damaged packet or two is skipped, as players do; more is a damaged
    // file, which could play as noise. So is one that ends well before the
    // length its container declares.
    let declared = params.n_frames.filter(|_| params.sample_rate == Some(rate));
    if bad * 20 > good || declared.is_some_and(|n| frames * 10 < n * 9) {
        return Err(damaged());
    }
    writer
        .finalize()
        .map_err(|e| Error::MediaWrite(e.to_string()))?;
    let duration_ms = frames * 1000 / u64::from(rate);
    if duration_ms < MIN_CLIP_MS {
        return Err(damaged());
    }
    Ok((duration_ms, rate, channels))
}
