// The calm screen: renders the engine's snapshots and sends the parent's
// intents. It never decides what phase the session is in; Rust does.
import * as ipc from "./ipc.js";
import { aboutLine } from "./format.js";
import { sessionView, nextSide, msUntilNextTick, finishFromForm } from "./view.js";

const $ = (id) => document.getElementById(id);

let snapshot = null;
let receivedAt = 0;
let redraw = null;
let noticeTimer = null;

function showNotice(message, { undo = false, forMs = 8000 } = {}) {
  $("notice-text").textContent = message;
  $("undo").hidden = !undo;
  $("notice").hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => ($("notice").hidden = true), forMs);
}

/** Runs an IPC call; any error becomes a calm message on screen. */
async function attempt(work) {
  try {
    return await work();
  } catch (error) {
    showNotice(error.message ?? String(error));
    return undefined;
  }
}

function setSnapshot(next) {
  snapshot = next;
  receivedAt = performance.now();
  render();
}

function render() {
  const since = performance.now() - receivedAt;
  const view = sessionView(snapshot, since);
  document.body.dataset.mode = view.mode;
  const idle = view.mode === "idle";
  const finishing = !$("finish").hidden;
  $("idle").hidden = !idle;
  $("active").hidden = idle || finishing;
  if (idle) {
    $("finish").hidden = true;
    delete document.body.dataset.finishing;
    $("greeting").textContent = "Ready when you are";
    $("step-name").textContent = "Letdown";
    $("timer").textContent = "00:00";
    $("timer-label").textContent = "";
    $("cue").textContent = "Find a comfortable seat, have a drink nearby, and let your shoulders drop.";
  } else {
    $("greeting").textContent = view.routineName;
    $("step-name").textContent = view.stepName;
    $("timer").textContent = view.clock;
    $("timer-label").textContent = view.clockLabel;
    $("cue").textContent = view.cue;
    $("recovered").hidden = !view.recovered;
    $("letdowns").textContent = view.letdownText;
    $("side").textContent = view.sideText;
    $("pause").textContent = view.pauseLabel;
    $("pause").disabled = view.mode === "complete";
    for (const button of document.querySelectorAll("[data-side]")) {
      button.setAttribute("aria-pressed", String(button.dataset.side === view.side));
    }
    const steps = $("steps");
    steps.replaceChildren(
      ...view.steps.map((step) => {
        const li = document.createElement("li");
        li.className = step.state;
        li.textContent = `${step.name} · ${step.length}`;
        if (step.state === "current") li.setAttribute("aria-current", "step");
        return li;
      }),
    );
    if (view.mode === "complete" && !finishing) openFinish();
  }
  clearTimeout(redraw);
  const wait = msUntilNextTick(view, since);
  if (wait !== null) redraw = setTimeout(render, wait);
}

function openFinish() {
  $("finish").hidden = false;
  document.body.dataset.finishing = "true";
  $("active").hidden = true;
  $("amount-left").focus();
}

async function intent(body) {
  const next = await attempt(() => ipc.call("session_intent", { intent: body }));
  if (next) setSnapshot(next);
}

function togglePause() {
  const view = sessionView(snapshot);
  if (view.mode === "running") intent({ kind: "pause" });
  else if (view.mode === "paused") intent({ kind: "resume" });
}

async function saveFinish(event) {
  event.preventDefault();
  const form = new FormData($("finish"));
  let finish;
  try {
    finish = finishFromForm(Object.fromEntries(form.entries()));
  } catch (error) {
    showNotice(error.message);
    return;
  }
  const id = await attempt(() => ipc.call("finish_session", { finish }));
  if (id !== undefined) {
    $("finish").reset();
    $("finish").hidden = true;
    showNotice("Saved to your diary.");
    setSnapshot(await ipc.call("get_state"));
  }
}

async function discard() {
  const next = await attempt(() => ipc.call("discard_session"));
  if (next) {
    $("finish").hidden = true;
    setSnapshot(next);
    showNotice("Session discarded.", { undo: true, forMs: 20000 });
  }
}

async function undoDiscard() {
  const next = await attempt(() => ipc.call("undo_discard"));
  if (next) {
    $("notice").hidden = true;
    setSnapshot(next);
  }
}

function onKey(event) {
  const typing = event.target.closest?.("input, textarea, select");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const mode = sessionView(snapshot).mode;
  if (mode === "idle" || !$("finish").hidden) return;
  const key = event.key.toLowerCase();
  const actions = {
    " ": togglePause,
    l: () => intent({ kind: "let_down" }),
    s: () => intent({ kind: "side", side: nextSide(snapshot.session.side) }),
    e: openFinish,
    m: () => changeSound({ on: !sound?.prefs.on }),
  };
  const action = actions[key];
  if (!action) return;
  // Handled here: Space must not also press a focused button, and the key
  // must not land in the field that gets focus.
  event.preventDefault();
  action();
}

