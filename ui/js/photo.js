// The baby's photo behind the calm screen: the chosen one (or each in turn),
// framed so the baby's face is clear of the controls, in the smallest copy
// that covers the window; and adding one.
import * as ipc from "./ipc.js";
import { PHOTO_EXTENSIONS, VIDEO_EXTENSIONS, VIDEO_MIME } from "./constants.js";
import { framePhoto, nextPhoto, photoCopyFor, videoShouldPlay } from "./view.js";

const $ = (id) => document.getElementById(id);

/** Draws the photo the store says is shown; returns the photo actions. */
export function setupPhoto({ store, notice: { show, attempt } }) {
  const element = document.querySelector(".photo");
  const backdrop = document.querySelector(".photo-backdrop");
  // The baby's video, over its own first frame (the photo copies): muted
  // (its sound, when chosen, plays through Letdown's own sound), looping.
  const video = document.createElement("video");
  Object.assign(video, { muted: true, loop: true, playsInline: true, hidden: true, preload: "auto" });
  video.disablePictureInPicture = true;
  element.append(video);
  const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
  // A video that stops playing (the system's player gave up on it) leaves
  // its first frame in place, and says so once.
  video.addEventListener("error", () => {
    if (videoId === null) return;
    const photo = store.get().photos.photos.find((p) => p.id === videoId);
    show(`Letdown could not keep playing “${photo?.original_name ?? "your video"}” on this computer, so its first frame is shown instead.`);
    video.hidden = true;
  });
  let url = null;
  let decoded = Promise.resolve();

  /** What covers the screen now: the face is framed clear of it. */
  function covered() {
    const parts = [...document.querySelectorAll("main > *, .footer")];
    return parts.filter((el) => el.getClientRects().length > 0).map((el) => el.getBoundingClientRect());
  }

  /** Shows one photo (by id), or Letdown's own calm picture, framed on the
   * baby's face; `glide` moves it there slowly (a new screen, not a resize). */
  function display(id, { glide = false } = {}) {
    const photo = id && store.get().photos.photos.find((p) => p.id === id);
    if (!photo) {
      url = null;
      element.style.backgroundImage = "";
      for (const name of ["backgroundSize", "backgroundPosition"]) element.style[name] = "";
      for (const name of ["--face-x", "--face-y", "--face-r"]) element.style.removeProperty(name);
      delete element.dataset.photo;
      showBackdrop(false);
      showVideo(null);
      return;
    }
    const frame = framePhoto(photo, innerWidth, innerHeight, covered());
    // For the tests: the window size this framing is for.
    element.dataset.framed = `${innerWidth}x${innerHeight}`;
    if (glide) element.dataset.glide = "true";
    else delete element.dataset.glide;
    element.style.backgroundSize = `${frame.size[0]}px ${frame.size[1]}px`;
    element.style.backgroundPosition = `${frame.offset[0]}px ${frame.offset[1]}px`;
    if (frame.face) {
      element.style.setProperty("--face-x", `${frame.face[0]}px`);
      element.style.setProperty("--face-y", `${frame.face[1]}px`);
      element.style.setProperty("--face-r", `${Math.round(0.12 * Math.min(innerWidth, innerHeight))}px`);
    } else {
      for (const name of ["--face-x", "--face-y", "--face-r"]) element.style.removeProperty(name);
    }
    // The smallest copy that still covers the window: a 2560 px photo decoded
    // is three times the memory of the 1440 px one a laptop's window needs.
    const copy = photoCopyFor(photo, innerWidth * frame.zoom, innerHeight * frame.zoom, devicePixelRatio);
    showVideo(photo, frame);
    const next = ipc.mediaUrl(copy, id);
    if (next === url) return showBackdrop(frame.gap, frame);
    url = next;
    const image = new Image();
    image.src = url;
    decoded = image.decode().catch(() => {});
    element.style.backgroundImage = `url("${url}")`;
    element.dataset.photo = id;
    showBackdrop(frame.gap, frame);
  }

  /** The video over its first frame, in the same place, or none. */
  let videoId = null;
  function showVideo(photo, frame) {
    if (!photo?.video) {
      if (videoId === null) return;
      videoId = null;
      video.hidden = true;
      if (video.src.startsWith("blob:")) URL.revokeObjectURL(video.src);
      video.removeAttribute("src");
      video.load(); // lets go of the file and the decoder
      return;
    }
    const [left, top] = frame.offset;
    const [width, height] = frame.size;
    Object.assign(video.style, { left: `${left}px`, top: `${top}px`, width: `${width}px`, height: `${height}px` });
    if (videoId !== photo.id) {
      videoId = photo.id;
      loadVideo(photo);
    }
    syncVideo();
  }

  /** Puts a kept video into the element, once read (its first frame, the
   * photo copy, shows meanwhile); one shown since then wins. */
  async function loadVideo(photo) {
    let src;
    try {
      src = await ipc.videoUrl(photo.id, VIDEO_MIME[photo.video]);
    } catch {
      return; // the first frame stays, as a photo
    }
    if (videoId !== photo.id) return URL.revokeObjectURL(src);
    if (video.src.startsWith("blob:")) URL.revokeObjectURL(video.src);
    video.src = src;
    video.hidden = false;
    syncVideo();
  }

  /** Plays the video unless the session is paused, discreet mode is on,
   * the window is hidden or the system asks for reduced motion. */
  function syncVideo() {
    if (videoId === null) return;
    const { snapshot, discreet } = store.get();
    const play = videoShouldPlay({ phase: snapshot?.session?.phase, discreet, hidden: document.visibilityState === "hidden", reducedMotion: reducedMotion.matches });
    if (play) video.play().catch(() => {});
    else video.pause();
  }
  document.addEventListener("visibilitychange", syncVideo);
  reducedMotion.addEventListener("change", syncVideo);

  /** The blurred copy behind a photo moved aside, and the photo's edges
   * that lie inside the window faded into it rather than cut. */
  function showBackdrop(on, frame) {
    const mask = on ? softEdges(frame) : {};
    for (const name of ["image", "size", "position", "repeat", "composite"]) {
      element.style.setProperty(`mask-${name}`, mask[name] ?? "");
      element.style.setProperty(`-webkit-mask-${name}`, mask[name === "composite" ? "webkitComposite" : name] ?? "");
    }
    backdrop.hidden = !on;
    backdrop.style.backgroundImage = on ? `url("${url}")` : "";
    if (on) element.dataset.gap = "true";
    else delete element.dataset.gap;
  }

  /** A mask over the photo's own rect fading out its last 6 % at each edge
   * that lies inside the window (the two directions intersected). */
  function softEdges({ offset: [left, top], size: [width, height] }) {
    const edges = (from, span, window) =>
      `${from > 0.5 ? "transparent 0, black 6%" : "black 0"}, ${from + span < window - 0.5 ? "black 94%, transparent 100%" : "black 100%"}`;
    const rect = `${width}px ${height}px`;
    return {
      image: `linear-gradient(to right, ${edges(left, width, innerWidth)}), linear-gradient(to bottom, ${edges(top, height, innerHeight)})`,
      size: `${rect}, ${rect}`,
      position: `${left}px ${top}px, ${left}px ${top}px`,
      repeat: "no-repeat",
      composite: "intersect",
      webkitComposite: "source-in",
    };
  }

  // Framed once the page has its new layout (the session's part draws it in
  // the same change), once a frame.
  let pending = null;
  function displaySoon(glide) {
    pending = { glide: glide || Boolean(pending?.glide) };
    requestAnimationFrame(() => {
      if (!pending) return;
      const { glide: slowly } = pending;
      pending = null;
      display(store.get().shown, { glide: slowly });
    });
  }

  let rotateTimer = null;
  store.subscribe((state, before) => {
    const minutes = state.prefs?.rotate_minutes ?? 0;
    if (state.photos !== before.photos || minutes !== (before.prefs?.rotate_minutes ?? 0)) {
      clearInterval(rotateTimer);
      // Only what is shown changes; the chosen photo stays the chosen one.
      if (minutes > 0 && state.photos.photos.length > 1) {
        rotateTimer = setInterval(() => store.update((s) => ({ shown: nextPhoto(s.photos.photos, s.shown) })), minutes * 60_000);
      }
      store.set({ shown: state.photos.active });
    }
    if (state.snapshot !== before.snapshot || state.discreet !== before.discreet) syncVideo();
    if (state.shown !== before.shown) display(state.shown);
    else if (state.photos !== before.photos) displaySoon(false);
    // A new screen (a session begins or ends, the finish sheet) is laid out anew.
    // (Not the first screen after start-up: that is drawn where it belongs.)
    const screen = (s) => `${Boolean(s.snapshot?.session)} ${s.finishing}`;
    if (screen(state) !== screen(before)) displaySoon(before.snapshot !== null);
  });

  // A window made larger (or moved to a denser screen) may need the larger copy.
  let resizeTimer = null;
  addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => display(store.get().shown), 250);
  });

  async function importPhoto(path) {
    if (!path) return;
    show("Adding your photo…", { forMs: 60000 });
    const photos = await attempt(() => ipc.call("import_photo", { path }));
    if (!photos) return;
    store.set({ photos });
    show("Photo added.");
  }

  /** Adds a video: Rust copies it (after checking it is one, of a size
   * Letdown takes), this webview tries to play it, and only a video it can
   * play is kept, with its first frame as its picture. */
  async function importVideo(path, { soundOnly } = {}) {
    if (!path) return;
    show("Adding your video…", { forMs: 120000 });
    const staged = await attempt(() => ipc.call("stage_video", { path }));
    if (!staged) return;
    const tried = await tryVideo(staged.id, staged.mime);
    if (!tried.ok) {
      await ipc.call("discard_video", { id: staged.id }).catch(() => {});
      // A dropped .webm or .mp4 that is only sound is a recording.
      if (tried.why === "no picture" && soundOnly) return soundOnly(path);
      if (tried.why === "no picture") return show(`“${staged.name}” has no picture. To use its sound, choose it under Recording in Settings.`);
      const why = tried.why === "codec" ? " Its picture is in a format this computer cannot play." : " It may be damaged or incomplete.";
      show(`Letdown cannot play “${staged.name}” here.${why} Your photo stays as it was. Its sound can still be your recording: choose the video under Recording in Settings.`);
      return;
    }
    const photos = await attempt(() =>
      ipc.call("add_video", { id: staged.id, name: staged.name, width: tried.width, height: tried.height, durationMs: tried.durationMs, poster: tried.poster }),
    );
    if (!photos) {
      await ipc.call("discard_video", { id: staged.id }).catch(() => {});
      return;
    }
    store.set({ photos });
    show("Video added. It plays, without sound, instead of the photo.");
  }

  /** Plays a video hidden, as a test: its size, length and first frame
   * (a JPEG of at most 1440 px a side), or why it would not play. */
  async function tryVideo(id, mime) {
    const probe = document.createElement("video");
    Object.assign(probe, { muted: true, preload: "auto", playsInline: true });
    if (probe.canPlayType(mime) === "") return { ok: false, why: "codec" };
    let src = null;
    try {
      src = await ipc.videoUrl(id, mime);
      await new Promise((loaded, failed) => {
        // A file cut short can leave the player waiting for the rest for ever.
        const timer = setTimeout(() => failed(new Error("timed out")), 10000);
        probe.addEventListener("loadeddata", () => (clearTimeout(timer), loaded()), { once: true });
        probe.addEventListener("error", () => (clearTimeout(timer), failed(probe.error)), { once: true });
        probe.src = src;
      });
      const { videoWidth: width, videoHeight: height } = probe;
      if (!width || !height) return { ok: false, why: "no picture" };
      const scale = Math.min(1, 1440 / Math.max(width, height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      canvas.getContext("2d").drawImage(probe, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.88));
      if (!blob) return { ok: false, why: "codec" };
      const poster = [...new Uint8Array(await blob.arrayBuffer())];
      // A first frame is not yet a video that plays: some fail once running
      // ("failed to send data for decoding"), so it plays a moment first.
      await new Promise((played, failed) => {
        const timer = setTimeout(() => failed(new Error("did not play")), 10000);
        probe.addEventListener("timeupdate", () => probe.currentTime > 0.2 && (clearTimeout(timer), played()));
        probe.addEventListener("error", () => (clearTimeout(timer), failed(probe.error)), { once: true });
        probe.play().catch((e) => (clearTimeout(timer), failed(e)));
      });
      return { ok: true, width: canvas.width, height: canvas.height, durationMs: probe.duration * 1000, poster };
    } catch (error) {
      // MEDIA_ERR_DECODE (3) and MEDIA_ERR_SRC_NOT_SUPPORTED (4): the format.
      return { ok: false, why: error?.code >= 3 ? "codec" : "other" };
    } finally {
      probe.removeAttribute("src");
      probe.load();
      if (src?.startsWith("blob:")) URL.revokeObjectURL(src);
    }
  }

  /** A photo or a video, by the file's kind. */
  function importMedia(path) {
    return ipc.kindOfFile(path) === "video" ? importVideo(path) : importPhoto(path);
  }

  async function choosePhoto() {
    const extensions = [...PHOTO_EXTENSIONS, ...VIDEO_EXTENSIONS];
    await importMedia(await attempt(() => ipc.pickFile("Choose a photo or video of your baby", "Photos and videos", extensions)));
  }

  for (const id of ["choose-photo", "welcome-photo"]) $(id).addEventListener("click", choosePhoto);

  return { importPhoto, importVideo, importMedia, choosePhoto, decoded: () => decoded };
}
