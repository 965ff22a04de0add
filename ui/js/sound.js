// What is heard: the baby's recording (or Letdown's own sound), on or off,
// its volume, a preview, a device that may be missing; and adding a recording.
import * as ipc from "./ipc.js";
import { CLIP_EXTENSIONS } from "./constants.js";
import { clipText } from "./view.js";

const $ = (id) => document.getElementById(id);

/** Draws the sound the store holds; returns the sound actions. */
export function setupSound({ store, notice: { show, attempt } }) {
  function render(sound) {
    $("clip-name").textContent = clipText(sound);
    $("sound-toggle").textContent = sound.prefs.on ? "Sound on" : "Sound off";
    $("sound-toggle").setAttribute("aria-pressed", String(sound.prefs.on));
    $("volume").value = String(sound.prefs.volume);
    $("sound-problem").hidden = sound.status.state !== "unavailable";
    document.body.dataset.sound = sound.status.state;
  }
  // Rust ends a preview when a session starts: so does the button.
  store.subscribe(({ snapshot, sound, previewing }, before) => {
    if (sound && sound !== before.sound && sound.previewing !== previewing) store.set({ previewing: sound.previewing });
    else if (previewing && snapshot?.session) store.set({ previewing: false });
  });
  store.subscribe(({ sound, previewing }, before) => {
    if (sound && sound !== before.sound) render(sound);
    if (previewing !== before.previewing) {
      $("preview").setAttribute("aria-pressed", String(previewing));
      $("preview").textContent = previewing ? "Stop preview" : "Preview sound";
    }
  });

  /** Keeps a `Sound` answer; a failed call (undefined) changes nothing. */
  const keep = (sound) => sound && store.set({ sound });

  const changeSound = async (change) => keep(await attempt(() => ipc.call("set_sound", { change })));
  const toggleSound = () => changeSound({ on: !store.get().sound?.prefs.on });

  async function togglePreview() {
    const play = !store.get().previewing;
    const sound = await attempt(() => ipc.call("preview_sound", { play }));
    keep(sound);
  }

  async function importClip(path) {
    if (!path) return;
    show("Checking your recording…", { forMs: 120000 });
    const sound = await attempt(() => ipc.call("import_clip", { path }));
    if (!sound) return;
    keep(sound);
    show("Recording added.");
  }

  /** A kept video's sound becomes the recording. */
  async function useVideoSound(id) {
    show("Reading the video's sound…", { forMs: 120000 });
    const sound = await attempt(() => ipc.call("use_video_sound", { id }));
    if (!sound) return;
    keep(sound);
    show("The video's sound is now your recording.");
  }

  async function chooseClip() {
    await importClip(await attempt(() => ipc.pickFile("Choose a recording or video of your baby", "Recordings and videos", CLIP_EXTENSIONS)));
  }

  for (const id of ["choose-clip", "welcome-clip"]) $(id).addEventListener("click", chooseClip);
  $("preview").addEventListener("click", togglePreview);
  $("sound-toggle").addEventListener("click", toggleSound);
  $("volume").addEventListener("change", () => changeSound({ volume: Number($("volume").value) }));
  $("retry-sound").addEventListener("click", async () => {
    const sound = await attempt(() => ipc.call("retry_sound"));
    keep(sound);
    if (sound?.status.state === "unavailable") show("Still no sound. Check that speakers or headphones are connected.");
  });

  return { changeSound, toggleSound, togglePreview, importClip, chooseClip, useVideoSound };
}
