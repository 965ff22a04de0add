//! The baby's photos: checked, turned upright, scaled and copied into the
//! app's own media folder. The parent's original file is only ever read.
//! No Tauri here.
//!
//! The boundary (probe.rs): `import_photo` runs in the app and only checks,
//! stages and asks; `decode_photo_here` and everything it calls (`decode_photo`,
//! heifer, `image`, `jpeg-decoder`) run only in the probe process.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use fast_image_resize as fr;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::probe::{Ended, Probe};

/// Photos larger than this on disk are refused before they are read.
pub const MAX_PHOTO_BYTES: u64 = 60 * 1024 * 1024;
/// The most pixels a photo may declare on either side (a decompression bomb declares more).
pub const MAX_SIDE: u32 = 20_000;
/// The most memory decoding one photo may take.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// The long edge of each copy kept of a photo: a large one for big or dense
/// screens, a window-sized one (a laptop's window, a 3:4 portrait photo
/// included; a third of the large one's memory once decoded), and a thumbnail.
pub const SCREEN_EDGE: u32 = 2560;
pub const WINDOW_EDGE: u32 = 1440;
pub const THUMB_EDGE: u32 = 320;

/// The videos a phone makes that a webview may play (which ones it can is
/// the webview's to say, at import: docs/PACKAGING.md).
pub const VIDEO_EXTENSIONS: [&str; 4] = ["mp4", "mov", "m4v", "webm"];
/// A short clip of the baby; a longer phone video is minutes of 4K.
pub const MAX_VIDEO_BYTES: u64 = 200 * 1024 * 1024;
pub const MAX_VIDEO_MS: f64 = 180_000.0;

/// Refuses a video longer than `MAX_VIDEO_MS` (and a little), in the parent's words.
pub fn check_video_length(name: &str, duration_ms: f64) -> Result<()> {
    if duration_ms > MAX_VIDEO_MS + 500.0 {
        let seconds = (duration_ms / 1000.0).round() as u64;
        return Err(Error::BadFile(format!(
            "“{name}” is {} min {} s long. Please choose a video of 3 minutes or less.",
            seconds / 60,
            seconds % 60
        )));
    }
    Ok(())
}
/// The first frame the webview drew, as a JPEG, at most 2560 px a side.
pub const MAX_POSTER_BYTES: usize = 8 * 1024 * 1024;

/// The MIME type a video is served as, by its extension.
pub fn video_mime(ext: &str) -> &'static str {
    match ext {
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        _ => "video/mp4",
    }
}

/// The copies kept of each photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoCopy {
    Screen,
    Window,
    Thumb,
}

impl PhotoCopy {
    pub const ALL: [PhotoCopy; 3] = [PhotoCopy::Screen, PhotoCopy::Window, PhotoCopy::Thumb];

    fn suffix(self) -> &'static str {
        match self {
            PhotoCopy::Screen => "",
            PhotoCopy::Window => "-window",
            PhotoCopy::Thumb => "-thumb",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub original_name: String,
    /// Where the baby's face is, once the parent has said.
    #[serde(default)]
    pub focus: Option<Focus>,
    /// For a video, its file's extension; its first frame is the photo copies.
    #[serde(default)]
    pub video: Option<String>,
}

/// A point in a photo, as fractions of its width and height from the top left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Focus {
    pub x: f64,
    pub y: f64,
}

impl Focus {
    /// The point, if it lies in the photo; a plain message if not.
    pub fn checked(self) -> Result<Focus> {
        let inside = |v: f64| (0.0..=1.0).contains(&v);
        if inside(self.x) && inside(self.y) {
            Ok(self)
        } else {
            Err(Error::Invalid(
                "That point is outside the photo. Choose a point on the photo itself.".into(),
            ))
        }
    }
}

/// The media folder: `photos/<id>.jpg`, `photos/<id>-window.jpg` and
/// `photos/<id>-thumb.jpg`, and `clips/<id>.play.wav`.
#[derive(Clone)]
pub struct MediaDir {
    root: PathBuf,
    probe: Probe,
}

impl MediaDir {
    /// Decodes what it imports in the running binary started as a probe.
    pub fn new(root: PathBuf) -> MediaDir {
        MediaDir {
            root,
            probe: Probe::current(),
        }
    }

    /// Decodes in another binary that serves probes (integration tests use the app's).
    pub fn with_probe(mut self, probe: Probe) -> MediaDir {
        self.probe = probe;
        self
    }

