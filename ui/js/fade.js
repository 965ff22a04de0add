// While a step runs, the controls step back so the baby's photo is in view:
// after a few quiet seconds all but the timer, the step's name and
// "Let-down" fade away, slowly; a key, the mouse or a touch brings them back
// at once. Never while the finish sheet, a notice or a dialog is up.

/** How long without a key or the mouse before the controls fade. */
export const QUIET_MS = 5000;

/** Whether the controls may fade in this state of the store. */
export function mayFade(state) {
  return Boolean(
    state.prefs?.hide_controls &&
      state.snapshot?.session?.phase === "running" &&
      !state.finishing &&
      !state.dialog &&
      !state.discreet &&
      !state.noticeUp,
  );
}

/** Fades the controls as the store says (`faded`), and says when. */
export function setupFade({ store }) {
  let timer = null;

  /** Input: the controls come back, and fade again after a quiet while. */
  function wake() {
    clearTimeout(timer);
    store.set({ faded: false });
    if (mayFade(store.get())) timer = setTimeout(() => mayFade(store.get()) && store.set({ faded: true }), QUIET_MS);
  }

  store.subscribe((state, before) => {
    if (state.faded !== before.faded) {
      if (state.faded) document.body.dataset.faded = "true";
      else delete document.body.dataset.faded;
    }
    if (mayFade(state) !== mayFade(before)) wake();
  });

  // Seen before anything else handles them, so a shortcut key both acts and
  // brings the controls back, and Tab never moves focus onto a faded one.
  for (const type of ["keydown", "pointermove", "pointerdown", "wheel", "touchstart"]) {
    addEventListener(type, wake, { capture: true, passive: true });
  }
}