function showPhoto(photos) {
  const photo = document.querySelector(".photo");
  if (photos?.active) {
    photo.style.backgroundImage = `url("${ipc.mediaUrl("photo", photos.active)}")`;
    photo.dataset.photo = photos.active;
  }
}

async function importPhoto(path) {
  if (!path) return;
  showNotice("Adding your photo…", { forMs: 60000 });
  const photos = await attempt(() => ipc.call("import_photo", { path }));
  if (photos) {
    showPhoto(photos);
    showNotice("Photo added.");
  }
}

let sound = null;

function showSound(next) {
  if (!next) return;
  sound = next;
  $("clip-name").textContent = next.clip
    ? `Sound: your recording “${next.clip.original_name}”.`
    : "Sound: Letdown's own gentle sound.";
  $("sound-toggle").textContent = next.prefs.on ? "Sound on" : "Sound off";
  $("sound-toggle").setAttribute("aria-pressed", String(next.prefs.on));
  $("volume").value = String(next.prefs.volume);
  const unavailable = next.status.state === "unavailable";
  $("sound-problem").hidden = !unavailable;
  document.body.dataset.sound = next.status.state;
}

async function importClip(path) {
  if (!path) return;
  showNotice("Checking your recording…", { forMs: 120000 });
  const next = await attempt(() => ipc.call("import_clip", { path }));
  if (next) {
    showSound(next);
    showNotice("Recording added.");
  }
}

function importDropped(paths) {
  const path = paths[0];
  const kind = ipc.kindOfFile(path);
  if (kind === "photo") importPhoto(path);
  else if (kind === "clip") importClip(path);
  else showNotice("Drop a photo (JPEG, PNG, WebP, GIF) or a recording (.m4a, .mp3, .wav, .ogg, .flac).");
}

async function changeSound(change) {
  showSound(await attempt(() => ipc.call("set_sound", { change })));
}

async function start() {
  $("start").addEventListener("click", async () => {
    const routineId = Number($("routine").value);
    const next = await attempt(() => ipc.call("start_session", { routineId }));
    if (next) setSnapshot(next);
  });
  $("pause").addEventListener("click", togglePause);
  for (const button of document.querySelectorAll("[data-intent]")) {
    button.addEventListener("click", () => intent({ kind: button.dataset.intent }));
  }
  for (const button of document.querySelectorAll("[data-side]")) {
    button.addEventListener("click", () => intent({ kind: "side", side: button.dataset.side }));
  }
  $("end").addEventListener("click", openFinish);
  $("keep-going").addEventListener("click", () => {
    $("finish").hidden = true;
    delete document.body.dataset.finishing;
    render();
  });
  $("finish").addEventListener("submit", saveFinish);
  $("discard").addEventListener("click", discard);
  $("undo").addEventListener("click", undoDiscard);
  document.addEventListener("keydown", onKey);
  $("choose-photo").addEventListener("click", async () => {
    const path = await attempt(() => ipc.pickFile("Choose a photo of your baby", "Photos", ipc.PHOTO_EXTENSIONS));
    await importPhoto(path);
  });
  $("choose-clip").addEventListener("click", async () => {
    const path = await attempt(() => ipc.pickFile("Choose a recording of your baby", "Recordings", ipc.CLIP_EXTENSIONS));
    await importClip(path);
  });
  $("preview").addEventListener("click", async () => {
    const play = $("preview").getAttribute("aria-pressed") !== "true";
    showSound(await attempt(() => ipc.call("preview_sound", { play })));
    $("preview").setAttribute("aria-pressed", String(play));
    $("preview").textContent = play ? "Stop preview" : "Preview sound";
  });
  $("sound-toggle").addEventListener("click", () => changeSound({ on: !sound?.prefs.on }));
  $("volume").addEventListener("change", () => changeSound({ volume: Number($("volume").value) }));
  $("retry-sound").addEventListener("click", async () => {
    const next = await attempt(() => ipc.call("retry_sound"));
    showSound(next);
    if (next?.status.state === "unavailable") showNotice("Still no sound. Check that speakers or headphones are connected.");
  });
  await ipc.onFileDrop({
    over: (on) => document.body.classList.toggle("dropping", on),
    drop: importDropped,
  });

  await ipc.listen("session://changed", (next) => setSnapshot(next));
  await ipc.listen("audio://status", (status) => sound && showSound({ ...sound, status }));

  const info = await attempt(() => ipc.appInfo());
  if (info) {
    $("about").textContent = aboutLine(info);
    $("about").title = `Your diary and photos are kept in ${info.data_dir}`;
  }
  const routines = await attempt(() => ipc.call("list_routines"));
  for (const routine of routines ?? []) {
    $("routine").append(new Option(routine.name, routine.id));
  }
  showPhoto(await attempt(() => ipc.call("list_photos")));
  showSound(await attempt(() => ipc.call("get_sound")));
  const state = await attempt(() => ipc.call("get_state"));
  setSnapshot(state ?? null);
  document.body.dataset.ready = "true";
}

start();
