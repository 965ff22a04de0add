// The calm screen: renders the engine's snapshots and sends the parent's
// intents. It never decides what phase the session is in; Rust does.
import * as ipc from "./ipc.js";
import { notice } from "./notice.js";
import { aboutLine } from "./format.js";
import { CLIP_EXTENSIONS, EVENTS, PHOTO_EXTENSIONS } from "./constants.js";
import { sessionView, nextSide, msUntilNextTick, finishFromForm, nextPhoto, breathWord, photoCopyFor, STEP_NAMES } from "./view.js";

// Times on the way to the first paint (ms since the page began loading),
// reported with `ui_ready` for the start-up benchmark.
const marks = { script: performance.now() };

// The window was made hidden (Rust's `show_window` says why) and is shown as
// soon as this script runs: its modules are in, so the web process's work of
// making the window visible no longer lands between them; the first screen
// is built meanwhile.
ipc.call("show_window").catch(() => {});

const $ = (id) => document.getElementById(id);

// Windows and macOS name their interface font "system-ui" (Segoe UI, San
// Francisco); Linux keeps sans-serif (see app.css).
if (/Windows|Macintosh/.test(navigator.userAgent)) document.documentElement.dataset.fonts = "system-ui";

let snapshot = null;
let receivedAt = 0;
let redraw = null;
let prefs = null;
let photoState = { photos: [], active: null };

const { show: showNotice, attempt, hide: hideNotice } = notice({ box: "notice", text: "notice-text", undo: "undo", retry: reopenDiary });

function setSnapshot(next) {
  snapshot = next;
  receivedAt = performance.now();
  render();
}

function render() {
  const since = performance.now() - receivedAt;
  const view = sessionView(snapshot, since, { babyName: prefs?.baby_name });
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
    $("ring").style.strokeDashoffset = "100";
  } else {
    $("ring").style.strokeDashoffset = String(100 - Math.round(view.progress * 1000) / 10);
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

async function openFinish() {
  if (!$("finish").hidden) return;
  $("finish").hidden = false;
  document.body.dataset.finishing = "true";
  $("active").hidden = true;
  $("finish").reset();
  $("unit").value = prefs?.unit ?? "ml";
  const draft = await attempt(() => ipc.call("get_draft"));
  $("draft-kept").hidden = !draft;
  if (draft) fillFinish(draft);
  $("amount-left").focus();
}

/** What is typed in the finish sheet, as the draft Rust keeps. */
function draftFromFinish() {
  const form = Object.fromEntries(new FormData($("finish")).entries());
  return {
    left: form.left ?? "",
    right: form.right ?? "",
    total: form.total ?? "",
    unit: form.unit ?? null,
    comfort: form.comfort ? Number(form.comfort) : null,
    tags: form.tags ?? "",
    note: form.note ?? "",
  };
}

function fillFinish(draft) {
  $("amount-left").value = draft.left;
  $("amount-right").value = draft.right;
  $("amount-total").value = draft.total;
  if (draft.unit) $("unit").value = draft.unit;
  for (const radio of document.querySelectorAll("input[name=comfort]")) {
    radio.checked = Number(radio.value) === draft.comfort;
  }
  $("tags").value = draft.tags;
  $("note").value = draft.note;
}

let draftTimer = null;
function keepDraftSoon() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(async () => {
    try {
      await ipc.call("keep_draft", { draft: draftFromFinish() });
    } catch (error) {
      // Saved or discarded meanwhile: there is nothing left to keep.
      if (error.kind !== "no_session") showNotice(error.message);
    }
  }, 300);
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
  clearTimeout(draftTimer);
  const id = await attempt(() => ipc.call("finish_session", { finish }));
  if (id !== undefined) {
    $("finish").reset();
    $("finish").hidden = true;
    showNotice("Saved to your diary.");
    setSnapshot(await ipc.call("get_state"));
  }
}

