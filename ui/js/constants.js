// What Rust and the UI must agree on, in one place; a Rust test reads these lines as written.
export const ML_PER_OZ = 29.5735295625;
export const EVENTS = { changed: "session://changed", audio: "audio://status" };
export const REMINDER_EVENTS = {"shown": "reminder://shown", "opened": "reminder://opened", "trayStart": "tray://start"};
export const MEDIA_BASE = "media://localhost";
export const MEDIA_BASE_WINDOWS = "http://media.localhost";
export const CLIP_EXTENSIONS = ["m4a", "mp4", "aac", "mp3", "wav", "ogg", "oga", "opus", "flac", "webm", "weba", "mov", "m4v", "3gp", "caf"];
export const VIDEO_EXTENSIONS = ["mp4", "mov", "m4v", "webm"];
export const VIDEO_MIME = { "mp4": "video/mp4", "mov": "video/quicktime", "m4v": "video/mp4", "webm": "video/webm" };
export const PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "heic", "heif", "hif", "avif"];
