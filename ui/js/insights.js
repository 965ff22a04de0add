// "What works for you" on the calm screen: the strongest finding as one line
// on the idle screen (the parent can hide it), and when this parent's
// let-downs usually come, for the quiet hint while pumping (session.js).
import * as ipc from "./ipc.js";

const $ = (id) => document.getElementById(id);
/** The window the idle line and the live hint learn from, in weeks. */
const WEEKS = 4;

export function setupInsights({ store, actions: { changePrefs } }) {
  /** Reads the diary's findings again; quietly, as nothing here is essential. */
  async function refresh() {
    const found = await ipc.call("diary_insights", { weeks: WEEKS }).catch(() => null);
    // Only a clear, welcome finding earns a line on the calm screen.
    const finding = found?.findings.find((f) => f.sureness === "clear" && f.favourable) ?? null;
    store.set({ pattern: found?.pattern ?? null, finding });
  }

  function render({ snapshot, finding, prefs }) {
    const show = !snapshot?.session && finding && prefs && finding.key !== prefs.dismissed_finding;
    $("finding-line").hidden = !show;
    $("finding-text").textContent = show ? finding.headline : "";
  }

  store.subscribe((state, before) => {
    if (["snapshot", "finding", "prefs"].some((key) => state[key] !== before[key])) render(state);
    // A session saved or set aside, the diary edited, or the unit changed:
    // what the line says may have changed.
    const ended = before.snapshot?.session && !state.snapshot?.session;
    const diaryClosed = before.dialog === "diary" && state.dialog !== "diary";
    const unit = before.prefs && state.prefs && state.prefs.unit !== before.prefs.unit;
    if (ended || diaryClosed || unit) refresh();
  });
  $("finding-close").addEventListener("click", async () => {
    const key = store.get().finding?.key;
    if (key) await changePrefs({ dismissed_finding: key });
    $("start").focus();
  });
  return { refresh };
}
