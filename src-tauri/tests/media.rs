//! Importing the baby's photos: every file a parent might pick, good and bad.
//! Fixtures come from tests/fixtures/make-media.sh (ImageMagick) and from
//! bytes written here; the previous photo must survive every failure.

mod common;

use std::path::{Path, PathBuf};

use common::Fixtures;

use letdown::media::{MediaDir, PhotoCopy, MAX_PHOTO_BYTES};
use letdown::Error;

fn media() -> (tempfile::TempDir, MediaDir) {
    let dir = tempfile::tempdir().unwrap();
    let media = common::media_dir(dir.path().join("media"));
    (dir, media)
}

fn dims(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap()
}

#[test]
fn good_photos_are_copied_upright_and_scaled() {
    let f = Fixtures::make();
    let (_d, media) = media();

    let plain = media.import_photo(&f.path("landscape.jpg"), "a0").unwrap();
    assert_eq!((plain.width, plain.height), (300, 200));
    let photo = media.import_photo(&f.sideways(), "a1").unwrap();
    assert_eq!(
        (photo.width, photo.height),
        (200, 300),
        "EXIF orientation honoured"
    );
    assert_eq!(
        dims(&media.photo_path("a1", PhotoCopy::Screen).unwrap()),
        (200, 300)
    );
    assert_eq!(photo.original_name, "sideways.jpg");

    let large = media.import_photo(&f.path("large.jpg"), "a2").unwrap();
    assert_eq!(
        (large.width, large.height),
        (2560, 1920),
        "scaled for the screen"
    );
    assert_eq!(
        dims(&media.photo_path("a2", PhotoCopy::Window).unwrap()),
        (1440, 1080),
        "a copy sized for a laptop's window"
    );
    assert_eq!(
        dims(&media.photo_path("a2", PhotoCopy::Thumb).unwrap()),
        (320, 240)
    );
    // A photo smaller than the window copy is kept at its own size in it.
    assert_eq!(
        dims(&media.photo_path("a1", PhotoCopy::Window).unwrap()),
        (200, 300)
    );

    for (name, id) in [
        ("plain.png", "b1"),
        ("plain.webp", "b2"),
        ("first.gif", "b3"),
    ] {
        let p = media.import_photo(&f.path(name), id).unwrap();
        assert!(
            p.width > 0 && media.photo_path(id, PhotoCopy::Screen).unwrap().exists(),
            "{name}"
        );
    }
    // The original is never touched.
    assert!(f.path("large.jpg").exists());
}

fn refused(media: &MediaDir, path: &Path) -> Error {
    media
        .import_photo(path, "ffff")
        .expect_err("this file must be refused")
}

#[test]
fn bad_files_get_plain_messages_and_change_nothing() {
    let f = Fixtures::make();
    let (_d, media) = media();
    media.import_photo(&f.path("plain.png"), "0001").unwrap();
    let before = std::fs::read(media.photo_path("0001", PhotoCopy::Screen).unwrap()).unwrap();

    let cases: Vec<(PathBuf, &str)> = vec![
        (f.path("not-a-photo.jpg"), "is not a photo Letdown can read"),
        (f.path("truncated.jpg"), "looks damaged or incomplete"),
        (f.path("empty.png"), "is empty"),
        (f.dir.path().to_path_buf(), "is a folder"),
        (f.path("no-such-file.jpg"), "could not open"),
    ];
    for (path, says) in cases {
        let error = refused(&media, &path);
        assert!(
            error.to_string().contains(says),
            "{}: {error}",
            path.display()
        );
    }
    assert_eq!(
        std::fs::read(media.photo_path("0001", PhotoCopy::Screen).unwrap()).unwrap(),
        before
    );
    assert!(media
        .photo_path("ffff", PhotoCopy::Screen)
        .unwrap()
        .exists()
        .eq(&false));
}

/// A PNG that declares 100,000 × 100,000 pixels in a few dozen bytes.
fn png_bomb() -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Decompression bombs (small files declaring gigantic pictures) are refused
/// from their headers, before any pixel memory is taken: a PNG through
/// `image`'s limits, a JPEG on the DCT-scaling path.
#[test]
fn decompression_bombs_are_refused_before_they_allocate() {
    let dir = tempfile::tempdir().unwrap();
    let (_d, media) = media();
    for (name, bytes) in [("tiny.png", png_bomb()), ("tiny.jpg", jpeg_bomb())] {
        let bomb = dir.path().join(name);
        std::fs::write(&bomb, bytes).unwrap();
        let error = refused(&media, &bomb);
        assert!(matches!(error, Error::BadImage(_)), "{name}: {error}");
        assert!(
            error.to_string().contains("far too large"),
            "{name}: {error}"
        );
    }
}

/// A whole, valid little JPEG whose header declares 60,000 × 60,000 pixels.
fn jpeg_bomb() -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode(&[90u8; 16 * 16 * 3], 16, 16, image::ExtendedColorType::Rgb8)
        .unwrap();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    // marker (2), length (2), precision (1), height (2), width (2)
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    jpeg
}

