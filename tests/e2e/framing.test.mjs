// The baby in view, on the real app: the parent marks the baby's face on the
// photo in Settings (by mouse, and by keyboard), and during a session the
// screenshot shows that face whole, clear of the panel and the timer, at the
// window sizes the layout suite covers. Then the controls stepping back
// while pumping: the fade, what brings them back, Tab and the shortcut keys
// while faded, axe-core on the faded screen, and the setting kept with each
// session in the diary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { closeWithFixtures, launchWithFixtures, query, waitFor } from "./driver.mjs";
import { QUIET_MS } from "../../ui/js/fade.js";

// The fixture's disc: centre and radius in the 1600 × 1200 photo.
const DISC = { x: 1408 / 1600, y: 600 / 1200 };

let app;
let fixtures;
before(async () => ({ app, fixtures } = await launchWithFixtures()));
after(() => closeWithFixtures({ app, fixtures }));

const storedFocus = () => query(app.diaryPath, "SELECT focus_x AS x, focus_y AS y FROM photos")[0];

/** Where on the page the focus editor's photo is. */
const editorImage = () =>
  app.execute(`
    const img = document.getElementById("focus-image");
    if (!img.complete || !img.naturalWidth) return null;
    const r = img.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };`);

test("the baby's face is marked on the photo in Settings, by mouse and by keyboard", async () => {
  const added = await app.invoke("import_photo", { path: join(fixtures, "face-right.jpg") });
  assert.equal(added.photos?.length, 1, JSON.stringify(added));
  await app.execute("location.reload()");
  await waitFor("the calm screen again", () => app.execute("return document.body.dataset.ready === 'true'"));
  await app.click("#footer-settings");
  const image = await waitFor("the photo in the face editor", editorImage);
  assert.equal(storedFocus().x, null, "no point before the parent gives one");

  // By mouse: a click on the disc.
  await app.clickAt(image.left + DISC.x * image.width, image.top + DISC.y * image.height);
  const clicked = await waitFor("the point saved", () => (storedFocus().x !== null ? storedFocus() : null));
  assert.ok(Math.abs(clicked.x - DISC.x) < 0.01 && Math.abs(clicked.y - DISC.y) < 0.01, JSON.stringify(clicked));
  assert.match(await app.execute("return document.getElementById('focus-point').getAttribute('aria-label')"), /88 % across, 50 % down/);

  // Forgotten, then by keyboard: from the centre, 19 steps of 2 % right.
  await app.click("#focus-clear");
  await waitFor("the point forgotten", () => storedFocus().x === null);
  assert.equal(await app.execute("return document.activeElement.id"), "focus-point", "the marker has the keys");
  for (let i = 0; i < 19; i++) await app.press("\uE014"); // ArrowRight
  const typed = await waitFor("the point saved", () => (storedFocus().x !== null ? storedFocus() : null));
  assert.deepEqual(typed, { x: 0.88, y: 0.5 });
  // The controls stay up for the next test (their fading is tested below),
  // so its screenshots are of the screen with everything on it.
  await app.click("#hide-controls");
  await waitFor("the setting saved", async () => (await app.invoke("get_prefs")).hide_controls === false);
  await app.click("#settings-close");
});

/** The disc in a screenshot of the window: its bounding box and how many of
 * its pixels show (bright magenta: over the face the photo is barely dimmed). */
function findDisc({ width, height, rgb }) {
  let [left, top, right, bottom, count] = [Infinity, Infinity, -1, -1, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      if (rgb[i] > 150 && rgb[i + 2] > 150 && rgb[i + 1] < 80) {
        count++;
        [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
      }
    }
  }
  return count ? { left, top, right, bottom, count } : null;
}

const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

