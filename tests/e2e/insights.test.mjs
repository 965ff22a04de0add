// "What works for you" on the real app, over a diary with a planted effect
// (letdown::seed::planted: when the warm-up runs to its end, the first
// let-down comes sooner), its times scaled to seconds so a session here can
// meet the pattern live: the finding in the diary's view with its picture
// and counts, its line on the idle screen (and hiding it), the quiet hint
// while pumping and its suggestion once the usual time has passed, the
// finish sheet's chips recorded with the session, and axe-core throughout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, query, recordFault, seedDiary, waitFor } from "./driver.mjs";

const SESSIONS = 120;
// Every time inside a seeded session is 1/30 of the real one: the first
// let-down at about 4–7 s from the start of pumping, the second 14 s later.
const SCALE = 1 / 30;
const KEY = "warm_up_full/FirstLetdown";

let app;
before(async () => {
  const home = mkdtempSync(join(tmpdir(), "letdown-e2e-"));
  seedDiary(join(home, "data", "app.letdown.desktop", "diary.sqlite3"), SESSIONS, "planted", SCALE);
  app = await launch({ home });
});
after(async () => {
  await app?.close();
});

const prefs = () => JSON.parse(query(app.diaryPath, "SELECT value FROM settings WHERE key = 'prefs'")[0]?.value ?? "{}");

test("the diary's 'What works' view says what the planted diary holds, in plain words", async () => {
  await app.click("#footer-diary");
  await app.click("#tab-works");
  const finding = await app.waitForText(`#works-findings li[data-key="${KEY}"] p`);
  assert.match(
    finding,
    /^Clear Over the last 4 weeks your first let-down came about \d seconds sooner when the warm-up ran to its end \(median 0:0\d with, 0:0\d without; \d+ and \d+ sessions\)\.$/,
  );
  assert.doesNotMatch(finding, /caus|makes|because/);
  // Nothing else was planted: the baby's photo, sound and a drink are not credited.
  const keys = await app.execute("return [...document.querySelectorAll('#works-findings li')].map((li) => li.dataset.key)");
  assert.ok(keys.every((k) => k.startsWith("warm_up_full/")), keys.join(", "));
  assert.equal(await app.execute(`return document.querySelector('#works-findings li[data-key="${KEY}"] svg[role=img] .median') !== null`), true, "a picture per finding");
  assert.match(await app.text("#works-pattern"), /your first let-down usually comes at 0:0\d .*your second let-down usually comes at 0:[12]\d/);
  const fourWeeks = Number((await app.text("#works-view .hint")).match(/^(\d+) sessions/)[1]);
  app.screenshot("works-1-view");
  await app.assertAccessible("what works");

  await app.execute("const s = document.getElementById('works-weeks'); s.value = '2'; s.dispatchEvent(new Event('change'))");
  await app.waitForText("#works-view .hint", (t) => /^\d+ sessions/.test(t) && Number(t.match(/^(\d+)/)[1]) < fourWeeks);
  const twoWeeks = Number((await app.text("#works-view .hint")).match(/^(\d+)/)[1]);
  assert.ok(Math.abs(twoWeeks * 2 - fourWeeks) <= 2, `${twoWeeks} sessions in 2 weeks, ${fourWeeks} in 4`);

  // The report for the consultant has the same, with counts.
  await app.click("#tab-report");
  await app.waitForText("#report-view .insights", (t) => t.includes("sooner when the warm-up ran to its end"));
  assert.match(await app.text("#report-view .insights h2"), /last 2 weeks, \d+ sessions/);
  await app.execute("document.getElementById('diary').close()");
});

test("the strongest finding is one line on the idle screen, and can be hidden", async () => {
  const line = await app.waitForText("#finding-text");
  assert.match(line, /^Your first let-down came about \d seconds sooner when the warm-up ran to its end\.$/);
  app.screenshot("works-2-idle-line");
  await app.assertAccessible("idle screen with a finding");
  const [w0, h0] = await app.execute("return [innerWidth, innerHeight]");
  for (const [width, height] of [[1024, 600], [800, 600]]) {
    await app.resizeTo(width, height);
    let problems;
    await waitFor("the layout to settle", async () => (problems = await app.layoutProblems()).length === 0, { timeoutMs: 5000 }).catch(() => {});
    assert.deepEqual(problems, [], `the idle screen with its finding fits ${width} × ${height}`);
  }
  app.screenshot("works-2-idle-line-800x600");
  await app.resizeTo(w0, h0);
  await app.click("#finding-close");
  await waitFor("the line to go", () => app.execute("return document.getElementById('finding-line').hidden"));
  await waitFor("the choice to be kept", () => prefs().dismissed_finding === KEY);
});

