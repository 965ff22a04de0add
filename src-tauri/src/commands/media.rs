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

/// Answers `media://localhost/photo/<id>` (the large copy),
/// `media://localhost/window/<id>` (the window-sized copy, or the large one
/// for a photo imported before there were window-sized copies) and
/// `media://localhost/thumb/<id>`; everything else — other paths, `..`,
/// absolute paths — is not found.
pub fn serve(media: Option<&MediaDir>, path: &str) -> Response<Vec<u8>> {
    let bytes = media.and_then(|m| {
        let rest = path.strip_prefix('/')?;
        let (kind, id) = rest.split_once('/')?;
        let read = |copy| std::fs::read(m.photo_path(id, copy)?).ok();
        match kind {
            "photo" => read(PhotoCopy::Screen),
            "window" => read(PhotoCopy::Window).or_else(|| read(PhotoCopy::Screen)),
            "thumb" => read(PhotoCopy::Thumb),
            _ => None,
        }
    });
    match bytes {
        Some(bytes) => Response::builder()
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(bytes),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Vec::new()),
    }
    .unwrap_or_else(|_| Response::new(Vec::new()))
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

        let ok = serve(Some(&media), "/photo/abc123");
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.body(), b"jpeg");
        assert_eq!(serve(Some(&media), "/thumb/abc123").body(), b"thumb");
        // A photo from before window-sized copies: the large copy stands in.
        assert_eq!(serve(Some(&media), "/window/abc123").body(), b"jpeg");
        std::fs::write(dir.path().join("photos/abc123-window.jpg"), b"window").unwrap();
        assert_eq!(serve(Some(&media), "/window/abc123").body(), b"window");
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
            let r = serve(Some(&media), bad);
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
            assert!(r.body().is_empty(), "{bad}");
        }
        assert_eq!(serve(None, "/photo/abc123").status(), StatusCode::NOT_FOUND);
    }
}
