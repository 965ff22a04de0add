//! The baby's photos: checked, turned upright, scaled and copied into the
//! app's own media folder. The parent's original file is only ever read.
//! No Tauri here.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::Serialize;

use crate::error::{Error, Result};

/// Photos larger than this on disk are refused before they are read.
pub const MAX_PHOTO_BYTES: u64 = 60 * 1024 * 1024;
/// The most pixels a photo may declare on either side (a decompression bomb declares more).
pub const MAX_SIDE: u32 = 20_000;
/// The most memory decoding one photo may take.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// The long edge of the copy shown on screen, and of the thumbnail.
pub const SCREEN_EDGE: u32 = 2560;
pub const THUMB_EDGE: u32 = 320;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Photo {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub original_name: String,
}

/// The media folder: `photos/<id>.jpg` and `photos/<id>-thumb.jpg`.
pub struct MediaDir {
    root: PathBuf,
}

impl MediaDir {
    pub fn new(root: PathBuf) -> MediaDir {
        MediaDir { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn photo_path(&self, id: &str, thumb: bool) -> Option<PathBuf> {
        valid_id(id).then(|| {
            let name = if thumb {
                format!("{id}-thumb.jpg")
            } else {
                format!("{id}.jpg")
            };
            self.root.join("photos").join(name)
        })
    }

    /// Checks the file, decodes it within limits, turns it upright, and
    /// writes the screen copy and thumbnail. Nothing is written unless all of
    /// that succeeds, so a failed import leaves the previous photo in place.
    pub fn import_photo(&self, source: &Path, id: &str) -> Result<Photo> {
        let name = display_name(source);
        let bytes = read_checked(source, MAX_PHOTO_BYTES, &name, "photo")?;
        let image = decode_photo(&bytes, &name)?;
        let screen = fit(&image, SCREEN_EDGE);
        let thumb = fit(&image, THUMB_EDGE);
        let dir = self.root.join("photos");
        std::fs::create_dir_all(&dir).map_err(|e| Error::MediaWrite(e.to_string()))?;
        let (Some(screen_path), Some(thumb_path)) =
            (self.photo_path(id, false), self.photo_path(id, true))
        else {
            return Err(Error::Invalid("That photo name is not valid.".into()));
        };
        write_jpeg(&screen, &screen_path)?;
        if let Err(e) = write_jpeg(&thumb, &thumb_path) {
            let _ = std::fs::remove_file(&screen_path);
            return Err(e);
        }
        Ok(Photo {
            id: id.to_string(),
            width: screen.width(),
            height: screen.height(),
            original_name: name,
        })
    }

    pub fn remove_photo(&self, id: &str) {
        for thumb in [false, true] {
            if let Some(path) = self.photo_path(id, thumb) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Media ids are ours (hex), so a path built from one never leaves the folder.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new media id: time and a counter, as hex.
pub fn new_id(now_ms: i64) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:012x}{:04x}{:08x}",
        now_ms.max(0),
        n & 0xffff,
        std::process::id()
    )
}

pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Checks a file the parent picked: refuses folders, empty and oversized files.
pub fn check_file(path: &Path, max: u64, name: &str, what: &str) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::BadFile(format!("Letdown could not open “{name}” ({e}).")))?;
    if meta.is_dir() {
        return Err(Error::BadFile(format!(
            "“{name}” is a folder. Please choose a {what} file."
        )));
    }
    if meta.len() == 0 {
        return Err(Error::BadFile(format!("“{name}” is empty (0 bytes).")));
    }
    if meta.len() > max {
        return Err(Error::BadFile(format!(
            "“{name}” is too large ({} MB). Please choose a {what} under {} MB.",
            meta.len() / (1024 * 1024),
            max / (1024 * 1024)
        )));
    }
    Ok(meta)
}

/// Reads a file the parent picked, after `check_file`.
pub fn read_checked(path: &Path, max: u64, name: &str, what: &str) -> Result<Vec<u8>> {
    let meta = check_file(path, max, name, what)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::BadFile(format!("Letdown could not read “{name}” ({e}).")))?;
    Ok(bytes)
}

fn is_heic(bytes: &[u8]) -> bool {
    bytes.len() > 12
        && &bytes[4..8] == b"ftyp"
        && [&b"heic"[..], b"heix", b"mif1", b"msf1", b"hevc", b"heim"].contains(&&bytes[8..12])
}

/// Decodes a photo within limits and applies its EXIF orientation.
pub fn decode_photo(bytes: &[u8], name: &str) -> Result<DynamicImage> {
    let not_a_photo = || {
        Error::BadImage(format!(
            "“{name}” is not a photo Letdown can read. JPEG, PNG, WebP and GIF work."
        ))
    };
    if is_heic(bytes) {
        return Err(Error::BadImage(format!(
            "“{name}” is an iPhone HEIC photo, which Letdown cannot read yet. \
             On the iPhone, set Settings › Camera › Formats to “Most Compatible”, \
             or export the photo as JPEG, then choose it again."
        )));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_a_photo())?;
    let damaged = || {
        Error::BadImage(format!(
            "“{name}” looks damaged or incomplete, so Letdown cannot show it."
        ))
    };
    match reader.format() {
        // The JPEG decoder fills a cut-off file with grey rather than failing;
        // a whole JPEG ends with its end-of-image marker.
        Some(ImageFormat::Jpeg) if !ends_like_a_jpeg(bytes) => return Err(damaged()),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) => {}
        _ => return Err(not_a_photo()),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let too_big = || {
        Error::BadImage(format!(
            "“{name}” is far too large a picture to show (over {MAX_SIDE} pixels on a side)."
        ))
    };
    let describe = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => too_big(),
        _ => damaged(),
    };
    let mut decoder = reader.into_decoder().map_err(describe)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(describe)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether the end-of-image marker (FF D9) is in the last few KiB; some
/// cameras add a little data after it.
fn ends_like_a_jpeg(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

fn fit(image: &DynamicImage, edge: u32) -> DynamicImage {
    if image.width() <= edge && image.height() <= edge {
        image.clone()
    } else {
        image.resize(edge, edge, FilterType::Lanczos3)
    }
}

/// Writes a JPEG next to its final name, then renames it into place.
fn write_jpeg(image: &DynamicImage, path: &Path) -> Result<()> {
    let part = path.with_extension("jpg.part");
    let write = || -> std::result::Result<(), String> {
        let file = std::fs::File::create(&part).map_err(|e| e.to_string())?;
        let mut out = std::io::BufWriter::new(file);
        JpegEncoder::new_with_quality(&mut out, 88)
            .encode_image(&image.to_rgb8())
            .map_err(|e| e.to_string())?;
        drop(out);
        std::fs::rename(&part, path).map_err(|e| e.to_string())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::MediaWrite(e)
    })
}
