// The calm screen in smaller windows, as on a small laptop screen or beside
// another window: idle, in a session and finishing it, everything is in view
// and whole (no scroll, nothing under the footer) down to 800 × 600.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, waitFor } from "./driver.mjs";

const SIZES = [
  [1366, 768],
  [1280, 720],
  [1024, 600],
  [800, 700],
  [800, 600],
];

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

async function fitsAtEverySize(screen) {
  for (const [width, height] of SIZES) {
    await app.resizeTo(width, height);
    // WebKitGTK applies a media query's change a few frames after the resize
    // event: the layout is read until it settles, or 5 s have passed.
    let problems;
    await waitFor(`${screen} to fit at ${width} × ${height}`, async () => (problems = await app.layoutProblems()).length === 0, { timeoutMs: 5000 }).catch(() => {});
    assert.deepEqual(problems, [], `${screen} at ${width} × ${height}: all of it in view, whole`);
  }
  app.screenshot(`layout-${screen}-800x600`);
}

test("idle: the calm screen fits", async () => {
  await fitsAtEverySize("idle");
});

test("in a session: the dial and every control fit", async () => {
  await app.click("#start");
  await waitFor("the session", async () => (await app.execute("return document.body.dataset.mode")) === "running");
  await fitsAtEverySize("session");
});

test("finishing: the sheet and its buttons fit", async () => {
  await app.click("#end");
  await waitFor("the finish sheet", async () => !(await app.execute("return document.getElementById('finish').hidden")));
  await fitsAtEverySize("finish");
});
