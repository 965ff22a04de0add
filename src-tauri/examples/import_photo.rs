//! Imports one photo the way the app does (decode, orient, resize, encode the
//! screen copy and thumbnail) into a media folder. Used by
//! `scripts/bench-photo-import.sh` to time Letdown beside vipsthumbnail and
//! ImageMagick. Usage: import_photo PHOTO MEDIA_DIR
use std::path::PathBuf;

fn main() {
    // Imports decode in this binary started as the probe, as the app does.
    letdown::probe::serve_if_asked();
    let mut args = std::env::args_os().skip(1);
    let (Some(photo), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: import_photo PHOTO MEDIA_DIR");
        std::process::exit(2);
    };
    let media = letdown::media::MediaDir::new(PathBuf::from(dir));
    match media.import_photo(&PathBuf::from(photo), "be4c4") {
        Ok(p) => println!("{}x{}", p.width, p.height),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