async function discard() {
  clearTimeout(draftTimer);
  const next = await attempt(() => ipc.call("discard_session"));
  if (next) {
    $("finish").hidden = true;
    setSnapshot(next);
    showNotice("Session discarded.", { undo: undoDiscard, forMs: 20000 });
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
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return; // a dialog handles its own keys
  if (event.key === "Escape") {
    // Discreet works from anywhere, even while typing: someone walked in.
    event.preventDefault();
    toggleDiscreet();
    return;
  }
  const typing = event.target.closest?.("input, textarea, select");
  if (typing || document.body.dataset.discreet) return;
  const key = event.key.toLowerCase();
  if (key === "b") {
    event.preventDefault();
    toggleBreathing();
    return;
  }
  const mode = sessionView(snapshot).mode;
  if (key === "d" && mode === "idle") {
    event.preventDefault();
    openDiary();
    return;
  }
  // Space starts the chosen routine, unless it is pressing another button.
  if (key === " " && mode === "idle" && !event.target.closest?.("button, a, summary")) {
    event.preventDefault();
    $("start").click();
    return;
  }
  if (mode === "idle" || !$("finish").hidden) return;
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

/** Shows one photo (by id), or Letdown's own calm picture. */
let photoDecoded = Promise.resolve();
function displayPhoto(id) {
  const photo = document.querySelector(".photo");
  const shown = photoState.photos.find((p) => p.id === id);
  if (id) {
    // The smallest copy that still covers the window: a 2560 px photo decoded
    // is three times the memory of the 1440 px one a laptop's window needs.
    const copy = shown ? photoCopyFor(shown, innerWidth, innerHeight, devicePixelRatio) : "photo";
    const url = ipc.mediaUrl(copy, id);
    if (photo.dataset.url === url) return;
    const image = new Image();
    image.src = url;
    photoDecoded = image.decode().catch(() => {});
    photo.style.backgroundImage = `url("${url}")`;
    photo.dataset.photo = id;
    photo.dataset.url = url;
  } else {
    photo.style.backgroundImage = "";
    delete photo.dataset.photo;
    delete photo.dataset.url;
  }
}

// A window made larger (or moved to a denser screen) may need the larger copy.
let resizeTimer = null;
addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const shown = document.querySelector(".photo").dataset.photo;
    if (shown) displayPhoto(shown);
  }, 250);
});

let rotateTimer = null;
function showPhoto(photos) {
  if (!photos) return;
  photoState = photos;
  displayPhoto(photos.active);
  if (settingsOpen()) renderPhotoList();
  clearInterval(rotateTimer);
  const minutes = prefs?.rotate_minutes ?? 0;
  if (minutes > 0 && photos.photos.length > 1) {
    // Only what is shown changes; the chosen photo stays the chosen one.
    rotateTimer = setInterval(() => {
      displayPhoto(nextPhoto(photoState.photos, document.querySelector(".photo").dataset.photo));
    }, minutes * 60_000);
  }
}

