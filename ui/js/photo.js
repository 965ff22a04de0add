// The baby's photo behind the calm screen: the chosen one (or each in turn),
// framed so the baby's face is clear of the controls, in the smallest copy
// that covers the window; and adding one.
import * as ipc from "./ipc.js";
import { PHOTO_EXTENSIONS } from "./constants.js";
import { framePhoto, nextPhoto, photoCopyFor } from "./view.js";

const $ = (id) => document.getElementById(id);

/** Draws the photo the store says is shown; returns the photo actions. */
export function setupPhoto({ store, notice: { show, attempt } }) {
  const element = document.querySelector(".photo");
  const backdrop = document.querySelector(".photo-backdrop");
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

  async function choosePhoto() {
    await importPhoto(await attempt(() => ipc.pickFile("Choose a photo of your baby", "Photos", PHOTO_EXTENSIONS)));
  }

  for (const id of ["choose-photo", "welcome-photo"]) $(id).addEventListener("click", choosePhoto);

  return { importPhoto, choosePhoto, decoded: () => decoded };
}
