// The UI's one source of state: parts set it and subscribe to it, and draw
// the page from it. Small and synchronous, with no framework.

/** A store holding `initial`; `set(patch)` merges a patch (shallowly) and
 * tells each subscriber `(state, previous)`, in the order the changes were
 * made, even when a subscriber sets the store itself. */
export function createStore(initial) {
  let state = Object.freeze({ ...initial });
  const subscribers = new Set();
  const pending = [];
  let telling = false;

  function set(patch) {
    if (!patch || Object.keys(patch).every((key) => Object.is(state[key], patch[key]))) return;
    const previous = state;
    state = Object.freeze({ ...state, ...patch });
    pending.push([state, previous]);
    // A change made while subscribers are being told waits its turn, so none
    // of them hears of two changes out of order.
    if (telling) return;
    telling = true;
    try {
      while (pending.length) {
        const [next, before] = pending.shift();
        for (const fn of [...subscribers]) fn(next, before);
      }
    } finally {
      telling = false;
      pending.length = 0;
    }
  }

  return {
    get: () => state,
    set,
    /** `fn(state)` returns the patch to set. */
    update: (fn) => set(fn(state)),
    /** Calls `fn(state, previous)` after each change; returns the way to stop. */
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}