/// The large copy's pixels, decoded.
fn pixels(media: &MediaDir, id: &str) -> image::RgbImage {
    image::open(media.photo_path(id, PhotoCopy::Screen).unwrap())
        .unwrap()
        .to_rgb8()
}

/// The mean difference per channel of two pictures of one size (0–255).
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

#[test]
fn heic_and_heif_photos_import_like_jpegs_and_turn_upright() {
    let f = Fixtures::make();
    let (_d, media) = media();
    let jpeg = media.import_photo(&f.path("landscape.jpg"), "c0").unwrap();
    let heic = media.import_photo(&f.path("landscape.heic"), "c1").unwrap();
    assert_eq!((heic.width, heic.height), (jpeg.width, jpeg.height));
    assert!(difference(&pixels(&media, "c0"), &pixels(&media, "c1")) < 4.0);
    for copy in PhotoCopy::ALL {
        assert!(media.photo_path("c1", copy).unwrap().exists(), "{copy:?}");
    }
    // Turned by its `irot` box: the same picture as the JPEG turned by EXIF.
    media.import_photo(&f.sideways(), "c2").unwrap();
    let upright = media.import_photo(&f.path("upright.heic"), "c3").unwrap();
    assert_eq!((upright.width, upright.height), (200, 300));
    let (turned_jpeg, turned_heic) = (pixels(&media, "c2"), pixels(&media, "c3"));
    assert!(
        difference(&turned_jpeg, &turned_heic) < 4.0,
        "irot honoured the way EXIF is: {}",
        difference(&turned_jpeg, &turned_heic)
    );
    // Turned the other way, it would be far off.
    let wrong = image::imageops::rotate180(&turned_jpeg);
    assert!(difference(&wrong, &turned_heic) > 10.0);
    // A HEIF that names only the generic brand up front.
    let heif = media.import_photo(&f.path("nokia.heif"), "c4").unwrap();
    assert_eq!((heif.width, heif.height), (300, 200));
}

#[test]
fn damaged_and_unsupported_heif_files_get_plain_messages() {
    let f = Fixtures::make();
    let (_d, media) = media();
    for (name, says) in [
        ("cut-off.heic", "looks damaged or incomplete"),
        ("picture.avif", "is an AVIF picture"),
    ] {
        let error = refused(&media, &f.path(name)).to_string();
        assert!(error.contains(says), "{name}: {error}");
        assert!(!error.contains("iPhone"), "{name}: {error}");
    }
}

#[test]
fn a_huge_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.jpg");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(MAX_PHOTO_BYTES + 1).unwrap(); // sparse: no disk used
    let (_d, media) = media();
    assert!(refused(&media, &huge).to_string().contains("too large"));
}

#[test]
fn all_eight_exif_orientations_land_the_marked_corner_where_it_belongs() {
    // A 60×40 picture, blue, with its top-left corner marked red.
    let mut img = image::RgbImage::from_pixel(60, 40, image::Rgb([30, 60, 200]));
    for x in 0..20 {
        for y in 0..14 {
            img.put_pixel(x, y, image::Rgb([230, 20, 20]));
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&img)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_d, media) = media();
    // Where the marked corner must appear once shown upright, and the size then.
    use Corner::*;
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Corner {
        TopLeft,
        TopRight,
        BottomLeft,
        BottomRight,
    }
    let expected = [
        (1, TopLeft, (60, 40)),
        (2, TopRight, (60, 40)),
        (3, BottomRight, (60, 40)),
        (4, BottomLeft, (60, 40)),
        (5, TopLeft, (40, 60)),
        (6, TopRight, (40, 60)),
        (7, BottomRight, (40, 60)),
        (8, BottomLeft, (40, 60)),
    ];
    for (orientation, corner, size) in expected {
        let path = dir.path().join(format!("o{orientation}.jpg"));
        std::fs::write(&path, common::with_orientation(&jpeg, orientation)).unwrap();
        let id = format!("{orientation:04}");
        let photo = media.import_photo(&path, &id).unwrap();
        assert_eq!(
            (photo.width, photo.height),
            size,
            "orientation {orientation}"
        );
        let shown = image::open(media.photo_path(&id, PhotoCopy::Screen).unwrap())
            .unwrap()
            .to_rgb8();
        let (w, h) = shown.dimensions();
        let red = |x: u32, y: u32| {
            let p = shown.get_pixel(x, y);
            p[0] > 150 && p[2] < 100
        };
        let corners = [
            (TopLeft, red(3, 3)),
            (TopRight, red(w - 4, 3)),
            (BottomLeft, red(3, h - 4)),
            (BottomRight, red(w - 4, h - 4)),
        ];
        let marked: Vec<Corner> = corners.iter().filter(|c| c.1).map(|c| c.0).collect();
        assert_eq!(marked, [corner], "orientation {orientation}");
    }
}
