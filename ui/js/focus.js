// Settings' "Where is your baby's face?": the chosen photo, large, with a
// marker the parent puts on the face by a click or with the arrow keys. The
// calm screen keeps that point in view, clear of the controls (view.js's
// framePhoto).
import * as ipc from "./ipc.js";

const $ = (id) => document.getElementById(id);

/** Arrow keys move the point this far (Shift: further), in fractions of the photo. */
const STEP = 0.02;
const BIG_STEP = 0.1;

const percent = (v) => `${Math.round(v * 100)} %`;

/** Wires the face editor to `store`; drawn from the chosen photo in it. */
export function setupFocus({ store, notice: { attempt } }) {
  const chosen = () => {
    const { photos, active } = store.get().photos;
    return photos.find((p) => p.id === active) ?? null;
  };

  function render({ photos, active }) {
    const photo = photos.find((p) => p.id === active);
    $("focus-editor").hidden = !photo;
    if (!photo) return;
    $("focus-image").src = ipc.mediaUrl("window", photo.id);
    const point = photo.focus ?? { x: 0.5, y: 0.5 };
    const marker = $("focus-point");
    marker.style.left = `${point.x * 100}%`;
    marker.style.top = `${point.y * 100}%`;
    marker.dataset.set = String(Boolean(photo.focus));
    marker.setAttribute(
      "aria-label",
      photo.focus
        ? `Your baby's face: ${percent(point.x)} across, ${percent(point.y)} down. Arrow keys move it.`
        : "No face marked yet: the photo is shown centred. Arrow keys or a click on the photo mark it.",
    );
    $("focus-clear").disabled = !photo.focus;
  }

  /** Shows the point at once (the calm screen follows); saves it a moment later. */
  let saveTimer = null;
  function setPoint(focus, { now = false } = {}) {
    const photo = chosen();
    if (!photo) return;
    store.update(({ photos }) => ({
      photos: { ...photos, photos: photos.photos.map((p) => (p.id === photo.id ? { ...p, focus } : p)) },
    }));
    clearTimeout(saveTimer);
    const save = async () => {
      const saved = await attempt(() => ipc.call("set_photo_focus", { id: photo.id, focus }));
      // A refused point is put back as the diary has it.
      const photos = saved ?? (await attempt(() => ipc.call("list_photos")));
      if (photos) store.set({ photos });
    };
    if (now) save();
    else saveTimer = setTimeout(save, 400);
  }

  const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000));

  $("focus-image").addEventListener("click", (event) => {
    const box = $("focus-image").getBoundingClientRect();
    setPoint({ x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) }, { now: true });
    $("focus-point").focus();
  });

  $("focus-point").addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const step = event.shiftKey ? BIG_STEP : STEP;
    const from = chosen()?.focus ?? { x: 0.5, y: 0.5 };
    setPoint({ x: clamp(from.x + move[0] * step), y: clamp(from.y + move[1] * step) });
  });

  $("focus-clear").addEventListener("click", () => {
    setPoint(null, { now: true });
    $("focus-point").focus();
  });

  store.subscribe((state, before) => {
    if (state.dialog === "settings" && (state.photos !== before.photos || before.dialog !== "settings")) render(state.photos);
  });
  render(store.get().photos);
}