test("while pumping, a quiet line says when the next let-down usually comes", async () => {
  await app.invoke("set_sound", { change: { on: false } });
  const id = await app.invoke("save_routine", {
    routine: {
      name: "Seconds",
      steps: [
        { kind: "warm_up", planned_ms: 1000 },
        { kind: "massage", planned_ms: 1000 },
        { kind: "pump", planned_ms: 60_000, open_ended: true },
      ],
    },
  });
  await app.execute("location.reload()");
  await waitFor("the routine", () => app.execute(`return !!document.querySelector("#routine option[value='${id}']")`));
  await app.execute(`document.getElementById('routine').value = '${id}'`);
  await app.click("#start");
  const first = await app.waitForText("#pattern-hint", (t) => t.startsWith("Your first"));
  assert.match(first, /^Your first let-down often comes around \d seconds\.$/);
  await app.press("l");
  const second = await app.waitForText("#pattern-hint", (t) => t.startsWith("Your second"));
  assert.match(second, /^Your second let-down often comes around (1\d|2\d) seconds\.$/);
  assert.equal(await app.execute("return getComputedStyle(document.getElementById('pattern-hint')).color"), await app.execute("return getComputedStyle(document.getElementById('timer-label')).color"), "the hint is in the quiet ink, nothing red");
  await app.assertAccessible("pumping with the hint");
  // Past the usual time with no second let-down: a suggestion, calmly.
  const late = await app.waitForText("#pattern-hint", (t) => t.startsWith("Slower today?"), 45_000);
  assert.match(late, /switch|compression|recording/i);
  app.screenshot("works-3-live-hint");
});

test("the finish sheet's chips are recorded with the session, and ticked again next time", async () => {
  await app.press("e");
  await waitFor("the finish sheet", () => app.execute("return !document.getElementById('finish').hidden"));
  const chips = await app.execute("return [...document.querySelectorAll('#chip-list input')].map((c) => c.value)");
  assert.ok(chips.includes("warm compress") && chips.includes("a drink"), chips.join(", "));
  await app.click("#chip-list input[value='warm compress']");
  await app.assertAccessible("finish sheet with chips");
  app.screenshot("works-4-chips");
  await app.click("#save");
  await waitFor("the idle screen", () => app.execute("return document.body.dataset.mode === 'idle'"));
  const rows = query(app.diaryPath, "SELECT factor, value FROM session_factors WHERE session_id = (SELECT max(id) FROM sessions) ORDER BY factor");
  const factors = Object.fromEntries(rows.map((r) => [r.factor, r.value]));
  assert.equal(factors["did:warm compress"], 1);
  assert.equal(factors["did:a drink"], 0);
  assert.equal(factors.hide_controls, 1);
  assert.equal(factors.baby_picture, 0);
  assert.equal(factors.discreet, 0);
  assert.deepEqual(prefs().last_chips, ["warm compress"]);
  // The next sheet comes with the same ticked, so a routine day costs nothing.
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t !== "Letdown");
  await app.press("e");
  await waitFor("the next finish sheet", () => app.execute("return !document.getElementById('finish').hidden"));
  const ticked = await app.execute("return [...document.querySelectorAll('#chip-list input:checked')].map((c) => c.value)");
  assert.deepEqual(ticked, ["warm compress"]);
  await app.click("#discard");
  await waitFor("the idle screen", () => app.execute("return document.body.dataset.mode === 'idle'"));
});

test("a choice too long for a chip is refused in plain words, and the old ones kept", async () => {
  const before = prefs().chips;
  await app.click("#footer-settings");
  await waitFor("the settings", () => app.execute("return document.getElementById('settings').open && document.getElementById('pref-chips').value !== ''"));
  const long = "a very long description of what I did before pumping";
  await app.execute(`const i = document.getElementById('pref-chips'); i.value = 'warm compress, ${long}'; i.dispatchEvent(new Event('change'))`);
  const said = await app.waitForText("#notice-text", (t) => t.includes("at most"));
  assert.equal(said, "Each choice can be at most 32 characters of text.");
  assert.deepEqual(prefs().chips, before);
  recordFault({ fault: "A finish-sheet choice over 32 characters", tries: "Settings › “What did you do today?” choices", sees: said, kept: "the choices as they were" });
});
