// A page that cannot run its scripts (a damaged install), on the real app:
// the same app built with a syntax error in main.js (scripts/run-tests.sh
// makes it). The window is made hidden and shown by the page's script, so
// here Rust's fallback must show it, 2 s after the page loaded, with the
// page's own message instead of an empty window; the diary loses nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { launch, newHome, query, recordFault, seedDiary, waitFor, xdotool } from "./driver.mjs";

const BROKEN = process.env.LETDOWN_BROKEN_UI_BIN;

test("a page whose scripts never run is shown anyway, saying so in plain words", { skip: !BROKEN && "LETDOWN_BROKEN_UI_BIN not set: run through scripts/run-tests.sh" }, async () => {
  assert.ok(existsSync(BROKEN), BROKEN);
  const { dir, diary } = newHome();
  seedDiary(diary, 12);
  const app = await launch({ home: dir, bin: BROKEN, ready: false });
  try {
    const pid = app.letdownPid();
    assert.ok(pid, "the app runs");
    await waitFor("the window to be shown", () => {
      try {
        return xdotool("search", "--onlyvisible", "--pid", String(pid), "--name", "^Letdown$").length > 0;
      } catch {
        return false; // xdotool exits 1 while no window matches
      }
    });
    const seen = await app.execute(`
      const shown = [...document.body.children].filter((el) => getComputedStyle(el).display !== "none");
      return {
        starting: "starting" in document.body.dataset,
        shown: shown.map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")),
        text: shown.map((el) => el.textContent.replace(/\\s+/g, " ").trim()).join(" "),
        inView: shown.every((el) => {
          const box = el.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth;
        }),
      };
    `);
    app.screenshot("not-started");
    assert.equal(seen.starting, true, "main.js never ran");
    assert.deepEqual(seen.shown, ["p#not-started"], "the message alone");
    assert.match(seen.text, /^Letdown could not finish opening\. Please close this window and open Letdown again\./);
    assert.match(seen.text, /your diary and photos stay safe/);
    assert.ok(seen.inView, "all of it in the window");
    assert.equal(query(app.diaryPath, "SELECT count(*) AS n FROM sessions")[0].n, 12, "every session still there");
    recordFault({
      fault: "The window's scripts cannot run (a damaged install)",
      tries: 1,
      sees: seen.text,
      kept: "the diary, every session (12); the window shown 2 s after its page loaded",
    });
  } finally {
    await app.close();
  }
});
