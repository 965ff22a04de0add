//! Commands for the baby's photos, and the `media:` protocol that serves them
//! to the window from the media folder and from nowhere else.

use serde::Serialize;
use tauri::http::{header, Response, StatusCode};
use tauri::State;

use crate::error::{Error, Result};
use crate::media::{new_id, Focus, MediaDir, Photo, PhotoCopy};
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Photos {
    pub photos: Vec<Photo>,
    pub active: Option<String>,
}

pub(crate) fn photos(state: &AppState) -> Result<Photos> {
    let engine = state.lock()?;
    Ok(Photos {
        photos: engine.diary().photos()?,
        active: engine.diary().active_photo()?.map(|p| p.id),
    })
}

#[tauri::command]
pub fn list_photos(state: State<'_, AppState>) -> Result<Photos> {
    photos(&state)
}

/// Imports a photo the parent picked (file dialog or drag and drop) and shows it.
#[tauri::command]
pub async fn import_photo(state: State<'_, AppState>, path: String) -> Result<Photos> {
    let source = super::picked_path(&path, "photo")?;
    let media = state.media()?.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let id = new_id(now);
    // The probe takes a moment: on a blocking thread, outside the diary lock.
    let photo = super::blocking({
        let (media, id) = (media.clone(), id.clone());
        move || media.import_photo(&source, &id)
    })
    .await?;
    let saved = state
        .lock()
        .and_then(|mut e| e.diary_mut().add_photo(&photo, now));
    if let Err(e) = saved {
        media.remove_photo(&id);
        return Err(e);
    }
    photos(&state)
}

#[tauri::command]
pub fn set_active_photo(state: State<'_, AppState>, id: String) -> Result<Photos> {
    {
        let engine = state.lock()?;
        if !engine.diary().photos()?.iter().any(|p| p.id == id) {
            return Err(Error::NotFound("That photo"));
        }
        engine.diary().set_setting("active_photo", &id)?;
    }
    photos(&state)
}

/// Sets where the baby's face is in a photo (`None` forgets it): the calm
/// screen keeps that point in view, clear of the controls.
#[tauri::command]
pub fn set_photo_focus(
    state: State<'_, AppState>,
    id: String,
    focus: Option<Focus>,
) -> Result<Photos> {
    if !state.lock()?.diary_mut().set_photo_focus(&id, focus)? {
        return Err(Error::NotFound("That photo"));
    }
    photos(&state)
}

/// A video copied into the media folder, for the webview to try before it
/// is kept: `video_url` plays it, `mime` is what to ask `canPlayType`.
#[derive(Debug, Serialize)]
pub struct StagedVideo {
    pub id: String,
    pub mime: &'static str,
    pub name: String,
}

/// Copies a video the parent picked into the media folder (checked first:
/// a video file, at most 200 MB). Not kept until `add_video`.
#[tauri::command]
pub async fn stage_video(state: State<'_, AppState>, path: String) -> Result<StagedVideo> {
    let source = super::picked_path(&path, "video")?;
    let media = state.media()?.clone();
    let id = new_id(chrono::Utc::now().timestamp_millis());
    let name = crate::media::display_name(&source);
    // A copy of up to 200 MB: off the runtime's workers.
    let ext = super::blocking({
        let id = id.clone();
        move || media.stage_video(&source, &id)
    })
    .await?;
    Ok(StagedVideo {
        id,
        mime: crate::media::video_mime(ext),
        name,
    })
}

/// Keeps a staged video the webview could play, with its first frame
/// (a JPEG the webview drew) as its picture, and shows it.
#[tauri::command]
pub fn add_video(
    state: State<'_, AppState>,
    id: String,
    name: String,
    width: u32,
    height: u32,
    duration_ms: f64,
    poster: Vec<u8>,
) -> Result<Photos> {
    let media = state.media()?.clone();
    let (_, ext) = media.find_video(&id).ok_or(Error::NotFound("That video"))?;
    if state.lock()?.diary().photos()?.iter().any(|p| p.id == id) {
        return Err(Error::Invalid("That video is already kept.".into()));
    }
    let name: String = name.chars().take(200).collect();
    let kept = (|| {
        if !(duration_ms.is_finite() && duration_ms > 0.0) {
            return Err(Error::BadFile(format!(
                "“{name}” looks damaged or incomplete, so Letdown cannot show it."
            )));
        }
        crate::media::check_video_length(&name, duration_ms)?;
        if !(1..=crate::media::MAX_SIDE).contains(&width)
            || !(1..=crate::media::MAX_SIDE).contains(&height)
        {
            return Err(Error::BadFile(format!(
                "“{name}” looks damaged or incomplete, so Letdown cannot show it."
            )));
        }
        media.add_poster(&id, &poster)?;
        let photo = Photo {
            id: id.clone(),
            width,
            height,
            original_name: name.clone(),
            focus: None,
            video: Some(ext.to_string()),
        };
        let now = chrono::Utc::now().timestamp_millis();
        state.lock()?.diary_mut().add_photo(&photo, now)
    })();
    if let Err(e) = kept {
        media.remove_photo(&id);
        return Err(e);
    }
    photos(&state)
}

