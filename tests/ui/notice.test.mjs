// The message line: "Try again" is offered for the errors Rust marks
// retryable, and only for those.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { notice } from "../../ui/js/notice.js";

/** Just enough of a page for notice(): elements by id, with click listeners. */
function page() {
  const elements = {};
  const element = () => ({ hidden: true, textContent: "", listeners: [], addEventListener(type, fn) { this.listeners.push(fn); } });
  globalThis.document = { getElementById: (id) => (elements[id] ??= element()) };
  return elements;
}

// The message's own timer would keep node waiting for minutes: time stands still here.
const timers = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
globalThis.setTimeout = () => 0;
globalThis.clearTimeout = () => {};
after(() => Object.assign(globalThis, timers));

test("a retryable error gets Try again, which runs the retry", async () => {
  const el = page();
  let retried = 0;
  const { attempt } = notice({ box: "box", text: "text", undo: "undo", retry: () => retried++ });
  await attempt(async () => {
    throw { kind: "disk_full", message: "The disk is full.", retryable: true };
  });
  assert.equal(el.text.textContent, "The disk is full.");
  assert.equal(el.undo.hidden, false);
  assert.equal(el.undo.textContent, "Try again");
  el.undo.listeners.forEach((fn) => fn());
  assert.equal(retried, 1);
  assert.equal(el.box.hidden, true, "the message goes as it is tried again");
});

test("an error that waiting would not mend is said without Try again", async () => {
  const el = page();
  const { attempt } = notice({ box: "box", text: "text", undo: "undo", retry: () => {} });
  for (const error of [{ kind: "diary_too_new", message: "Too new.", retryable: false }, { kind: "disk_full", message: "Full." }]) {
    assert.equal(await attempt(async () => Promise.reject(error)), undefined);
    assert.equal(el.text.textContent, error.message);
    assert.equal(el.undo.hidden, true, error.message);
  }
});