    pub(crate) fn probe(&self) -> &Probe {
        &self.probe
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn photo_path(&self, id: &str, copy: PhotoCopy) -> Option<PathBuf> {
        valid_id(id).then(|| {
            self.root
                .join("photos")
                .join(format!("{id}{}.jpg", copy.suffix()))
        })
    }

    /// Imports a photo: checks the file, then has the probe decode it and
    /// write its three copies. Nothing stays written unless all of that
    /// succeeds, so a failed import leaves the previous photo in place.
    pub fn import_photo(&self, source: &Path, id: &str) -> Result<Photo> {
        let name = display_name(source);
        check_file(source, MAX_PHOTO_BYTES, &name, "photo")?;
        let staged = self.stage(source, id, &name)?;
        let result = match self.probe.photo(self, &staged.0, id, &name) {
            Ok(answer) => answer,
            Err(ended) => Err(probe_failed(ended, &name, Error::BadImage, "show")),
        };
        if result.is_err() {
            self.remove_photo(id);
        }
        result
    }

    /// Copies the parent's file into the media folder before the probe reads
    /// it, so that its time limit counts decoding only, not a slow disk or a
    /// cloud file (OneDrive, iCloud) being fetched. Deleted when dropped.
    pub(crate) fn stage(&self, source: &Path, id: &str, name: &str) -> Result<Staged> {
        let dir = self.root.join("staging");
        std::fs::create_dir_all(&dir).map_err(|e| Error::MediaWrite(e.to_string()))?;
        let ext = source
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .filter(|e| e.len() <= 8 && e.bytes().all(|b| b.is_ascii_alphanumeric()))
            .unwrap_or_default();
        let staged = Staged(dir.join(format!("{id}.{ext}")));
        let cannot_read = || Error::BadFile(format!("Letdown could not read “{name}”."));
        let from = std::fs::File::open(source).map_err(|_| cannot_read())?;
        let mut to =
            std::fs::File::create(&staged.0).map_err(|e| Error::MediaWrite(e.to_string()))?;
        // No more than the size checked before (a file still growing is cut there).
        let limit = from.metadata().map_err(|_| cannot_read())?.len();
        std::io::copy(&mut from.take(limit), &mut to).map_err(|e| match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::WriteZero => {
                Error::MediaWrite(e.to_string())
            }
            _ => cannot_read(),
        })?;
        Ok(staged)
    }

    /// Inside the probe: decodes the photo within limits, turns it upright,
    /// and writes the large copy, the window-sized one and the thumbnail.
    pub(crate) fn decode_photo_here(&self, source: &Path, id: &str, name: &str) -> Result<Photo> {
        let name = name.to_string();
        let bytes = read_checked(source, MAX_PHOTO_BYTES, &name, "photo")?;
        let (image, orientation) = decode_photo(&bytes, &name, SCREEN_EDGE)?;
        // Scaled first and turned afterwards: turning the smaller picture is cheaper.
        let screen = upright(fit(&image, SCREEN_EDGE)?, orientation);
        drop(image);
        let dir = self.root.join("photos");
        std::fs::create_dir_all(&dir).map_err(|e| Error::MediaWrite(e.to_string()))?;
        let [Some(screen_path), Some(window_path), Some(thumb_path)] =
            PhotoCopy::ALL.map(|copy| self.photo_path(id, copy))
        else {
            return Err(Error::Invalid("That photo name is not valid.".into()));
        };
        // The smaller copies are made on a second thread while the large one is encoded.
        let (screen_written, smaller_written) = std::thread::scope(|scope| {
            let smaller = scope.spawn(|| {
                let window = fit(&screen, WINDOW_EDGE)?;
                write_jpeg(&window, &window_path)?;
                write_jpeg(&fit(&window, THUMB_EDGE)?, &thumb_path)
            });
            let screen_written = write_jpeg(&screen, &screen_path);
            let smaller_written = smaller.join().unwrap_or_else(|_| {
                Err(Error::MediaWrite(
                    "the smaller copies could not be made".into(),
                ))
            });
            (screen_written, smaller_written)
        });
        if let Err(e) = screen_written.and(smaller_written) {
            self.remove_photo(id);
            return Err(e);
        }
        Ok(Photo {
            id: id.to_string(),
            width: screen.width(),
            height: screen.height(),
            original_name: name,
            focus: None,
            video: None,
        })
    }

