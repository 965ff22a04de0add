// Boots the calm screen and wires it: one store holds the UI's state, each
// part draws its own piece of the page from it and acts through the actions
// handed to it here. The settings and the diary load as they first open.
import * as ipc from "./ipc.js";
import { createStore } from "./store.js";
import { notice } from "./notice.js";
import { aboutLine } from "./format.js";
import { EVENTS } from "./constants.js";
import { setupPrefs } from "./prefs.js";
import { setupPhoto } from "./photo.js";
import { setupSound } from "./sound.js";
import { setupSession } from "./session.js";
import { setupFade } from "./fade.js";
import { setupInsights } from "./insights.js";
import { setupSchedule } from "./schedule.js";
import { setupPump } from "./pump.js";

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

const store = createStore({
  snapshot: null, // the engine's, from Rust
  receivedAt: 0, // when it came: the clock is drawn from its deadlines
  finishing: false, // the finish sheet is open
  prefs: null,
  routines: null, // null while the diary cannot be read
  photos: { photos: [], active: null },
  shown: null, // the photo on screen: the chosen one, or another in turn
  sound: null,
  previewing: false,
  breathing: false,
  discreet: false,
  dialog: null, // "welcome", "settings" or "diary" while one is open
  restore: null, // the daily copy Settings asks about restoring
  noticeUp: false, // a passing message is on screen
  faded: false, // the controls have stepped back while pumping
  pattern: null, // when this parent's let-downs usually come (insights.js)
  finding: null, // the diary's strongest "what works" finding
  pumps: null, // the pumps, the parts due and the session's pump settings (pump.js)
});

const messages = notice({
  box: "notice",
  text: "notice-text",
  undo: "undo",
  retry: reopenDiary,
  shown: (noticeUp) => store.set({ noticeUp }),
});
const { show: showNotice, attempt } = messages;
const prefs = setupPrefs({ store, notice: messages });
const photo = setupPhoto({ store, notice: messages });
setupFade({ store });
const insights = setupInsights({ store, actions: { changePrefs: prefs.changePrefs } });
const schedule = setupSchedule({ store, notice: messages });
const sound = setupSound({ store, notice: messages });
const pump = setupPump({ store, notice: messages });
const session = setupSession({
  store,
  notice: messages,
  actions: { toggleDiscreet: prefs.toggleDiscreet, toggleBreathing: prefs.toggleBreathing, toggleSound: sound.toggleSound, openDiary },
});

// Which dialog is open is the store's to say: the page follows it, and it
// follows a dialog closed by the page itself (Esc, Settings' Done).
for (const id of ["welcome", "settings", "diary"]) {
  $(id).addEventListener("close", () => store.get().dialog === id && store.set({ dialog: null }));
}
store.subscribe(({ dialog }, before) => {
  if (dialog === before.dialog) return;
  if (before.dialog) $(before.dialog).close();
  if (dialog) $(dialog).showModal();
});

// The settings' and the diary's code is loaded the first time they open: the
// first paint does not need it.
let settings = null;
function openSettings(options = {}) {
  settings ??= import("./settings.js").then((code) =>
    code.setupSettings({
      store,
      notice: messages,
      actions: {
        changePrefs: prefs.changePrefs,
        changeSound: sound.changeSound,
        togglePreview: sound.togglePreview,
        choosePhoto: photo.choosePhoto,
        chooseClip: sound.chooseClip,
        useVideoSound: sound.useVideoSound,
        reload: readDiaryAgain,
      },
    }),
  );
  return settings.then((part) => part.open(options));
}

let diary = null;
function openDiary() {
  diary ??= import("./diary.js").then((code) => {
    code.setupDiary({ store, setUnit: (unit) => prefs.changePrefs({ unit }) });
    return code;
  });
  return diary.then((code) => code.openDiary());
}

$("footer-settings").addEventListener("click", () => openSettings());
// The welcome offers the schedule once; it stays off unless the parent sets it.
$("welcome-schedule").addEventListener("click", () => openSettings({ at: "schedule" }));
$("footer-diary").addEventListener("click", openDiary);

/** What a drop hands over (exported for the end-to-end tests, which
 * cannot drag a file onto a window). */
