// The parent's choices that change the whole screen: the theme, the
// breathing guide, discreet mode and the drink reminder; and saving choices.
import * as ipc from "./ipc.js";
import { breathWord } from "./view.js";

const $ = (id) => document.getElementById(id);

/** Draws the prefs, breathing and discreet the store holds; returns the actions. */
export function setupPrefs({ store, notice: { attempt } }) {
  const systemLight = globalThis.matchMedia?.("(prefers-color-scheme: light)");
  function applyTheme() {
    const theme = store.get().prefs?.theme ?? "dim";
    const light = theme === "light" || (theme === "system" && systemLight?.matches);
    document.documentElement.dataset.theme = light ? "light" : "dim";
  }
  systemLight?.addEventListener?.("change", applyTheme);

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

  function showDiscreet(on) {
    if (on) document.body.dataset.discreet = "true";
    else delete document.body.dataset.discreet;
    $("discreet-screen").hidden = !on;
  }

  store.subscribe((state, before) => {
    if (state.prefs && state.prefs !== before.prefs) {
      applyTheme();
      $("nudge").hidden = !state.prefs.drink_nudge;
    }
    if (state.breathing !== before.breathing) showBreathing(state.breathing);
    if (state.discreet !== before.discreet) showDiscreet(state.discreet);
  });

  /** Saves a change to the prefs; a refused one puts every control back as it was. */
  async function changePrefs(change) {
    const next = await attempt(() => ipc.call("set_prefs", { change }));
    // A copy of the prefs as they were is a change, so the controls are drawn again.
    const prefs = next ?? store.get().prefs;
    store.set({ prefs: prefs && { ...prefs } });
    return next;
  }

  function toggleBreathing() {
    const on = !store.get().breathing;
    store.set({ breathing: on });
    attempt(() => ipc.call("set_prefs", { change: { breathing: on } }));
  }

  function toggleDiscreet() {
    const on = !store.get().discreet;
    store.set({ discreet: on });
    attempt(() => ipc.call("set_discreet", { on }));
    const { snapshot, finishing } = store.get();
    // The way back, or where the parent was: the start button when idle.
    (on ? $("discreet-off") : !snapshot?.session || finishing ? $("start") : $("discreet")).focus();
  }

  $("breathing").addEventListener("click", toggleBreathing);
  $("discreet").addEventListener("click", toggleDiscreet);
  $("discreet-off").addEventListener("click", toggleDiscreet);
  $("nudge-close").addEventListener("click", () => {
    changePrefs({ drink_nudge: false });
    $("start").focus();
  });
  $("welcome-done").addEventListener("click", () => store.set({ dialog: null }));
  $("welcome").addEventListener("close", () => changePrefs({ welcome_done: true }));

  return { changePrefs, toggleBreathing, toggleDiscreet };
}