    /// `videos/<id>.<ext>`, for one of `VIDEO_EXTENSIONS`.
    pub fn video_path(&self, id: &str, ext: &str) -> Option<PathBuf> {
        (valid_id(id) && VIDEO_EXTENSIONS.contains(&ext))
            .then(|| self.root.join("videos").join(format!("{id}.{ext}")))
    }

    /// The video kept under `id`, and its extension.
    pub fn find_video(&self, id: &str) -> Option<(PathBuf, &'static str)> {
        VIDEO_EXTENSIONS
            .iter()
            .find_map(|ext| Some((self.video_path(id, ext)?, *ext)).filter(|(p, _)| p.is_file()))
    }

    /// Copies a video the parent picked into the media folder, after
    /// checking it is a video file of a size Letdown takes; whether the
    /// system can play it is for the webview to find out next. Returns its
    /// extension. Nothing here decodes it: the webview does, in its own process.
    pub fn stage_video(&self, source: &Path, id: &str) -> Result<&'static str> {
        let name = display_name(source);
        let not_video = || {
            Error::BadFile(format!(
                "“{name}” is not a video Letdown can show. Choose a video from your phone \
                 (.mp4, .mov or .webm)."
            ))
        };
        let ext = source
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .and_then(|e| VIDEO_EXTENSIONS.iter().find(|v| **v == e).copied())
            .ok_or_else(not_video)?;
        check_file(source, MAX_VIDEO_BYTES, &name, "video")?;
        let mut head = [0u8; 12];
        std::fs::File::open(source)
            .and_then(|mut f| f.read_exact(&mut head))
            .map_err(|_| not_video())?;
        if !looks_like_video(&head) {
            return Err(not_video());
        }
        // Its length from its own index, where it has one: a long video is
        // refused before the page tries to play it.
        if let Ok(Some(ms)) = crate::fragment::duration_ms(source) {
            check_video_length(&name, ms)?;
        }
        let target = self.video_path(id, ext).ok_or_else(not_video)?;
        let write = |e: std::io::Error| Error::MediaWrite(e.to_string());
        std::fs::create_dir_all(self.root.join("videos")).map_err(write)?;
        let part = target.with_extension(format!("{ext}.part"));
        // With its index in front, for players that stream it by ranges.
        let copied = match ext {
            "webm" => std::fs::copy(source, &part).map(|_| ()),
            _ => crate::faststart::copy(source, &part).map(|_| ()),
        };
        copied
            .and_then(|_| std::fs::rename(&part, &target))
            .map_err(|e| {
                let _ = std::fs::remove_file(&part);
                write(e)
            })?;
        Ok(ext)
    }

    /// Keeps the first frame the webview drew of a video as its photo
    /// copies (the poster while it loads, the thumbnail in Settings).
    pub fn add_poster(&self, id: &str, jpeg: &[u8]) -> Result<()> {
        if jpeg.len() > MAX_POSTER_BYTES || !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Err(Error::Invalid(
                "Letdown could not keep a picture of this video's first frame.".into(),
            ));
        }
        let write = |e: std::io::Error| Error::MediaWrite(e.to_string());
        std::fs::create_dir_all(self.root.join("photos")).map_err(write)?;
        for copy in PhotoCopy::ALL {
            if let Some(path) = self.photo_path(id, copy) {
                std::fs::write(&path, jpeg).map_err(write)?;
            }
        }
        Ok(())
    }

    /// Deletes a photo's copies, and any a stopped probe left half-written;
    /// for a video, the video too.
    pub fn remove_photo(&self, id: &str) {
        for ext in VIDEO_EXTENSIONS {
            if let Some(path) = self.video_path(id, ext) {
                let _ = std::fs::remove_file(path);
            }
        }
        for copy in PhotoCopy::ALL {
            if let Some(path) = self.photo_path(id, copy) {
                let _ = std::fs::remove_file(path.with_extension("jpg.part"));
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The parent's message when the probe ended without an answer: the file is
/// what made it end, so the file is what the message is about. `bad` is
/// the error kind, `verb` what Letdown could not do ("show", "play").
pub(crate) fn probe_failed(
    ended: Ended,
    name: &str,
    bad: fn(String) -> Error,
    verb: &str,
) -> Error {
    let damaged = format!("“{name}” looks damaged or incomplete, so Letdown cannot {verb} it.");
    bad(match ended {
        Ended::Crashed => damaged,
        Ended::TimedOut => format!("{damaged} Reading it took far too long."),
        Ended::NotStarted(why) => {
            eprintln!("Letdown: the media probe did not start: {why}");
            format!(
                "Letdown could not start reading “{name}”. Please try again; \
                 if it keeps happening, restart Letdown."
            )
        }
    })
}

/// A copy of the parent's file in the media folder's staging area.
pub(crate) struct Staged(pub(crate) PathBuf);

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An ISO media file (`ftyp`, or an old QuickTime file's first atom) or a
/// Matroska/WebM one (EBML), by its first bytes.
fn looks_like_video(head: &[u8; 12]) -> bool {
    let iso = matches!(
        &head[4..8],
        b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip"
    );
    iso || head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
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

/// What an ISO base media file (`ftyp` box) says it holds, by its brands:
/// a HEIF picture (HEVC-coded, as phones write them), an AVIF picture, or
/// neither.
#[derive(Debug, PartialEq)]
enum Heif {
    /// `heic`/`heix`/…: what iPhones write, and Samsung and Pixel phones can.
    Hevc { iphone_name: bool },
    /// `avif`/`avis`: the same container with AV1, which heifer does not decode.
    Av1,
    /// `mif1`/`msf1` alone: HEIF whose codec only the file's items tell.
    Generic,
}

fn heif_kind(bytes: &[u8]) -> Option<Heif> {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let ftyp = &bytes[8..size.clamp(16, bytes.len().min(256))];
    // The major brand, then the compatible ones after the minor version.
    let brands = std::iter::once(&ftyp[..4]).chain(ftyp[8..].chunks_exact(4));
    let mut kind = None;
    for brand in brands {
        match brand {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => {
                return Some(Heif::Hevc {
                    iphone_name: &ftyp[..4] == b"heic",
                })
            }
            b"avif" | b"avis" => kind = Some(Heif::Av1),
            b"mif1" | b"msf1" if kind.is_none() => kind = Some(Heif::Generic),
            _ => {}
        }
    }
    kind
}

/// Decodes a HEIF picture with heifer, converted to sRGB from its colour
/// profile (iPhones use Display P3). heifer applies the file's own rotation
/// and mirroring (`irot`/`imir`), which HEIF makes authoritative over the
/// EXIF orientation, so the picture comes back upright and EXIF is not
/// applied again (libheif does the same).
fn decode_heif(bytes: &[u8], name: &str) -> Result<(RgbImage, Orientation)> {
    let options = heifer::Options {
        // Grid tiles decode in parallel; two threads take most of the gain.
        max_threads: 2,
        max_pixels: MAX_DECODE_BYTES / 4,
    };
    let heif_name = match heif_kind(bytes) {
        Some(Heif::Hevc { iphone_name: true }) => "HEIC photo",
        _ => "HEIF picture",
    };
    let image = heifer::decode_srgb_rgba8(bytes, &options).map_err(|e| {
        Error::BadImage(match e {
            heifer::Error::Unsupported(_) => format!(
                "“{name}” is a {heif_name} of a kind Letdown cannot read. \
                 Please export it as JPEG and choose it again."
            ),
            _ => format!("“{name}” looks damaged or incomplete, so Letdown cannot show it."),
        })
    })?;
    check_size(image.width, image.height).map_err(|p| describe(p, name))?;
    // RGBA to RGB in place: no second full-size picture in memory.
    let (width, height, mut rgb) = (image.width, image.height, image.data);
    for i in 0..rgb.len() / 4 {
        rgb.copy_within(4 * i..4 * i + 3, 3 * i);
    }
    rgb.truncate(rgb.len() / 4 * 3);
    rgb.shrink_to_fit();
    let rgb =
        RgbImage::from_raw(width, height, rgb).ok_or_else(|| describe(Problem::Damaged, name))?;
    Ok((rgb, Orientation::NoTransforms))
}

/// Decodes a photo within limits, as RGB, with the EXIF orientation that
/// turns it upright. A JPEG is decoded straight at a reduced size (DCT
/// scaling) when it is at least twice `edge` on its long side, which is most
/// of the work saved for a camera photo.
pub fn decode_photo(bytes: &[u8], name: &str, edge: u32) -> Result<(RgbImage, Orientation)> {
    let not_a_photo = || {
        Error::BadImage(format!(
            "“{name}” is not a photo Letdown can read. \
             Phone photos (JPEG, HEIC), PNG, WebP and GIF work."
        ))
    };
    match heif_kind(bytes) {
        Some(Heif::Av1) => {
            return Err(Error::BadImage(format!(
                "“{name}” is an AVIF picture, which Letdown cannot read yet. \
                 Please export it as JPEG and choose it again."
            )))
        }
        Some(_) => return decode_heif(bytes, name),
        None => {}
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_a_photo())?;
    let problem = |problem| describe(problem, name);
    match reader.format() {
        // Decoders fill a cut-off file with grey rather than failing; a
        // whole JPEG ends with its end-of-image marker.
        Some(ImageFormat::Jpeg) if !ends_like_a_jpeg(bytes) => Err(problem(Problem::Damaged)),
        Some(ImageFormat::Jpeg) => match decode_jpeg_scaled(bytes, edge) {
            Ok(image) => Ok(image),
            // CMYK, 16-bit and arithmetic-coded JPEGs: the general decoder.
            Err(Problem::Unsupported) => decode_any(reader).map_err(problem),
            Err(p) => Err(problem(p)),
        },
        Some(ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) => {
            decode_any(reader).map_err(problem)
        }
        _ => Err(not_a_photo()),
    }
}

/// Why a photo could not be decoded.
#[derive(Debug)]
enum Problem {
    Damaged,
    TooBig,
    Unsupported,
}

fn describe(problem: Problem, name: &str) -> Error {
    Error::BadImage(match problem {
        Problem::TooBig => format!(
            "“{name}” is far too large a picture to show (over {MAX_SIDE} pixels on a side)."
        ),
        Problem::Damaged | Problem::Unsupported => {
            format!("“{name}” looks damaged or incomplete, so Letdown cannot show it.")
        }
    })
}

fn check_size(width: u32, height: u32) -> std::result::Result<(), Problem> {
    let decoded = u64::from(width) * u64::from(height) * 4;
    if width > MAX_SIDE || height > MAX_SIDE || decoded > MAX_DECODE_BYTES {
        return Err(Problem::TooBig);
    }
    Ok(())
}

/// The fast path for JPEG: header first (so a bomb is refused before any
/// pixel memory is taken), then decode at 1/2, 1/4 or 1/8 size when that
/// still leaves at least `edge` pixels on the long side.
fn decode_jpeg_scaled(
    bytes: &[u8],
    edge: u32,
) -> std::result::Result<(RgbImage, Orientation), Problem> {
    use jpeg_decoder::{Decoder, Error as JpegError, PixelFormat};
    let mut decoder = Decoder::new(bytes);
    let as_problem = |e: JpegError| match e {
        JpegError::Unsupported(_) => Problem::Unsupported,
        _ => Problem::Damaged,
    };
    decoder.read_info().map_err(as_problem)?;
    let info = decoder.info().ok_or(Problem::Damaged)?;
    check_size(u32::from(info.width), u32::from(info.height))?;
    if !matches!(info.pixel_format, PixelFormat::RGB24 | PixelFormat::L8) {
        return Err(Problem::Unsupported);
    }
    decoder.set_max_decoding_buffer_size(MAX_DECODE_BYTES as usize);
    let wanted = u16::try_from(edge).unwrap_or(u16::MAX);
    let (width, height) = decoder.scale(wanted, wanted).map_err(as_problem)?;
    let pixels = decoder.decode().map_err(as_problem)?;
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (width, height) = (u32::from(width), u32::from(height));
    let image = match info.pixel_format {
        PixelFormat::L8 => image::GrayImage::from_raw(width, height, pixels)
            .map(|gray| DynamicImage::ImageLuma8(gray).to_rgb8()),
        _ => RgbImage::from_raw(width, height, pixels),
    }
    .ok_or(Problem::Damaged)?;
    Ok((image, orientation))
}

/// Any supported format, at full size, through `image` with its limits.
fn decode_any(
    mut reader: ImageReader<Cursor<&[u8]>>,
) -> std::result::Result<(RgbImage, Orientation), Problem> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let as_problem = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Problem::TooBig,
        _ => Problem::Damaged,
    };
    let mut decoder = reader.into_decoder().map_err(as_problem)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(as_problem)?;
    Ok((image.into_rgb8(), orientation))
}

/// Turns a picture upright for its EXIF orientation. The new picture is
/// filled in tiles (so the quarter turns a phone's portrait photos need stay
/// cache-friendly), its top and bottom halves on two threads.
fn upright(image: RgbImage, orientation: Orientation) -> RgbImage {
    use Orientation::*;
    if orientation == NoTransforms {
        return image;
    }
    let (w, h) = image.dimensions();
    let turned = matches!(
        orientation,
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH
    );
    let (out_w, out_h) = if turned { (h, w) } else { (w, h) };
    // Where, in the original, the pixel at (x, y) of the upright picture is.
    let from = |x: u32, y: u32| match orientation {
        NoTransforms => (x, y),
        Rotate90 => (y, h - 1 - x),
        Rotate180 => (w - 1 - x, h - 1 - y),
        Rotate270 => (w - 1 - y, x),
        FlipHorizontal => (w - 1 - x, y),
        FlipVertical => (x, h - 1 - y),
        Rotate90FlipH => (y, x),
        Rotate270FlipH => (w - 1 - y, h - 1 - x),
    };
    let source = image.as_raw();
    let mut out = vec![0u8; source.len()];
    const TILE: u32 = 64;
    let band_rows = out_h.div_ceil(2).max(1);
    let fill = |band: &mut [u8], first_row: u32| {
        let rows = (band.len() / (3 * out_w as usize)) as u32;
        for tile_y in (0..rows).step_by(TILE as usize) {
            for tile_x in (0..out_w).step_by(TILE as usize) {
                for y in tile_y..(tile_y + TILE).min(rows) {
                    for x in tile_x..(tile_x + TILE).min(out_w) {
                        let (sx, sy) = from(x, first_row + y);
                        let s = 3 * (sy as usize * w as usize + sx as usize);
                        let d = 3 * (y as usize * out_w as usize + x as usize);
                        band[d..d + 3].copy_from_slice(&source[s..s + 3]);
                    }
                }
            }
        }
    };
    std::thread::scope(|scope| {
        let mut bands = out.chunks_mut(3 * out_w as usize * band_rows as usize);
        let top = bands.next();
        if let Some(bottom) = bands.next() {
            scope.spawn(|| fill(bottom, band_rows));
        }
        if let Some(top) = top {
            fill(top, 0);
        }
    });
    RgbImage::from_raw(out_w, out_h, out).expect("same number of pixels")
}

/// Whether the end-of-image marker (FF D9) is in the last few KiB; some
/// cameras add a little data after it.
fn ends_like_a_jpeg(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// Scales down (never up) to fit `edge` on the long side, with a Catmull-Rom
/// filter on the SIMD resizer.
fn fit(image: &RgbImage, edge: u32) -> Result<RgbImage> {
    let (width, height) = image.dimensions();
    if width <= edge && height <= edge {
        return Ok(image.clone());
    }
    let scale = f64::from(edge) / f64::from(width.max(height));
    let to = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, edge);
    let (new_width, new_height) = (to(width), to(height));
    let failed = |e: &dyn std::fmt::Display| Error::MediaWrite(format!("resizing failed: {e}"));
    let source = fr::images::ImageRef::new(width, height, image.as_raw(), fr::PixelType::U8x3)
        .map_err(|e| failed(&e))?;
    let mut target = fr::images::Image::new(new_width, new_height, fr::PixelType::U8x3);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::CatmullRom));
    fr::Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| failed(&e))?;
    RgbImage::from_raw(new_width, new_height, target.into_vec())
        .ok_or_else(|| failed(&"wrong buffer size"))
}

/// Writes a JPEG next to its final name, then renames it into place.
fn write_jpeg(image: &RgbImage, path: &Path) -> Result<()> {
    let part = path.with_extension("jpg.part");
    let write = || -> std::result::Result<(), String> {
        let file = std::fs::File::create(&part).map_err(|e| e.to_string())?;
        let mut out = std::io::BufWriter::new(file);
        let (width, height) = image.dimensions();
        let side = |n: u32| u16::try_from(n).map_err(|_| "picture too large".to_string());
        jpeg_encoder::Encoder::new(&mut out, 85)
            .encode(
                image.as_raw(),
                side(width)?,
                side(height)?,
                jpeg_encoder::ColorType::Rgb,
            )
            .map_err(|e| e.to_string())?;
        use std::io::Write;
        out.flush().map_err(|e| e.to_string())?;
        out.get_ref().sync_all().map_err(|e| e.to_string())?;
        drop(out);
        std::fs::rename(&part, path).map_err(|e| e.to_string())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::MediaWrite(e)
    })
}