function renderPhotoList() {
  const list = $("photo-list");
  list.replaceChildren(
    ...photoState.photos.map((photo, i) => {
      const li = document.createElement("li");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "thumb";
      pick.setAttribute("aria-pressed", String(photo.id === photoState.active));
      pick.setAttribute("aria-label", `Show photo ${i + 1}, ${photo.original_name}`);
      const img = document.createElement("img");
      // Fetched and decoded once scrolled into view: a long list costs
      // only the thumbnails the parent sees.
      img.loading = "lazy";
      img.src = ipc.mediaUrl("thumb", photo.id);
      img.alt = "";
      pick.append(img);
      pick.addEventListener("click", async () => showPhoto(await attempt(() => ipc.call("set_active_photo", { id: photo.id }))));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove photo ${i + 1}, ${photo.original_name}`);
      remove.addEventListener("click", async () => {
        const next = await attempt(() => ipc.call("remove_photo", { id: photo.id }));
        if (next) {
          showPhoto(next);
          showNotice("Photo removed.");
          $("settings-photo").focus();
        }
      });
      li.append(pick, remove);
      return li;
    }),
  );
  if (!photoState.photos.length) {
    const li = document.createElement("li");
    li.textContent = "No photos yet: Letdown's own calm picture is shown.";
    list.append(li);
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
  $("settings-clip").textContent = $("clip-name").textContent;
  $("sound-mode").value = next.prefs.mode;
  $("settings-volume").value = String(next.prefs.volume);
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

// --- breathing guide, discreet mode, preferences ---------------------------

let breathTimer = null;
function showBreathing(on) {
  document.body.dataset.breathing = on ? "on" : "off";
  $("breathing").setAttribute("aria-pressed", String(on));
  $("breath-word").hidden = !on;
  clearTimeout(breathTimer);
  if (!on) return;
  // The words change every 5 s with the shape (and stand in for it when
  // motion is reduced); one timer a phase, nothing in between.
  const started = performance.now();
  const step = () => {
    const ms = performance.now() - started;
    $("breath-word").textContent = breathWord(ms);
    breathTimer = setTimeout(step, 5000 - (ms % 5000));
  };
  step();
}

function toggleBreathing() {
  const on = document.body.dataset.breathing !== "on";
  showBreathing(on);
  attempt(() => ipc.call("set_prefs", { change: { breathing: on } }));
}

function toggleDiscreet() {
  const on = !document.body.dataset.discreet;
  if (on) document.body.dataset.discreet = "true";
  else delete document.body.dataset.discreet;
  $("discreet-screen").hidden = !on;
  attempt(() => ipc.call("set_discreet", { on }));
  (on ? $("discreet-off") : $("active").hidden ? $("start") : $("discreet")).focus();
}

const systemLight = globalThis.matchMedia?.("(prefers-color-scheme: light)");
function applyTheme() {
  const theme = prefs?.theme ?? "dim";
  const light = theme === "light" || (theme === "system" && systemLight?.matches);
  document.documentElement.dataset.theme = light ? "light" : "dim";
}

function applyPrefs(next) {
  if (!next) return;
  const rotateChanged = prefs && prefs.rotate_minutes !== next.rotate_minutes;
  const unitChange = prefs && prefs.unit !== next.unit;
  prefs = next;
  if (unitChange) diaryLoaded?.then((diary) => diary.unitChanged());
  applyTheme();
  $("nudge").hidden = !next.drink_nudge;
  $("rotate").value = String(next.rotate_minutes);
  $("chimes").checked = next.chimes;
  $("notifications").checked = next.notifications;
  $("pref-unit").value = next.unit;
  if (document.activeElement !== $("baby-name")) $("baby-name").value = next.baby_name;
  if (rotateChanged) showPhoto(photoState);
  render();
}

async function changePrefs(change) {
  const next = await attempt(() => ipc.call("set_prefs", { change }));
  if (next) applyPrefs(next);
  else applyPrefs(prefs); // put the control back as it was
  return next;
}

let routines = [];
function renderRoutineEditor() {
  const routine = routines.find((r) => String(r.id) === $("edit-routine").value) ?? routines[0];
  if (!routine) return;
  $("edit-steps").replaceChildren(
    ...routine.steps.map((step, i) => {
      const li = document.createElement("li");
      const label = document.createElement("label");
      label.textContent = `${i + 1}. ${STEP_NAMES[step.kind]}${step.open_ended ? " (target)" : ""} `;
      const input = document.createElement("input");
      input.type = "number";
      input.min = "1";
      input.max = "180";
      input.step = "1";
      input.value = String(Math.max(1, Math.round(step.planned_ms / 60_000)));
      input.dataset.index = String(i);
      label.append(input, " min");
      li.append(label);
      return li;
    }),
  );
}

async function saveRoutine() {
  const routine = routines.find((r) => String(r.id) === $("edit-routine").value);
  if (!routine) return;
  const steps = routine.steps.map((step, i) => {
    const minutes = Number($("edit-steps").querySelector(`input[data-index="${i}"]`).value);
    return { ...step, planned_ms: Math.round(minutes * 60_000) };
  });
  if (steps.some((s) => !Number.isFinite(s.planned_ms) || s.planned_ms < 60_000 || s.planned_ms > 180 * 60_000)) {
    showNotice("Each step can last from 1 to 180 minutes.");
    return;
  }
  const id = await attempt(() => ipc.call("save_routine", { routine: { ...routine, steps } }));
  if (id !== undefined) {
    routine.steps = steps;
    showNotice(`“${routine.name}” saved.`);
  }
}

function showRoutines(list) {
  routines = list ?? [];
  const keep = $("routine").value;
  // No routines read (the diary could not be opened; the notice says why):
  // the select says so rather than standing empty.
  const options = list ? routines.map((r) => new Option(r.name, r.id)) : [new Option("Not available until the diary opens", "")];
  $("routine").replaceChildren(...options);
  $("routine").disabled = !list;
  $("edit-routine").replaceChildren(...routines.map((r) => new Option(r.name, r.id)));
  if (keep) $("routine").value = keep;
  if (settingsOpen()) renderRoutineEditor();
}

// The settings' photo list and routine editor are built as they open, and
// again if what they show changes while they are open: the first paint does
// not wait for them (nor start fetching thumbnails).
const settingsOpen = () => $("settings").open;
function openSettings() {
  renderPhotoList();
  renderRoutineEditor();
  $("settings").showModal();
  renderBackups();
}

const backupDay = (date) => new Date(`${date}T12:00:00`).toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" });

let restoreName = null;
async function renderBackups() {
  $("restore-confirm").hidden = true;
  const backups = (await attempt(() => ipc.call("list_backups"))) ?? [];
  const list = $("backup-list");
  list.replaceChildren(
    ...backups.map((b) => {
      const li = document.createElement("li");
      const label = document.createElement("span");
      const sessions = b.sessions === null ? "cannot be read" : b.sessions === 1 ? "1 session" : `${b.sessions} sessions`;
      label.textContent = `${backupDay(b.date)} · ${sessions}`;
      const restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = "Restore…";
      restore.dataset.backup = b.name;
      restore.disabled = b.sessions === null;
      restore.setAttribute("aria-label", `Restore the diary as it was on ${backupDay(b.date)}`);
      restore.addEventListener("click", () => {
        restoreName = b.name;
        $("restore-question").textContent = `Put your diary back as it was on ${backupDay(b.date)}? The diary you have now is kept aside first.`;
        $("restore-confirm").hidden = false;
        $("restore-no").focus();
      });
      li.append(label, restore);
      return li;
    }),
  );
  if (!backups.length) {
    const li = document.createElement("li");
    li.textContent = "No copies yet: the first is made today.";
    list.append(li);
  }
}

async function restoreBackup() {
  const said = await attempt(() => ipc.call("restore_backup", { name: restoreName }));
  $("restore-confirm").hidden = true;
  if (!said) return;
  $("settings").close();
  // Everything shown comes from the diary: read it all again.
  const boot = await attempt(() => ipc.call("startup"));
  if (boot) await showDiaryParts(boot);
  showNotice(said, { forMs: 30_000 });
}

async function choosePhoto() {
  const path = await attempt(() => ipc.pickFile("Choose a photo of your baby", "Photos", PHOTO_EXTENSIONS));
  await importPhoto(path);
}

async function chooseClip() {
  const path = await attempt(() => ipc.pickFile("Choose a recording of your baby", "Recordings", CLIP_EXTENSIONS));
  await importClip(path);
}

async function togglePreview() {
  const play = $("preview").getAttribute("aria-pressed") !== "true";
  showSound(await attempt(() => ipc.call("preview_sound", { play })));
  for (const button of [$("preview"), $("settings-preview")]) {
    button.setAttribute("aria-pressed", String(play));
    button.textContent = play ? "Stop preview" : "Preview sound";
  }
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
  document.addEventListener("keydown", onKey);
  for (const id of ["choose-photo", "settings-photo", "welcome-photo"]) $(id).addEventListener("click", choosePhoto);
  for (const id of ["choose-clip", "settings-clip-choose", "welcome-clip"]) $(id).addEventListener("click", chooseClip);
  $("preview").addEventListener("click", togglePreview);
  $("settings-preview").addEventListener("click", togglePreview);
  $("breathing").addEventListener("click", toggleBreathing);
  $("discreet").addEventListener("click", toggleDiscreet);
  $("discreet-off").addEventListener("click", toggleDiscreet);
  $("footer-settings").addEventListener("click", openSettings);
  $("restore-yes").addEventListener("click", restoreBackup);
  $("restore-no").addEventListener("click", () => {
    $("restore-confirm").hidden = true;
    $(`backup-list`).querySelector(`[data-backup="${restoreName}"]`)?.focus();
  });
  $("footer-diary").addEventListener("click", openDiary);
  $("nudge-close").addEventListener("click", () => {
    changePrefs({ drink_nudge: false });
    $("start").focus();
  });
  $("welcome-done").addEventListener("click", () => $("welcome").close());
  $("welcome").addEventListener("close", () => changePrefs({ welcome_done: true }));
  $("rotate").addEventListener("change", () => changePrefs({ rotate_minutes: Number($("rotate").value) }));
  $("chimes").addEventListener("change", () => changePrefs({ chimes: $("chimes").checked }));
  $("notifications").addEventListener("change", () => changePrefs({ notifications: $("notifications").checked }));
  $("pref-unit").addEventListener("change", () => changePrefs({ unit: $("pref-unit").value }));
  $("theme").addEventListener("change", () => changePrefs({ theme: $("theme").value }));
  $("baby-name").addEventListener("change", () => changePrefs({ baby_name: $("baby-name").value }));
  $("sound-mode").addEventListener("change", () => changeSound({ mode: $("sound-mode").value }));
  $("settings-volume").addEventListener("change", () => changeSound({ volume: Number($("settings-volume").value) }));
  $("edit-routine").addEventListener("change", renderRoutineEditor);
  $("save-routine").addEventListener("click", saveRoutine);
  $("finish").addEventListener("input", keepDraftSoon);
  systemLight?.addEventListener?.("change", applyTheme);
  $("sound-toggle").addEventListener("click", () => changeSound({ on: !sound?.prefs.on }));
  $("volume").addEventListener("change", () => changeSound({ volume: Number($("volume").value) }));
  $("retry-sound").addEventListener("click", async () => {
    const next = await attempt(() => ipc.call("retry_sound"));
    showSound(next);
    if (next?.status.state === "unavailable") showNotice("Still no sound. Check that speakers or headphones are connected.");
  });
  // Everything the first paint needs, in one answer; each part that failed
  // is said as any failed call is.
  const boot = await attempt(() => ipc.startup());
  marks.startup = performance.now();
  // The page stayed blank until now (app.css): it is laid out and painted
  // once, whole, as what follows runs before the next frame.
  delete document.body.dataset.starting;
  if (!boot) return;
  await showStartup(boot);
  marks.built = performance.now();
  // The listeners below are calls to Rust the first paint does not need:
  // made after it, they no longer queue ahead of it (the re-read after them
  // catches anything that changed meanwhile).
  await reportPainted();

  await Promise.all([
    ipc.onFileDrop({
      over: (on) => document.body.classList.toggle("dropping", on),
      drop: importDropped,
    }),
    ipc.listen(EVENTS.changed, (next) => setSnapshot(next)),
    ipc.listen(EVENTS.audio, (status) => sound && showSound({ ...sound, status })),
  ]);
  marks.listening = performance.now();
  // The answer may be older than the listeners: the sound device may have
  // opened (or failed), or a session's step ended, before anyone listened.
  // Errors were said with the answer already.
  const quietly = (command) => ipc.call(command).catch(() => undefined);
  const [state, nextSound] = await Promise.all([quietly("get_state"), quietly("get_sound")]);
  if (state && boot.state.ok) setSnapshot(state);
  showSound(nextSound);
  document.body.dataset.ready = "true";
}

/** Shows a `startup` answer: the diary's parts, the session, a draft, the
 * welcome and any notice from opening the diary. */
async function showStartup(boot) {
  await showDiaryParts(boot);
  $("theme").value = prefs?.theme ?? "dim";
  showBreathing(Boolean(prefs?.breathing));
  const state = boot.state.ok;
  const stateError = boot.state.error;
  setSnapshot(state ?? null);
  // A finish sheet left unsaved when the window closed is offered again.
  if (state?.session && (await take(boot.draft))) openFinish();
  if (prefs && !prefs.welcome_done && !state?.session && !$("welcome").open) $("welcome").showModal();
  // The app's details come last in the answer, so a diary that was repaired
  // or cannot be opened is said once, as opening it ended, and left up.
  const info = await take(boot.info);
  if (info) {
    $("about").textContent = aboutLine(info);
    $("about").title = `Your diary and photos are kept in ${info.data_dir}`;
  }
  const startupNotice = info?.notice;
  if (startupNotice) {
    const retry = stateError?.retryable === true ? reopenDiary : null;
    showNotice(startupNotice, { forMs: 10 * 60_000, undo: retry, label: "Try again" });
  }
}

/** "Try again" on a diary that could not be opened (a full disk, another
 * program holding it): opened in place, then all the start-up could not
 * read is read again; a new error is said, with "Try again" if it may pass. */
async function reopenDiary() {
  const next = await attempt(() => ipc.call("reopen_diary"));
  if (!next) return;
  hideNotice();
  setSnapshot(next);
  const boot = await attempt(() => ipc.call("startup"));
  if (boot) await showStartup(boot);
}

/** Start-up ends when the photo is on screen (decoded, then two frames);
 * with `LETDOWN_REPORT_READY` set, Rust prints the timings for the benchmark. */
async function reportPainted() {
  await photoDecoded;
  marks.photo = performance.now();
  await new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)));
  marks.painted = performance.now();
  // When the document had arrived and was parsed (WebKit keeps no timings for
  // the files of a custom scheme such as tauri:), and when the page's clock
  // began, to line it up with Rust's.
  const [page] = performance.getEntriesByType("navigation");
  if (page) Object.assign(marks, { html: page.responseEnd, parsed: page.domInteractive });
  marks.origin = performance.timeOrigin;
  ipc.call("ui_ready", { marks }).catch(() => {});
}

/** A part of the start-up answer: its value, or undefined with its error
 * said as any failed call's is. */
function take(part) {
  return attempt(async () => {
    if ("ok" in part) return part.ok;
    throw part.error;
  });
}

/** Shows the prefs, routines, photos and sound of a `startup` answer: at
 * start, and again after a backup is restored. */
async function showDiaryParts(boot) {
  applyPrefs(boot.prefs);
  showRoutines(await take(boot.routines));
  showPhoto(await take(boot.photos));
  showSound(await take(boot.sound));
}

// The diary's code is loaded the first time it is opened: the first paint
// does not need it.
let diaryLoaded = null;
function openDiary() {
  diaryLoaded ??= import("./diary.js").then((diary) => {
    diary.setupDiary({ unit: () => prefs?.unit ?? "ml", setUnit: (unit) => changePrefs({ unit }) });
    return diary;
  });
  return diaryLoaded.then((diary) => diary.openDiary());
}

start();
