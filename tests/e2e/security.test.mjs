// What the window itself may do, tried from inside it: the content security
// policy refuses inline script and anything remote, and the media: protocol
// serves the baby's photos and nothing else — a picture placed beside the
// media folder cannot be reached with `..` or an absolute path, while the
// same picture inside it loads.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { launch, makeFixtures, recordFault } from "./driver.mjs";

let app;
let fixtures;
before(async () => {
  fixtures = makeFixtures();
  app = await launch();
});
after(async () => {
  await app?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

/** Loads `src` in an <img>; resolves to "load" or "error". */
const load = (src) =>
  app.executeAsync(
    "const [src, done] = arguments; const i = new Image();" +
      "i.onload = () => done('load'); i.onerror = () => done('error'); i.src = src;" +
      "setTimeout(() => done('timeout'), 5000);",
    [src],
  );

test("the CSP refuses inline script and remote content", async () => {
  const result = await app.executeAsync(`
    const done = arguments[0];
    const violations = [];
    document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective));
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true";
    document.body.append(s);
    const img = new Image();
    img.src = "https://example.com/tracker.png";
    let fetched = "not tried";
    fetch("https://example.com/").then(() => (fetched = "fetched"), () => (fetched = "refused")).finally(() =>
      setTimeout(() => done({ inlineRan: window.__inlineRan === true, fetched, violations }), 300));
  `);
  assert.equal(result.inlineRan, false, "inline script did not run");
  assert.equal(result.fetched, "refused");
  for (const directive of ["script-src", "img-src", "connect-src"]) {
    assert.ok(result.violations.some((v) => v.startsWith(directive)), `${directive} violation reported: ${result.violations}`);
  }
  recordFault({
    fault: "Inline script, remote image and remote fetch in the window",
    tries: 3,
    sees: "nothing: the CSP refuses them",
    kept: `no script ran, nothing fetched (${result.violations.length} violations reported)`,
  });
});

test("media: serves photos from the media folder and nothing outside it", async () => {
  const imported = await app.invoke("import_photo", { path: join(fixtures, "landscape.jpg") });
  const id = imported.active;
  assert.ok(id, "a photo was imported");
  // The same picture, placed where only a path escape could reach it.
  const data = join(app.home, "data", "app.letdown.desktop");
  copyFileSync(join(data, "media", "photos", `${id}.jpg`), join(data, "outside.jpg"));
  copyFileSync(join(data, "media", "photos", `${id}.jpg`), join(data, "media", "outside.jpg"));

  assert.equal(await load(`media://localhost/photo/${id}`), "load", "the photo itself loads");
  const escapes = [
    "media://localhost/photo/..%2F..%2Foutside.jpg",
    "media://localhost/photo/..%2Foutside.jpg",
    "media://localhost/photo/%2E%2E%2F%2E%2E%2Foutside.jpg",
    "media://localhost/../outside.jpg",
    "media://localhost/photo/../../outside.jpg",
    `media://localhost/photo/${encodeURIComponent(join(data, "outside.jpg"))}`,
    `media://localhost/photo/${join(data, "outside.jpg")}`,
    `media://localhost/photo//${join(data, "outside.jpg")}`,
    "media://localhost/outside.jpg",
    `media://localhost/photo/${id}.jpg`,
  ];
  for (const url of escapes) assert.equal(await load(url), "error", url);
  recordFault({
    fault: "media: asked for ../ and absolute paths",
    tries: escapes.length,
    sees: "nothing (not found)",
    kept: "files outside the media folder unread; the photo itself still loads",
  });
});
