// The working day's rhythm on the calm screen: "Last session 2 h 40 min ago ·
// next around 14:30" on the idle screen (read again each minute; nothing
// counts down), "remind me later" after a reminder, and a reminder clicked
// bringing the window up ready to start. The schedule itself is set in
// Settings (settings.js); Rust decides when to remind (schedule.rs).
import * as ipc from "./ipc.js";
import { REMINDER_EVENTS } from "./constants.js";
import { scheduleLine, offersSnooze } from "./view.js";

const $ = (id) => document.getElementById(id);

export function setupSchedule({ store, notice: { attempt, show } }) {
  let status = null;
  let timer = null;

  async function refresh() {
    status = await ipc.call("schedule_status").catch(() => null);
    render();
  }

  function render() {
    const idle = !store.get().snapshot?.session;
    const line = idle ? scheduleLine(status, Date.now()) : null;
    $("schedule-line").hidden = !line;
    $("schedule-text").textContent = line ?? "";
    $("snooze").hidden = !(idle && offersSnooze(status, Date.now()));
    clearTimeout(timer);
    // Read again each minute: a reminder let pass, midnight or a pause may change it.
    if (idle && status?.on) timer = setTimeout(refresh, 60_000 - (Date.now() % 60_000) + 50);
  }

  async function snooze(minutes) {
    const done = await attempt(() => ipc.call("snooze_reminder", { minutes }).then(() => true));
    if (!done) return;
    show(`All right: another reminder in ${minutes} minutes.`);
    await refresh();
    $("start").focus();
  }

  $("snooze-15").addEventListener("click", () => snooze(15));
  $("snooze-30").addEventListener("click", () => snooze(30));
  $("pause-today").addEventListener("click", async () => {
    if (!(await attempt(() => ipc.call("pause_reminders_today").then(() => true)))) return;
    show("No more reminders today.");
    await refresh();
    $("start").focus();
  });
  store.subscribe((state, before) => {
    const ended = before.snapshot?.session && !state.snapshot?.session;
    const started = !before.snapshot?.session && state.snapshot?.session;
    if (ended || state.prefs?.schedule !== before.prefs?.schedule) refresh();
    else if (started) render();
  });

  /** Listens for reminders shown and clicked, once the first paint is done. */
  async function listen() {
    await Promise.all([
      ipc.listen(REMINDER_EVENTS.shown, refresh),
      // Clicked: the window is in front; the usual routine is chosen, ready.
      ipc.listen(REMINDER_EVENTS.opened, async () => {
        await refresh();
        if (!store.get().snapshot?.session) $("start").focus();
      }),
      // "Start session" in the tray's menu: the usual routine, as the button does.
      ipc.listen(REMINDER_EVENTS.trayStart, () => {
        if (!store.get().snapshot?.session && store.get().dialog === null) $("start").click();
      }),
    ]);
    await refresh();
  }
  return { refresh, listen };
}
