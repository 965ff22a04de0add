// The only place the UI talks to Rust: wraps Tauri's invoke/listen so the rest
// of the UI (and its tests) never touch window.__TAURI__ directly.
import { CLIP_EXTENSIONS, MEDIA_BASE, MEDIA_BASE_WINDOWS, PHOTO_EXTENSIONS, VIDEO_EXTENSIONS } from "./constants.js";

function tauri() {
  const api = globalThis.__TAURI__;
  if (!api) throw new Error("Letdown's window is not connected to the app.");
  return api;
}

/** Calls a Rust command. Rejects with `{ kind, message }` (and `retryable`
 * when Rust says trying again may help) as the Rust `Error` serialises. */
export async function call(command, args = {}) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (error) {
    throw toUiError(error);
  }
}

/** The start-up answer (see `startup` in commands/mod.rs). Rust hands it to
 * the page as the window opens (`open_main_window` in lib.rs), so the first
 * paint waits for no round trip; it is taken once, and only on the page's
 * first load: after a reload it would be out of date, so it is asked for
 * afresh. */
export async function startup(navigation = performance.getEntriesByType?.("navigation")[0]?.type) {
  const early = globalThis.__LETDOWN_STARTUP__;
  delete globalThis.__LETDOWN_STARTUP__;
  return early && navigation === "navigate" ? early : call("startup");
}

/** Normalises anything thrown across IPC into `{ kind, message }`, with
 * `retryable: true` kept where Rust set it. */
export function toUiError(error) {
  if (error && typeof error === "object" && typeof error.message === "string") {
    const ui = { kind: error.kind ?? "unknown", message: error.message };
    return error.retryable === true ? { ...ui, retryable: true } : ui;
  }
  return { kind: "unknown", message: String(error) };
}

/** Listens for an event from Rust; `handler` gets its payload. */
export async function listen(event, handler) {
  return tauri().event.listen(event, (e) => handler(e.payload));
}

/** The URL of a photo served by the app's `media:` protocol (Windows serves
 * custom protocols as http://<name>.localhost; Rust's `media::BASE_URL` too). */
export function mediaUrl(kind, id, platform = globalThis.navigator?.userAgent ?? "") {
  const base = /Windows/.test(platform) ? MEDIA_BASE_WINDOWS : MEDIA_BASE;
  return `${base}/${kind}/${encodeURIComponent(id)}`;
}

/** A URL the page's <video> can play a kept video from: the `media:` URL
 * itself where the webview's player loads custom schemes (WebView2,
 * WKWebView); on Linux, whose WebKitGTK player cannot, a Media Source of its
 * picture (MP4 and QuickTime) or the video read whole into a `blob:` URL
 * (WebM); revoke either with `URL.revokeObjectURL`. */
export async function videoUrl(id, mime, platform = globalThis.navigator?.userAgent ?? "") {
  const url = mediaUrl("video", id, platform);
  if (!/Linux/.test(platform) || /Android/.test(platform)) return url;
  // From a blob: URL WebKitGTK garbles videos above about 2 Mbit/s (docs/PACKAGING.md);
  // its Media Source player plays them, as a fragmented MP4 (fragment.rs).
  if (mime !== "video/webm" && globalThis.MediaSource) return sourceUrl(mediaUrl("picture", id, platform));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`media: answered ${response.status}`);
  return URL.createObjectURL(new Blob([await response.arrayBuffer()], { type: mime }));
}

const APPEND_BYTES = 1 << 20;

/** A `blob:` URL of a MediaSource fed the fragmented MP4 at `url`; a file
 * it cannot take ends the stream as a decode error, which the <video> reports. */
async function sourceUrl(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`media: answered ${response.status}`);
  let bytes = await response.arrayBuffer();
  const source = new MediaSource();
  const fail = () => source.readyState === "open" && source.endOfStream("decode");
  source.addEventListener(
    "sourceopen",
    () => {
      try {
        const buffer = source.addSourceBuffer("video/mp4");
        // A megabyte at a time: WebKit refuses one large append (QuotaExceededError).
        let at = 0;
        const next = () => {
          if (bytes === null || source.readyState !== "open") return;
          if (at >= bytes.byteLength) {
            bytes = null; // the SourceBuffer holds its own copy now
            return source.endOfStream();
          }
          const length = Math.min(APPEND_BYTES, bytes.byteLength - at);
          buffer.appendBuffer(new Uint8Array(bytes, at, length));
          at += length;
        };
        buffer.addEventListener("updateend", () => {
          try {
            next();
          } catch {
            fail();
          }
        });
        buffer.addEventListener("error", fail, { once: true });
        next();
      } catch {
        fail();
      }
    },
    { once: true },
  );
  return URL.createObjectURL(source);
}

/** Opens the system's file picker; resolves to a path or null. */
export async function pickFile(title, name, extensions) {
  return tauri().dialog.open({ title, multiple: false, directory: false, filters: [{ name, extensions }] });
}

/** Opens the system's save dialog (which asks before replacing a file); resolves to a path or null. */
export async function saveFile(title, defaultPath, extension) {
  return tauri().dialog.save({ title, defaultPath, filters: [{ name: extension.toUpperCase(), extensions: [extension] }] });
}

/** Which import a dropped file is for, by its ending: "photo", "clip" or null. */
export function kindOfFile(path) {
  const ext = String(path).split(".").pop().toLowerCase();
  if (PHOTO_EXTENSIONS.includes(ext)) return "photo";
  if (VIDEO_EXTENSIONS.includes(ext)) return "video";
  if (CLIP_EXTENSIONS.includes(ext)) return "clip";
  return null;
}

/** Calls `over(true/false)` while files are dragged over the window, and
 * `drop(paths)` when they are dropped. */
export async function onFileDrop({ over, drop }) {
  return tauri().webview.getCurrentWebview().onDragDropEvent((event) => {
    const { type, paths } = event.payload;
    if (type === "enter" || type === "over") over(true);
    else if (type === "leave") over(false);
    else if (type === "drop") {
      over(false);
      if (paths?.length) drop(paths);
    }
  });
}