/// Deletes a staged video the webview could not play (a kept one stays).
#[tauri::command]
pub fn discard_video(state: State<'_, AppState>, id: String) -> Result<()> {
    if !state.lock()?.diary().photos()?.iter().any(|p| p.id == id) {
        state.media()?.remove_photo(&id);
    }
    Ok(())
}

/// Forgets a photo and deletes its copies from the media folder (the
/// parent's original was never touched).
#[tauri::command]
pub fn remove_photo(state: State<'_, AppState>, id: String) -> Result<Photos> {
    if !crate::media::valid_id(&id) || !state.lock()?.diary_mut().remove_photo(&id)? {
        return Err(Error::NotFound("That photo"));
    }
    state.media()?.remove_photo(&id);
    photos(&state)
}

/// Where the page finds the `media:` protocol: Windows's WebView2 serves an
/// app's own protocols as `http://<name>.localhost` (ui/js/ipc.js's
/// `mediaUrl` says the same).
pub const BASE_URL: &str = if cfg!(windows) {
    "http://media.localhost"
} else {
    "media://localhost"
};

/// The most of a video one ranged answer carries.
const VIDEO_CHUNK: u64 = 4 * 1024 * 1024;

/// Answers `media://localhost/photo/<id>` (the large copy),
/// `media://localhost/window/<id>` (the window-sized copy, or the large one
/// for a photo imported before there were window-sized copies),
/// `media://localhost/thumb/<id>`, `media://localhost/video/<id>` (with
/// HTTP ranges, which WebKit needs to seek and loop) and
/// `media://localhost/picture/<id>` (its picture as a fragmented MP4,
/// fragment.rs); everything else —
/// other paths, `..`, absolute paths — is not found.
pub fn serve(media: Option<&MediaDir>, path: &str, range: Option<&str>) -> Response<Vec<u8>> {
    let not_found = || {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Vec::new())
    };
    // The picture track alone, fragmented, for WebKitGTK's Media Source player.
    if let Some(id) = path.strip_prefix("/picture/") {
        let fragmented = media
            .and_then(|m| m.find_video(id))
            .and_then(|(file, _)| crate::fragment::fragmented(&file).ok().flatten());
        return match fragmented {
            Some(bytes) => Response::builder()
                .header(header::CONTENT_TYPE, "video/mp4")
                .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .body(bytes),
            None => not_found(),
        }
        .unwrap_or_else(|_| Response::new(Vec::new()));
    }
    let found = media.and_then(|m| {
        let rest = path.strip_prefix('/')?;
        let (kind, id) = rest.split_once('/')?;
        let read = |copy| std::fs::read(m.photo_path(id, copy)?).ok();
        match kind {
            "photo" => read(PhotoCopy::Screen).map(Ok),
            "window" => read(PhotoCopy::Window)
                .or_else(|| read(PhotoCopy::Screen))
                .map(Ok),
            "thumb" => read(PhotoCopy::Thumb).map(Ok),
            "video" => m.find_video(id).map(Err),
            _ => None,
        }
    });
    match found {
        Some(Ok(bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(bytes),
        Some(Err((file, ext))) => {
            serve_video(&file, crate::media::video_mime(ext), range).unwrap_or_else(|_| not_found())
        }
        None => not_found(),
    }
    .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// A video file, whole or the range asked for (`bytes=a-b`, `bytes=a-`,
/// `bytes=-n`), as 206 Partial Content; a range past the end is 416.
fn serve_video(
    file: &std::path::Path,
    mime: &str,
    range: Option<&str>,
) -> std::io::Result<tauri::http::Result<Response<Vec<u8>>>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(file)?;
    let len = f.metadata()?.len();
    // The page is another origin (tauri://localhost): on Linux it reads the
    // video with fetch (lib.rs `allow_media_reads`).
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        let mut bytes = Vec::with_capacity(len as usize);
        f.read_to_end(&mut bytes)?;
        return Ok(builder.body(bytes));
    };
    // One range (a list of several is answered with its first).
    let spec = spec.split(',').next().unwrap_or_default().trim();
    let (start, end) = match spec.split_once('-') {
        Some(("", n)) => match n.parse::<u64>() {
            Ok(n) if n > 0 => (len.saturating_sub(n), len.saturating_sub(1)),
            _ => (len, len),
        },
        Some((a, b)) => match (a.parse::<u64>(), b) {
            (Ok(a), "") => (a, len.saturating_sub(1)),
            (Ok(a), b) => match b.parse::<u64>() {
                Ok(b) if b >= a => (a, b.min(len.saturating_sub(1))),
                _ => (len, len),
            },
            _ => (len, len),
        },
        None => (len, len),
    };
    // At most a chunk per answer, whatever was asked: the page asks again
    // from where this ends, and a 200 MB file is never in memory at once.
    let end = end.min(start.saturating_add(VIDEO_CHUNK - 1));
    if start >= len {
        return Ok(builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Vec::new()));
    }
    let mut bytes = vec![0; (end - start + 1) as usize];
    f.seek(SeekFrom::Start(start))?;
    f.read_exact(&mut bytes)?;
    Ok(builder
        .status(StatusCode::PARTIAL_CONTENT)
        .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_photos_by_id_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().to_path_buf());
        std::fs::create_dir_all(dir.path().join("photos")).unwrap();
        std::fs::write(dir.path().join("photos/abc123.jpg"), b"jpeg").unwrap();
        std::fs::write(dir.path().join("photos/abc123-thumb.jpg"), b"thumb").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();

        let ok = serve(Some(&media), "/photo/abc123", None);
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.body(), b"jpeg");
        assert_eq!(serve(Some(&media), "/thumb/abc123", None).body(), b"thumb");
        // A photo from before window-sized copies: the large copy stands in.
        assert_eq!(serve(Some(&media), "/window/abc123", None).body(), b"jpeg");
        std::fs::write(dir.path().join("photos/abc123-window.jpg"), b"window").unwrap();
        assert_eq!(
            serve(Some(&media), "/window/abc123", None).body(),
            b"window"
        );
        for bad in [
            "/photo/../secret.txt",
            "/photo/..%2Fsecret.txt",
            "/../secret.txt",
            "/photo//etc/passwd",
            "/photo/abc123.jpg",
            "/etc/passwd",
            "/photo/",
            "",
            "/other/abc123",
            "/window/../secret.txt",
            "/photo/ABC123/../../secret",
        ] {
            let r = serve(Some(&media), bad, None);
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
            assert!(r.body().is_empty(), "{bad}");
        }
        assert_eq!(
            serve(None, "/photo/abc123", None).status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn serves_a_video_in_the_ranges_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().to_path_buf());
        std::fs::create_dir_all(dir.path().join("videos")).unwrap();
        let video: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("videos/abc123.mov"), &video).unwrap();
        let get = |range: Option<&str>| serve(Some(&media), "/video/abc123", range);

        let whole = get(None);
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(whole.body(), &video);
        assert_eq!(whole.headers()[header::CONTENT_TYPE], "video/quicktime");
        assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
        for (range, from, to) in [
            ("bytes=0-1", 0, 1),
            ("bytes=100-199", 100, 199),
            ("bytes=9000-", 9000, 9999),
            ("bytes=9990-20000", 9990, 9999),
            ("bytes=-10", 9990, 9999),
            ("bytes=5-9, 20-30", 5, 9),
        ] {
            let r = get(Some(range));
            assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT, "{range}");
            assert_eq!(r.body(), &video[from..=to], "{range}");
            assert_eq!(
                r.headers()[header::CONTENT_RANGE],
                format!("bytes {from}-{to}/10000"),
                "{range}"
            );
        }
        for bad in ["bytes=10000-", "bytes=20-10", "bytes=x-", "bytes=-0"] {
            let r = get(Some(bad));
            assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{bad}");
            assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes */10000");
        }
        // Only ids of videos kept in the media folder.
        for bad in [
            "/video/../videos/abc123.mov",
            "/video/abc123.mov",
            "/video/",
            "/picture/../videos/abc123.mov",
            "/picture/abc123.mov",
            "/picture/",
            // A kept video that is not an MP4 it can fragment.
            "/picture/abc123",
        ] {
            assert_eq!(
                serve(Some(&media), bad, None).status(),
                StatusCode::NOT_FOUND
            );
        }
        // However much is asked for, one answer carries at most a chunk.
        let big: Vec<u8> = vec![7; (VIDEO_CHUNK + 10) as usize];
        std::fs::write(dir.path().join("videos/abc123.mov"), &big).unwrap();
        for range in [
            "bytes=0-",
            &format!("bytes=0-{}", VIDEO_CHUNK + 5),
            "bytes=18446744073709551615-",
        ] {
            let r = get(Some(range));
            assert!(r.body().len() as u64 <= VIDEO_CHUNK, "{range}");
        }
    }
}
