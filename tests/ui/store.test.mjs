// The UI's store: what parts set is what subscribers hear, once, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStore } from "../../ui/js/store.js";

test("a patch is merged into the state and subscribers hear of it with the state before", () => {
  const store = createStore({ discreet: false, breathing: false });
  const heard = [];
  store.subscribe((state, previous) => heard.push([state, previous]));
  store.set({ discreet: true });
  assert.deepEqual(store.get(), { discreet: true, breathing: false });
  assert.deepEqual(heard, [[{ discreet: true, breathing: false }, { discreet: false, breathing: false }]]);
});

test("update derives the patch from the state", () => {
  const store = createStore({ discreet: false });
  store.update((s) => ({ discreet: !s.discreet }));
  store.update((s) => ({ discreet: !s.discreet }));
  store.update((s) => ({ discreet: !s.discreet }));
  assert.equal(store.get().discreet, true);
});

test("a patch that changes nothing is not told", () => {
  const snapshot = { session: null };
  const store = createStore({ snapshot, dialog: null });
  let told = 0;
  store.subscribe(() => told++);
  store.set({ snapshot, dialog: null });
  store.set({});
  store.set(undefined);
  assert.equal(told, 0);
  store.set({ snapshot: { session: null } });
  assert.equal(told, 1, "a new object is a change");
});

test("the state is read-only: a change goes through set", () => {
  const store = createStore({ dialog: null });
  assert.throws(() => {
    store.get().dialog = "settings";
  }, TypeError);
  assert.equal(store.get().dialog, null);
});

test("a change made by a subscriber is told after the one it heard, to every subscriber, in order", () => {
  const store = createStore({ mode: "idle", finishing: false });
  const first = [];
  const second = [];
  store.subscribe((s, p) => {
    first.push(`${p.mode}/${p.finishing} → ${s.mode}/${s.finishing}`);
    if (s.mode === "complete" && !s.finishing) store.set({ finishing: true });
  });
  store.subscribe((s, p) => second.push(`${p.mode}/${p.finishing} → ${s.mode}/${s.finishing}`));
  store.set({ mode: "complete" });
  const expected = ["idle/false → complete/false", "complete/false → complete/true"];
  assert.deepEqual(first, expected);
  assert.deepEqual(second, expected, "the second subscriber does not hear the later change first");
  assert.deepEqual(store.get(), { mode: "complete", finishing: true });
});

test("a subscriber that stops hears nothing more", () => {
  const store = createStore({ n: 0 });
  let heard = 0;
  const stop = store.subscribe(() => heard++);
  store.set({ n: 1 });
  stop();
  store.set({ n: 2 });
  assert.equal(heard, 1);
});

test("a subscriber that throws does not leave the store stuck", () => {
  const store = createStore({ n: 0 });
  const stop = store.subscribe(() => {
    throw new Error("broken part");
  });
  assert.throws(() => store.set({ n: 1 }), /broken part/);
  stop();
  const heard = [];
  store.subscribe((s) => heard.push(s.n));
  store.set({ n: 2 });
  assert.deepEqual(heard, [2]);
});