export function importDropped(paths) {
  const path = paths[0];
  const kind = ipc.kindOfFile(path);
  if (kind === "photo") return photo.importPhoto(path);
  if (kind === "video") return photo.importVideo(path, { soundOnly: sound.importClip });
  if (kind === "clip") return sound.importClip(path);
  showNotice("Drop a photo (JPEG, HEIC, PNG, WebP, GIF), a short video of your baby (.mp4, .mov, .webm) or a recording (voice memo, WhatsApp voice note, MP3, WAV, FLAC, Ogg).");
}

async function start() {
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
  // Opened at login, hidden in the tray: nothing is painted until the window
  // is shown, and the listeners (reminders, the tray) cannot wait for that.
  if (document.visibilityState === "visible") await reportPainted();
  else reportPainted();

  await Promise.all([
    ipc.onFileDrop({
      over: (on) => document.body.classList.toggle("dropping", on),
      drop: importDropped,
    }),
    ipc.listen(EVENTS.changed, session.setSnapshot),
    ipc.listen(EVENTS.audio, (status) => store.update(({ sound }) => sound && { sound: { ...sound, status } })),
  ]);
  marks.listening = performance.now();
  insights.refresh();
  pump.refresh();
  await schedule.listen();
  // The answer may be older than the listeners: the sound device may have
  // opened (or failed), or a session's step ended, before anyone listened.
  // Errors were said with the answer already.
  const quietly = (command) => ipc.call(command).catch(() => undefined);
  const [state, nextSound] = await Promise.all([quietly("get_state"), quietly("get_sound")]);
  if (state && boot.state.ok) session.setSnapshot(state);
  if (nextSound) store.set({ sound: nextSound });
  document.body.dataset.ready = "true";
}

/** Shows a `startup` answer: the diary's parts, the session, a draft, the
 * welcome and any notice from opening the diary. */
async function showStartup(boot) {
  await showDiaryParts(boot);
  const { prefs: choices } = store.get();
  store.set({ breathing: Boolean(choices?.breathing) });
  const state = boot.state.ok;
  session.setSnapshot(state ?? null);
  // A finish sheet left unsaved when the window closed is offered again.
  if (state?.session && (await take(boot.draft))) session.openFinish();
  if (choices && !choices.welcome_done && !state?.session) store.set({ dialog: "welcome" });
  // The app's details come last in the answer, so a diary that was repaired
  // or cannot be opened is said once, as opening it ended, and left up.
  const info = await take(boot.info);
  if (info) {
    $("about").textContent = aboutLine(info);
    $("about").title = `Your diary and photos are kept in ${info.data_dir}`;
  }
  if (info?.notice) {
    const retry = boot.state.error?.retryable === true ? reopenDiary : null;
    showNotice(info.notice, { forMs: 10 * 60_000, undo: retry, label: "Try again" });
  }
}

/** Shows the prefs, routines, photos and sound of a `startup` answer: at
 * start, and again after a backup is restored. */
async function showDiaryParts(boot) {
  const routines = (await take(boot.routines)) ?? null;
  const photos = await take(boot.photos);
  const sound = await take(boot.sound);
  store.set({ prefs: boot.prefs ?? store.get().prefs, routines, ...(photos && { photos }), ...(sound && { sound }) });
}

/** After a backup is restored, everything shown comes from the diary: read it all again. */
async function readDiaryAgain() {
  const boot = await attempt(() => ipc.call("startup"));
  if (boot) await showDiaryParts(boot);
  insights.refresh();
  schedule.refresh();
  pump.refresh();
}

/** "Try again" on a diary that could not be opened (a full disk, another
 * program holding it): opened in place, then all the start-up could not
 * read is read again; a new error is said, with "Try again" if it may pass. */
async function reopenDiary() {
  const next = await attempt(() => ipc.call("reopen_diary"));
  if (next === undefined) return;
  messages.hide();
  session.setSnapshot(next);
  const boot = await attempt(() => ipc.call("startup"));
  if (boot) await showStartup(boot);
}

/** A part of the start-up answer: its value, or undefined with its error
 * said as any failed call's is. */
function take(part) {
  return attempt(async () => {
    if ("ok" in part) return part.ok;
    throw part.error;
  });
}

/** Start-up ends when the photo is on screen (decoded, then two frames);
 * with `LETDOWN_REPORT_READY` set, Rust prints the timings for the benchmark. */
async function reportPainted() {
  await photo.decoded();
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

start();
