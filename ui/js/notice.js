// A calm, passing message with an optional Undo, for the main window and
// for the diary (a modal dialog makes everything behind it inert, so it has
// its own). `ids` names the box, its text and its Undo button.

export function notice({ box, text, undo }) {
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let undoAction = null;
  $(undo).addEventListener("click", () => {
    $(box).hidden = true;
    undoAction?.();
  });
  /** Shows `message`; `undo` (a function) puts an Undo button beside it. */
  const show = (message, { undo: action = null, forMs = 8000 } = {}) => {
    $(text).textContent = message;
    undoAction = action;
    $(undo).hidden = !action;
    $(box).hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => ($(box).hidden = true), forMs);
  };
  /** Runs an IPC call; any error becomes the message. */
  const attempt = async (work) => {
    try {
      return await work();
    } catch (error) {
      show(error.message ?? String(error));
      return undefined;
    }
  };
  return { show, attempt, hide: () => ($(box).hidden = true) };
}
