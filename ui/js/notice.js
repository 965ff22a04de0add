// A calm, passing message with an optional Undo, for the main window and
// for the diary (a modal dialog makes everything behind it inert, so it has
// its own). `ids` names the box, its text and its button; `retry` gives
// errors Rust marks retryable a "Try again" button running that action;
// `shown(on)` hears when the box comes and goes.

export function notice({ box, text, undo, retry = null, shown = () => {} }) {
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let undoAction = null;
  const showBox = (on) => {
    $(box).hidden = !on;
    shown(on);
  };
  $(undo).addEventListener("click", () => {
    showBox(false);
    undoAction?.();
  });
  /** Shows `message`; `undo` (a function) puts a button beside it, named
   * `label` ("Undo" unless told). */
  const show = (message, { undo: action = null, label = "Undo", forMs = 8000 } = {}) => {
    $(text).textContent = message;
    undoAction = action;
    $(undo).textContent = label;
    $(undo).hidden = !action;
    showBox(true);
    clearTimeout(timer);
    timer = setTimeout(() => showBox(false), forMs);
  };
  /** Runs an IPC call; any error becomes the message. */
  const attempt = async (work) => {
    try {
      return await work();
    } catch (error) {
      if (retry && error.retryable === true) show(error.message, { undo: retry, label: "Try again", forMs: 10 * 60_000 });
      else show(error.message ?? String(error));
      return undefined;
    }
  };
  return { show, attempt, hide: () => showBox(false) };
}
