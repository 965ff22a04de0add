import { test } from "node:test";
import assert from "node:assert/strict";
import { toUiError, call } from "../../ui/js/ipc.js";

test("a Rust error keeps its kind and plain message", () => {
  assert.deepEqual(toUiError({ kind: "data_dir", message: "Letdown could not open its data folder." }), {
    kind: "data_dir",
    message: "Letdown could not open its data folder.",
  });
});

test("an error Rust says may pass keeps retryable, for a Try again", () => {
  const full = { kind: "disk_full", message: "The disk is full.", retryable: true };
  assert.deepEqual(toUiError(full), full);
  assert.equal(toUiError({ kind: "diary_too_new", message: "Too new.", retryable: false }).retryable, undefined);
});

test("a bare string from Tauri (e.g. an ACL refusal) becomes a message", () => {
  assert.deepEqual(toUiError("app_info not allowed"), { kind: "unknown", message: "app_info not allowed" });
});

test("call outside the app window rejects with a plain message", async () => {
  delete globalThis.__TAURI__;
  await assert.rejects(call("app_info"), { kind: "unknown", message: "Letdown's window is not connected to the app." });
});

test("call passes the command and arguments through and returns the result", async () => {
  const seen = [];
  globalThis.__TAURI__ = { core: { invoke: async (cmd, args) => (seen.push([cmd, args]), { ok: true }) } };
  assert.deepEqual(await call("app_info", { a: 1 }), { ok: true });
  assert.deepEqual(seen, [["app_info", { a: 1 }]]);
  delete globalThis.__TAURI__;
});

test("the start-up answer handed over with the page is used once, on the first load only", async () => {
  const { startup } = await import("../../ui/js/ipc.js");
  const asked = [];
  globalThis.__TAURI__ = { core: { invoke: async (cmd) => (asked.push(cmd), { from: "ipc" }) } };
  globalThis.__LETDOWN_STARTUP__ = { from: "page" };
  assert.deepEqual(await startup("navigate"), { from: "page" });
  assert.deepEqual(asked, []);
  // Taken: asking again goes to Rust.
  assert.deepEqual(await startup("navigate"), { from: "ipc" });
  // After a reload the handed-over answer is out of date.
  globalThis.__LETDOWN_STARTUP__ = { from: "page" };
  assert.deepEqual(await startup("reload"), { from: "ipc" });
  assert.equal(globalThis.__LETDOWN_STARTUP__, undefined);
  assert.deepEqual(asked, ["startup", "startup"]);
  delete globalThis.__TAURI__;
});

test("photo URLs use the media protocol, in Windows' form on Windows", async () => {
  const { mediaUrl } = await import("../../ui/js/ipc.js");
  assert.equal(mediaUrl("photo", "abc123", "Mozilla/5.0 (X11; Linux x86_64)"), "media://localhost/photo/abc123");
  assert.equal(mediaUrl("thumb", "abc123", "Mozilla/5.0 (Windows NT 10.0)"), "http://media.localhost/thumb/abc123");
});

test("a dropped file goes to the photo, video or recording import by its ending", async () => {
  const { kindOfFile } = await import("../../ui/js/ipc.js");
  assert.equal(kindOfFile("/home/me/Pictures/IMG_0042.JPG"), "photo");
  assert.equal(kindOfFile("/home/me/Videos/IMG_0043.MOV"), "video");
  assert.equal(kindOfFile("/tmp/VID-20250101-WA0002.mp4"), "video");
  assert.equal(kindOfFile("/tmp/clip.webm"), "video");
  assert.equal(kindOfFile("/tmp/New Recording 3.m4a"), "clip");
  assert.equal(kindOfFile("C:\\Users\\me\\PTT-20250101-WA0001.opus"), "clip");
  assert.equal(kindOfFile("/tmp/notes.txt"), null);
});