test("in a session the face is whole and clear of the panel and the timer at every size", async () => {
  await app.click("#start");
  await waitFor("the session", async () => (await app.execute("return document.body.dataset.mode")) === "running");
  for (const [width, height] of [[1366, 768], [1024, 700], [800, 600]]) {
    await app.resizeTo(width, height);
    // The photo at rest where it was framed (no glide still under way).
    await waitFor("the photo framed", () =>
      app.execute(`
        const el = document.querySelector(".photo");
        const px = (v) => v.split(" ").map(parseFloat);
        const [want, now] = [px(el.style.backgroundPosition), px(getComputedStyle(el).backgroundPosition)];
        return el.dataset.framed === "${width}x${height}" && want.every((v, i) => Math.abs(v - now[i]) < 0.5);`),
    );
    const boxes = await app.execute(`
      const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
      return { panel: box("#active"), dial: box(".dial"), step: box("#step-name") };`);
    const shot = app.windowShot(`framing-${width}x${height}`);
    assert.equal(shot.width, width, "the whole window is in the screenshot");
    const disc = findDisc(shot);
    const where = `${width} × ${height}: disc ${JSON.stringify(disc)}, ${JSON.stringify(boxes)} (${shot.file})`;
    assert.ok(disc, `the disc shows at all: ${where}`);
    const [w, h] = [disc.right - disc.left + 1, disc.bottom - disc.top + 1];
    assert.ok(w >= 40 && Math.abs(w - h) <= 0.12 * w, `round and large, so not cut off: ${where}`);
    assert.ok(disc.count >= 0.7 * Math.PI * (w / 2) ** 2, `filled, so nothing covers part of it: ${where}`);
    for (const [name, box] of Object.entries(boxes)) assert.ok(!meet(disc, box), `clear of the ${name}: ${where}`);
  }
});

/** How opaque an element is drawn: its own opacity times its ancestors'. */
const opacity = (selector) =>
  app.execute(`
    let shown = 1;
    for (let el = ${selector === "focused" ? "document.activeElement" : `document.querySelector("${selector}")`}; el; el = el.parentElement) shown *= Number(getComputedStyle(el).opacity);
    return String(shown);`);
const faded = () => app.execute("return document.body.dataset.faded === 'true'");

test("while pumping the controls step back, and come back at once", async () => {
  await app.click("#end");
  await app.click("#discard");
  await waitFor("the calm screen", async () => (await app.execute("return document.body.dataset.mode")) === "idle");
  await app.click("#footer-settings");
  await app.click("#hide-controls");
  await waitFor("the setting saved", async () => (await app.invoke("get_prefs")).hide_controls === true);
  await app.click("#settings-close");
  await app.resizeTo(1024, 700);
  await app.click("#start");

  // After a quiet while, all but the timer, the step and "Let-down" fade out.
  await waitFor("the controls to fade", faded, { timeoutMs: QUIET_MS + 10_000 });
  await waitFor("the fade to end", async () => (await opacity("#end")) === "0");
  for (const kept of ["#timer", "#step-name", "#letdown"]) assert.equal(await opacity(kept), "1", kept);
  for (const gone of ["#cue", ".footer", "#pause", "#steps"]) assert.equal(await opacity(gone), "0", gone);
  app.windowShot("framing-faded");
  assert.deepEqual(await app.axe(), [], "axe-core on the faded screen");

  // A shortcut key works while faded, and brings the controls back.
  const before = await app.execute("return document.getElementById('letdowns').textContent");
  await app.press("l");
  assert.equal(await faded(), false, "back at once");
  await app.waitForText("#letdowns", (t) => t !== before);

  // Tab, while faded: the controls come back, with focus on one of them.
  await waitFor("the controls to fade again", faded, { timeoutMs: QUIET_MS + 10_000 });
  await app.press("\uE004"); // Tab
  assert.equal(await faded(), false);
  const focused = await app.execute("const el = document.activeElement; return { id: el.id, text: el.textContent, shown: el.getClientRects().length > 0 }");
  assert.ok(focused.shown, JSON.stringify(focused));
  await waitFor("the focused control back in view", async () => (await opacity("focused")) === "1");

  // The mouse, while faded.
  await waitFor("the controls to fade again", faded, { timeoutMs: QUIET_MS + 10_000 });
  await app.moveMouse(300, 300);
  assert.equal(await faded(), false);
  await waitFor("the end button back", async () => (await opacity("#end")) === "1");
});

test("each session keeps whether the controls faded, for the diary", () => {
  const rows = query(app.diaryPath, "SELECT session_id, value FROM session_factors WHERE factor = 'hide_controls' ORDER BY session_id");
  assert.deepEqual(rows.map((r) => r.value), [0, 1], JSON.stringify(rows));
});
