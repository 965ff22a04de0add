// Settings, loaded the first time they open: the photos, the sound and the
// parent's choices, the routine editor, and the diary's daily copies.
import * as ipc from "./ipc.js";
import { STEP_NAMES, clipText, parseTimes } from "./view.js";
import { setupFocus } from "./focus.js";
import { setupPumpSettings } from "./pump-settings.js";

const $ = (id) => document.getElementById(id);

/** Fills `list` with `items`, or with one line saying there are none. */
function fillList(list, items, none) {
  list.replaceChildren(...items);
  if (!items.length) list.append(Object.assign(document.createElement("li"), { textContent: none }));
}

const backupDay = (date) => new Date(`${date}T12:00:00`).toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" });

/** Wires the settings to `store`; `actions` are the other parts' (saving
 * prefs and sound, a preview, choosing files, reading the diary again). */
export function setupSettings({ store, notice: { show, attempt }, actions }) {
  const { changePrefs, changeSound, togglePreview, choosePhoto, chooseClip, reload } = actions;

  function renderPrefs(prefs) {
    $("rotate").value = String(prefs.rotate_minutes);
    $("chimes").checked = prefs.chimes;
    $("hide-controls").checked = prefs.hide_controls;
    $("notifications").checked = prefs.notifications;
    $("pref-unit").value = prefs.unit;
    $("theme").value = prefs.theme ?? "dim";
    // Not while the parent is typing it.
    if (document.activeElement !== $("baby-name")) $("baby-name").value = prefs.baby_name;
    if (document.activeElement !== $("pref-chips")) $("pref-chips").value = (prefs.chips ?? []).join(", ");
    renderSchedule(prefs.schedule);
    $("reminder-detail").checked = prefs.reminder_detail;
  }

  /** The schedule's controls, as the prefs hold it; only what the kind uses shows. */
  function renderSchedule(s) {
    if (!s) return;
    if ($("schedule-every").options.length === 0) buildSchedule();
    $("schedule-kind").value = s.kind;
    $("schedule-every").value = String(s.every_min);
    if (document.activeElement !== $("schedule-times")) $("schedule-times").value = s.times.map((t) => t.slice(0, 5)).join(", ");
    s.days.forEach((on, i) => ($(`schedule-day-${i}`).checked = on));
    $("schedule-from").value = s.from.slice(0, 5);
    $("schedule-to").value = s.to.slice(0, 5);
    $("schedule-every-label").hidden = s.kind !== "every";
    $("schedule-times-label").hidden = s.kind !== "times";
    $("schedule-times-help").hidden = s.kind !== "times";
    for (const input of [$("schedule-from"), $("schedule-to"), ...$("schedule-days").querySelectorAll("input")]) input.disabled = s.kind === "off";
  }

  /** The schedule's fixed choices: every 2 to 4 hours in 15-minute steps, the days of the week. */
  function buildSchedule() {
    for (let minutes = 120; minutes <= 240; minutes += 15) {
      const label = `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
      $("schedule-every").append(new Option(label, String(minutes)));
    }
    $("schedule-days").replaceChildren(
      ...["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((day, i) => {
        const label = document.createElement("label");
        label.append(Object.assign(document.createElement("input"), { type: "checkbox", id: `schedule-day-${i}` }), day);
        return label;
      }),
    );
  }

  /** The schedule as the controls show it, or null (and a message) if a time is not one. */
  function readSchedule() {
    const times = parseTimes($("schedule-times").value);
    if (times === null) {
      show("Type the times like 10:00, 13:30, separated by commas.");
      return null;
    }
    const time = (id) => `${$(id).value || "00:00"}:00`;
    return {
      kind: $("schedule-kind").value,
      every_min: Number($("schedule-every").value),
      times,
      days: [...Array(7).keys()].map((i) => $(`schedule-day-${i}`).checked),
      from: time("schedule-from"),
      to: time("schedule-to"),
    };
  }

  function renderSound(sound) {
    $("settings-clip").textContent = clipText(sound);
    $("sound-mode").value = sound.prefs.mode;
    $("settings-volume").value = String(sound.prefs.volume);
  }

  function renderPreview(previewing) {
    $("settings-preview").setAttribute("aria-pressed", String(previewing));
    $("settings-preview").textContent = previewing ? "Stop preview" : "Preview sound";
  }

  function renderPhotoList({ photos, active }) {
    fillList(
      $("photo-list"),
      photos.map((photo, i) => {
        const li = document.createElement("li");
        const pick = document.createElement("button");
        pick.type = "button";
        pick.className = "thumb";
        pick.setAttribute("aria-pressed", String(photo.id === active));
        const what = photo.video ? "video" : "photo";
        pick.setAttribute("aria-label", `Show ${what} ${i + 1}, ${photo.original_name}`);
        const img = document.createElement("img");
        // Fetched and decoded once scrolled into view: a long list costs
        // only the thumbnails the parent sees.
        img.loading = "lazy";
        img.src = ipc.mediaUrl("thumb", photo.id);
        img.alt = "";
        pick.append(img);
        pick.addEventListener("click", async () => {
          const photos = await attempt(() => ipc.call("set_active_photo", { id: photo.id }));
          if (photos) store.set({ photos });
        });
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "remove";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", `Remove ${what} ${i + 1}, ${photo.original_name}`);
        remove.addEventListener("click", async () => {
          const photos = await attempt(() => ipc.call("remove_photo", { id: photo.id }));
          if (!photos) return;
          store.set({ photos });
          show(photo.video ? "Video removed." : "Photo removed.");
          $("settings-photo").focus();
        });
        li.append(pick, remove);
        if (photo.video) {
          pick.classList.add("video");
          const useSound = document.createElement("button");
          useSound.type = "button";
          useSound.textContent = "Use its sound";
          useSound.setAttribute("aria-label", `Use the sound of video ${i + 1}, ${photo.original_name}, as the recording`);
          useSound.addEventListener("click", () => actions.useVideoSound(photo.id));
          li.append(useSound);
        }
        return li;
      }),
      "No photos yet: Letdown's own calm picture is shown.",
    );
  }

  function renderRoutineChoice(routines) {
    const keep = $("edit-routine").value;
    $("edit-routine").replaceChildren(...(routines ?? []).map((r) => new Option(r.name, r.id)));
    if (keep) $("edit-routine").value = keep;
  }

  const chosenRoutine = () => store.get().routines?.find((r) => String(r.id) === $("edit-routine").value);

  function renderRoutineEditor() {
    const routine = chosenRoutine() ?? store.get().routines?.[0];
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
    const routine = chosenRoutine();
    if (!routine) return;
    const steps = routine.steps.map((step, i) => {
      const minutes = Number($("edit-steps").querySelector(`input[data-index="${i}"]`).value);
      return { ...step, planned_ms: Math.round(minutes * 60_000) };
    });
    if (steps.some((s) => !Number.isFinite(s.planned_ms) || s.planned_ms < 60_000 || s.planned_ms > 180 * 60_000)) {
      show("Each step can last from 1 to 180 minutes.");
      return;
    }
    const id = await attempt(() => ipc.call("save_routine", { routine: { ...routine, steps } }));
    if (id === undefined) return;
    store.update(({ routines }) => ({ routines: routines.map((r) => (r.id === routine.id ? { ...r, steps } : r)) }));
    show(`“${routine.name}” saved.`);
  }

  function renderRestore(restore) {
    $("restore-confirm").hidden = !restore;
    if (restore) {
      $("restore-question").textContent = `Put your diary back as it was on ${backupDay(restore.date)}? The diary you have now is kept aside first.`;
    }
  }

  async function renderBackups() {
    store.set({ restore: null });
    const backups = (await attempt(() => ipc.call("list_backups"))) ?? [];
    fillList(
      $("backup-list"),
      backups.map((b) => {
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
          store.set({ restore: { name: b.name, date: b.date } });
          $("restore-no").focus();
        });
        li.append(label, restore);
        return li;
      }),
      "No copies yet: the first is made today.",
    );
  }

  async function restoreBackup() {
    const said = await attempt(() => ipc.call("restore_backup", { name: store.get().restore?.name }));
    store.set({ restore: null });
    if (!said) return;
    store.set({ dialog: null });
    // Everything shown comes from the diary: read it all again.
    await reload();
    show(said, { forMs: 30_000 });
  }

  function render(state, before) {
    if (state.prefs && state.prefs !== before.prefs) renderPrefs(state.prefs);
    if (state.sound && state.sound !== before.sound) renderSound(state.sound);
    if (state.previewing !== before.previewing) renderPreview(state.previewing);
    if (state.routines !== before.routines) renderRoutineChoice(state.routines);
    if (state.restore !== before.restore) renderRestore(state.restore);
    // The lists are built as the settings open (`open`), and again when
    // what they show changes while they are open.
    if (state.dialog !== "settings") return;
    if (state.photos !== before.photos) renderPhotoList(state.photos);
    if (state.routines !== before.routines) renderRoutineEditor();
  }
  store.subscribe(render);
  render(store.get(), {});
  setupFocus({ store, notice: { attempt } });

  for (const [id, change] of [
    ["rotate", () => ({ rotate_minutes: Number($("rotate").value) })],
    ["chimes", () => ({ chimes: $("chimes").checked })],
    ["hide-controls", () => ({ hide_controls: $("hide-controls").checked })],
    ["notifications", () => ({ notifications: $("notifications").checked })],
    ["pref-unit", () => ({ unit: $("pref-unit").value })],
    ["theme", () => ({ theme: $("theme").value })],
    ["baby-name", () => ({ baby_name: $("baby-name").value })],
    ["pref-chips", () => ({ chips: $("pref-chips").value.split(",") })],
    ["reminder-detail", () => ({ reminder_detail: $("reminder-detail").checked })],
  ]) {
    $(id).addEventListener("change", () => changePrefs(change()));
  }
  $("schedule").addEventListener("change", async (event) => {
    if (event.target.id === "reminder-detail" || event.target.id === "autostart") return;
    const schedule = readSchedule();
    // Refused (here or by Rust): the controls go back to what is kept.
    if (!schedule || !(await changePrefs({ schedule }))) renderSchedule(store.get().prefs?.schedule);
  });
  const pumps = setupPumpSettings({ store, notice: { show, attempt }, changePrefs });
  $("autostart").addEventListener("change", async () => {
    const on = await attempt(() => ipc.call("set_autostart", { on: $("autostart").checked }));
    if (on === undefined) renderAutostart();
    else show(on ? "Letdown will open quietly in the tray when you log in." : "Letdown will not open when you log in.");
  });
  $("sound-mode").addEventListener("change", () => changeSound({ mode: $("sound-mode").value }));
  $("settings-volume").addEventListener("change", () => changeSound({ volume: Number($("settings-volume").value) }));
  $("settings-preview").addEventListener("click", togglePreview);
  $("settings-photo").addEventListener("click", choosePhoto);
  $("settings-clip-choose").addEventListener("click", chooseClip);
  $("edit-routine").addEventListener("change", renderRoutineEditor);
  $("save-routine").addEventListener("click", saveRoutine);
  $("restore-yes").addEventListener("click", restoreBackup);
  $("restore-no").addEventListener("click", () => {
    const name = store.get().restore?.name;
    store.set({ restore: null });
    $("backup-list").querySelector(`[data-backup="${name}"]`)?.focus();
  });

  /** Opens the settings, their lists built first so the dialog opens on them;
   * `at: "schedule"` opens them at the schedule (from the welcome). */
  /** Opening at login is the system's to say: read as the settings open. */
  async function renderAutostart() {
    const on = await ipc.call("get_autostart").catch(() => null);
    $("autostart").checked = on === true;
    $("autostart").disabled = on === null;
  }

  function open({ at } = {}) {
    pumps.refresh();
    renderAutostart();
    const { photos } = store.get();
    renderPhotoList(photos);
    renderRoutineEditor();
    store.set({ dialog: "settings" });
    renderBackups();
    if (at === "schedule") {
      $("schedule").scrollIntoView({ block: "start" });
      $("schedule-kind").focus();
    }
  }

  return { open };
}
