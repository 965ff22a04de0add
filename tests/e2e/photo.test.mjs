// The baby's photo on the real app: imported from a file (the path the file
// dialog or a drop would hand over — the native dialog itself cannot be driven
// through WebDriver), shown full-window, and kept when a bad file is offered.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, makeFixtures, waitFor } from "./driver.mjs";

let app;
let fixtures;
before(async () => {
  fixtures = makeFixtures();
  app = await launch({ env: { LETDOWN_TEST_PROBE_FAULTS: "1" } });
  await app.waitForText("#about", (t) => t !== "Letdown");
});
after(async () => {
  await app?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

/** Loads the photo the calm screen shows (once any cross-fade has settled)
 * and returns its URL and natural size. */
async function shownPhoto() {
  return waitFor("the photo to settle", async () => {
    const shown = await photoNow();
    return shown.fading ? null : shown;
  });
}

async function photoNow() {
  return app.executeAsync(`
    const done = arguments[arguments.length - 1];
    const el = document.querySelector(".photo");
    const css = getComputedStyle(el).backgroundImage;
    if (css.startsWith("cross-fade")) return done({ fading: true });
    const url = css.match(/url\\("?(.*?)"?\\)/)?.[1];
    const img = new Image();
    img.onload = () => done({ url, width: img.naturalWidth, height: img.naturalHeight, id: el.dataset.photo ?? null });
    img.onerror = () => done({ url, error: true, id: el.dataset.photo ?? null });
    img.src = url;`);
}

test("a chosen photo fills the calm screen", async () => {
  const before = await shownPhoto();
  assert.match(before.url, /img\/calm\.svg$/, "the built-in picture before any photo is chosen");

  const result = await app.invoke("import_photo", { path: join(fixtures, "large.jpg") });
  assert.equal(result.photos.length, 1, JSON.stringify(result));
  await app.execute("location.reload()");
  const shown = await waitFor("the photo to show", async () => {
    const s = await shownPhoto();
    return s.id === result.active && s.url.startsWith("media:") ? s : null;
  });
  assert.match(shown.url, /^media:\/\/localhost\/window\/[0-9a-f]+$/);
  assert.deepEqual([shown.width, shown.height], [1440, 1080], "the copy sized for a 1024 × 700 window");
  app.screenshot("photo-1-chosen");
});

test("a window made larger than the window-sized copy covers gets the large copy", async () => {
  try {
    app.resizeWindow(1800, 1000);
    const large = await waitFor("the large copy", async () => {
      const s = await shownPhoto();
      return /\/photo\/[0-9a-f]+$/.test(s.url) ? s : null;
    });
    assert.deepEqual([large.width, large.height], [2560, 1920]);
  } finally {
    app.resizeWindow(1024, 700);
  }
  const back = await waitFor("the window copy again", async () => {
    const s = await shownPhoto();
    return /\/window\/[0-9a-f]+$/.test(s.url) ? s : null;
  });
  assert.equal(back.width, 1440);
});

test("an iPhone HEIC photo, turned by its own rotation box, shows upright", async () => {
  const result = await app.invoke("import_photo", { path: join(fixtures, "upright.heic") });
  const photo = result.photos?.find((p) => p.id === result.active);
  assert.deepEqual([photo?.width, photo?.height], [200, 300], JSON.stringify(result));
  await app.execute("location.reload()");
  const shown = await waitFor("the HEIC photo to show", async () => {
    const s = await shownPhoto();
    return s.id === result.active && s.url.startsWith("media:") ? s : null;
  });
  assert.deepEqual([shown.width, shown.height], [200, 300]);
  app.screenshot("photo-2-heic");
});

test("a file that is not a photo gets a plain message and the photo stays", async () => {
  const { active } = await app.invoke("list_photos");
  // A file only tests make: the probe that decodes it aborts, as a decoder
  // crash would end it; the app must stay up.
  writeFileSync(join(fixtures, "crash.heic"), "LETDOWN-PROBE-FAULT abort\n");
  for (const [name, says] of [
    ["not-a-photo.jpg", /is not a photo Letdown can read.*Your current photo is unchanged/],
    ["truncated.jpg", /looks damaged or incomplete/],
    ["empty.png", /is empty/],
    ["picture.avif", /is an AVIF picture, which Letdown cannot read yet/],
    ["crash.heic", /looks damaged or incomplete.*Your current photo is unchanged/],
  ]) {
    const outcome = await app.invoke("import_photo", { path: join(fixtures, name) });
    assert.match(outcome.error?.message ?? "", says, name);
  }
  assert.equal((await app.invoke("list_photos")).active, active);
  assert.equal((await shownPhoto()).id, active);
});

test("the media protocol serves nothing outside the media folder", async () => {
  const outcomes = await app.executeAsync(`
    const done = arguments[arguments.length - 1];
    const urls = ["media://localhost/photo/../diary.sqlite3", "media://localhost/photo/%2E%2E%2Fdiary.sqlite3",
                  "media://localhost//etc/passwd", "media://localhost/etc/passwd"];
    Promise.all(urls.map((u) => new Promise((ok) => {
      const img = new Image();
      img.onload = () => ok(u + " loaded");
      img.onerror = () => ok("refused");
      img.src = u;
    }))).then(done);`);
  assert.deepEqual(outcomes, ["refused", "refused", "refused", "refused"]);
});
