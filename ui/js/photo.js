// The baby's photo behind the calm screen: the chosen one (or each in turn),
// in the smallest copy that covers the window; and adding one.
import * as ipc from "./ipc.js";
import { PHOTO_EXTENSIONS } from "./constants.js";
import { nextPhoto, photoCopyFor } from "./view.js";

const $ = (id) => document.getElementById(id);

/** Draws the photo the store says is shown; returns the photo actions. */
export function setupPhoto({ store, notice: { show, attempt } }) {
  const element = document.querySelector(".photo");
  let url = null;
  let decoded = Promise.resolve();

  /** Shows one photo (by id), or Letdown's own calm picture. */
  function display(id) {
    if (!id) {
      url = null;
      element.style.backgroundImage = "";
      delete element.dataset.photo;
      return;
    }
    const photo = store.get().photos.photos.find((p) => p.id === id);
    // The smallest copy that still covers the window: a 2560 px photo decoded
    // is three times the memory of the 1440 px one a laptop's window needs.
    const copy = photo ? photoCopyFor(photo, innerWidth, innerHeight, devicePixelRatio) : "photo";
    const next = ipc.mediaUrl(copy, id);
    if (next === url) return;
    url = next;
    const image = new Image();
    image.src = url;
    decoded = image.decode().catch(() => {});
    element.style.backgroundImage = `url("${url}")`;
    element.dataset.photo = id;
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
  });

  // A window made larger (or moved to a denser screen) may need the larger copy.
  let resizeTimer = null;
  addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => store.get().shown && display(store.get().shown), 250);
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
