// The calm screen as a parent uses it, on the real app: a whole session by
// keyboard alone, every control reachable and visible by Tab, discreet mode
// (the photo hidden, the sink silent), the finish sheet's draft surviving the
// window closing, settings (photos, the baby's name), and axe-core on every
// screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { launch, makeFixtures, query, recordSound, waitFor } from "./driver.mjs";

const KEY = { tab: "\uE004", enter: "\uE007", escape: "\uE00C" };

let app;
let fixtures;
before(async () => {
  fixtures = makeFixtures();
  app = await launch({ welcome: true });
});
after(async () => {
  await app?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

const active = () => app.execute("return document.activeElement?.id || document.activeElement?.getAttribute('aria-label') || document.activeElement?.tagName");
const isHidden = (id) => app.execute(`return document.getElementById('${id}').hidden`);

/** axe-core on the window as it is now: no violations. */
/** Presses Tab until `accept(id)` holds; returns every id passed on the way. */
async function tabUntil(accept, max = 40) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await app.press(KEY.tab);
    const id = await active();
    seen.push(id);
    if (accept(id)) return seen;
  }
  throw new Error(`not reached by Tab; went through ${seen.join(", ")}`);
}

async function quickRoutine(name) {
  const id = await app.invoke("save_routine", {
    routine: {
      name,
      steps: [
        { kind: "warm_up", planned_ms: 2000 },
        { kind: "massage", planned_ms: 2000 },
        { kind: "pump", planned_ms: 3000, open_ended: true },
      ],
    },
  });
  await app.execute("location.reload()");
  await waitFor("the routine", async () => app.execute(`return !!document.querySelector("#routine option[value='${id}']")`));
  return id;
}

test("first run: a light welcome that can be skipped, and it is accessible", async () => {
  await waitFor("the welcome", () => app.execute("return document.getElementById('welcome').open"));
  app.screenshot("calm-0-welcome");
  await app.assertAccessible("welcome");
  await app.press(KEY.escape); // a dialog closes on Esc, as people expect
  await waitFor("the welcome to close", async () => !(await app.execute("return document.getElementById('welcome').open")));
  await waitFor("the welcome to be remembered", () => query(app.diaryPath, "SELECT value FROM settings WHERE key = 'prefs'")[0]?.value.includes('"welcome_done":true'));
  assert.equal(await app.execute("return !!document.body.dataset.discreet"), false, "Esc in a dialog is not discreet mode");
  await app.assertAccessible("calm screen before a session");
  app.screenshot("calm-1-ready");
  assert.deepEqual(await app.layoutProblems(), [], "the calm screen fits the window whole");
});

test("a whole session by keyboard alone", async () => {
  await app.invoke("set_sound", { change: { on: false } });
  const routineId = await quickRoutine("Keys only");
  // Setting up the test routine is not part of the session.
  await app.execute(`document.getElementById('routine').value = '${routineId}'`);

  await tabUntil((id) => id === "start");
  await app.press(KEY.enter);
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  await app.press("l");
  await app.waitForText("#letdowns", (t) => t === "1 let-down");
  await app.press("s");
  await app.waitForText("#side", (t) => t === "Side: Left");
  await app.press(" ");
  await app.waitForText("#pause", (t) => t === "Resume");
  await app.press(" ");
  await app.waitForText("#pause", (t) => t === "Pause");
  await app.press("b");
  await waitFor("the breathing guide", () => app.execute("return document.body.dataset.breathing === 'on'"));
  assert.match(await app.text("#breath-word"), /^Breathe (in|out)$/);
  await app.waitForText("#step-name", (t) => t === "Pumping", 20_000);
  await app.press("l");
  await app.waitForText("#letdowns", (t) => t === "2 let-downs");
  await app.press("s");
  await app.waitForText("#side", (t) => t === "Side: Right");
  await app.waitForText("#timer-label", (t) => t === "pumping"); // past the target
  app.screenshot("calm-2-keyboard-pumping");
  await app.assertAccessible("session running");

  await app.press("e");
  await waitFor("the finish sheet", async () => !(await isHidden("finish")));
  assert.equal(await active(), "amount-left");
  for (const key of "70") await app.press(key);
  await app.press(KEY.tab);
  assert.equal(await active(), "amount-right");
  for (const key of "65") await app.press(key);
  app.screenshot("calm-3-keyboard-finish");
  await app.assertAccessible("finish sheet");
  await app.press(KEY.enter); // Enter saves
  await waitFor("the finish sheet to close", () => isHidden("finish"));
  assert.equal(await app.text("#notice-text"), "Saved to your diary.");
  app.screenshot("calm-3-saved-notice");
  assert.deepEqual(await app.layoutProblems(), [], "the notice covers no line in part");

  const [row] = query(app.diaryPath, "SELECT * FROM sessions WHERE status = 'finished' ORDER BY id DESC LIMIT 1");
  assert.equal(row.amount_left_ml, 70);
  assert.equal(row.amount_right_ml, 65);
  assert.equal(row.letdown_count, 2);
  const kinds = query(app.diaryPath, `SELECT kind FROM events WHERE session_id = ${row.id} ORDER BY seq`).map((e) => e.kind);
  for (const kind of ["let_down", "side", "pause", "resume", "target_reached"]) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  await app.invoke("set_prefs", { change: { breathing: false } });
});

test("every session control is reached by Tab, in order, and visibly focused", async () => {
  await app.execute("const r = document.getElementById('routine'); r.value = [...r.options].find(o => o.text === 'Standard').value;");
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  await app.execute("document.activeElement.blur()");
  const order = [];
  const visible = {};
  for (let i = 0; i < 30; i++) {
    await app.press(KEY.tab);
    const seen = await app.execute(`
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return { id: el.id || el.dataset.side || el.tagName,
               inView: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
               outlined: el.matches(':focus-visible') && style.outlineStyle !== 'none' };`);
    if (order.includes(seen.id)) break;
    order.push(seen.id);
    visible[seen.id] = seen.inView && seen.outlined;
  }
  const expected = ["letdown", "pause", "extend", "back", "skip", "left", "right", "both", "end", "sound-toggle", "volume", "breathing", "discreet", "footer-settings"];
  const positions = expected.map((id) => order.indexOf(id));
  assert.ok(positions.every((p) => p >= 0), `all reached: ${order.join(", ")}`);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, `in screen order: ${order.join(", ")}`);
  for (const id of expected) assert.ok(visible[id], `${id} in view with a visible focus ring`);
});

test("discreet mode hides the photo behind a plain screen and silences the sound", async () => {
  await app.invoke("set_sound", { change: { on: true, mode: "whole" } });
  const ear = await recordSound();
  await waitFor("the loop to play", () => ear.latest(300).rms > 0.003, { timeoutMs: 10_000 });
  const normal = app.windowShot("calm-4-before-discreet").file;

  await app.press(KEY.escape);
  await waitFor("the loop to fade to silence", () => ear.latest(300).peak < 0.0005, { timeoutMs: 8000 });
  assert.equal(await isHidden("discreet-screen"), false);
  assert.equal(await active(), "discreet-off", "focus is on the way back");
  const hidden = app.windowShot("calm-5-discreet").file;
  // The plain screen is nearly one colour; the calm screen with its photo is not.
  const spread = (file) => Number(execFileSync("convert", [file, "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"], { encoding: "utf8" }));
  assert.ok(spread(hidden) < spread(normal) / 4, `discreet ${spread(hidden)} vs normal ${spread(normal)}`);
  // Keys other than Esc do nothing while discreet (no let-down marked by accident).
  await app.press("l");
  assert.equal(await app.execute("return document.getElementById('letdowns').textContent"), "0 let-downs");

  await app.press(KEY.escape);
  await waitFor("the loop to come back", () => ear.latest(300).rms > 0.003, { timeoutMs: 10_000 });
  assert.equal(await isHidden("discreet-screen"), true);
  await ear.stop();
  await app.invoke("set_sound", { change: { on: false } });
});

test("what is typed in the finish sheet survives the window closing", async () => {
  await app.press("e");
  await waitFor("the finish sheet", async () => !(await isHidden("finish")));
  await app.type("#amount-total", "95");
  await app.type("#note", "Left early for a meeting");
  await app.click("input[name='comfort'][value='3']");
  await waitFor("the draft to be kept", () => query(app.diaryPath, "SELECT value FROM settings WHERE key = 'finish_draft'")[0]?.value.includes("meeting"));
  const home = app.home;
  const pid = app.processes().find((p) => readFileSync(`/proc/${p}/comm`, "utf8").trim() === "letdown");
  process.kill(pid, "SIGKILL");
  await app.close({ keepData: true });

  app = await launch({ home });
  await waitFor("the finish sheet offered again", async () => !(await isHidden("finish")));
  assert.equal(await isHidden("draft-kept"), false);
  assert.equal(await app.execute("return document.getElementById('amount-total').value"), "95");
  assert.equal(await app.execute("return document.getElementById('note').value"), "Left early for a meeting");
  assert.equal(await app.execute("return document.querySelector('input[name=comfort]:checked')?.value"), "3");
  app.screenshot("calm-6-draft-offered");
  await app.click("#save");
  await app.waitForText("#notice-text", (t) => t === "Saved to your diary.");
  const [row] = query(app.diaryPath, "SELECT * FROM sessions ORDER BY id DESC LIMIT 1");
  assert.equal(row.amount_total_ml, 95);
  assert.equal(row.note, "Left early for a meeting");
  assert.equal(query(app.diaryPath, "SELECT value FROM settings WHERE key = 'finish_draft'")[0].value, "", "forgotten once saved");
});

test("settings: several photos, one chosen, one removed; the baby's name in the cues", async () => {
  for (const name of ["landscape.jpg", "plain.png"]) {
    const photos = await app.invoke("import_photo", { path: join(fixtures, name) });
    assert.ok(photos.active, JSON.stringify(photos));
  }
  await app.execute("location.reload()");
  await waitFor("the app to be ready", () => app.execute("return document.body.dataset.ready === 'true'"));
  // The thumbnails wait for the settings to open: start-up fetches and
  // decodes only the photo it shows.
  const loaded = "return [...document.querySelectorAll('#photo-list img')].filter(i => i.naturalWidth > 0).length";
  assert.equal(await app.execute(loaded), 0, "no thumbnail loaded while the settings are closed");
  await app.click("#footer-settings");
  await waitFor("settings", () => app.execute("return document.getElementById('settings').open"));
  await waitFor("the thumbnails", async () => (await app.execute(loaded)) === 2);
  const thumbs = await app.execute("return [...document.querySelectorAll('#photo-list .thumb')].map(b => b.getAttribute('aria-pressed'))");
  assert.deepEqual(thumbs, ["true", "false"], "the newest is shown");
  app.screenshot("calm-7-settings");
  await app.assertAccessible("settings");

  const [newest, older] = query(app.diaryPath, "SELECT id FROM photos ORDER BY imported_ms DESC, id DESC").map((p) => p.id);
  await app.click("#photo-list li:nth-child(2) .thumb");
  await waitFor("the older photo shown", () => app.execute(`return document.querySelector('.photo').dataset.photo === '${older}'`));
  assert.equal(query(app.diaryPath, "SELECT value FROM settings WHERE key = 'active_photo'")[0].value, older);
  await app.click("#photo-list li:nth-child(2) .remove");
  await waitFor("the newest shown again", () => app.execute(`return document.querySelector('.photo').dataset.photo === '${newest}'`));
  assert.deepEqual(query(app.diaryPath, "SELECT id FROM photos").map((p) => p.id), [newest]);
  const left = execFileSync("ls", [join(app.home, "data", "app.letdown.desktop", "media", "photos")], { encoding: "utf8" });
  assert.ok(!left.includes(older), `its copies are gone: ${left}`);

  await app.execute("const n = document.getElementById('baby-name'); n.focus();");
  await app.type("#baby-name", "Mia");
  await app.press(KEY.tab); // leaving the field saves it
  await waitFor("the name saved", async () => (await app.invoke("get_prefs")).baby_name === "Mia");
  const bad = await app.invoke("set_prefs", { change: { rotate_minutes: 7 } });
  assert.match(bad.error.message, /every 3, 5 or 10 minutes/);
  await app.execute("document.getElementById('settings').close()");
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  await app.click("#skip");
  await app.click("#skip");
  await app.waitForText("#cue", (t) => t.startsWith("Think of Mia."));
});

test("the light theme keeps the screen readable", async () => {
  await app.invoke("set_prefs", { change: { theme: "light" } });
  await app.execute("location.reload()");
  await waitFor("the light theme", () => app.execute("return document.documentElement.dataset.theme === 'light'"));
  // Colours ease over 0.4 s: measure the settled screen.
  await waitFor("the light colours to settle", () =>
    app.execute("return getComputedStyle(document.querySelector('button.primary:not([hidden])')).backgroundColor === 'rgb(47, 95, 89)'"),
  );
  app.screenshot("calm-8-light");
  await app.assertAccessible("light theme, in a session");
});

// The routines as the diary keeps them, from the start-up answer (the UI's only source).
const routines = async () => (await app.invoke("startup")).routines.ok;

test("settings: a routine's step durations are changed and kept; an impossible one is refused", async () => {
  const [routine] = await routines();
  const inputs = "#edit-steps input";
  await app.click("#footer-settings");
  await waitFor("settings", () => app.execute("return document.getElementById('settings').open"));
  // Built as the settings open, from the routine chosen in them.
  const shown = await app.execute(`return [...document.querySelectorAll('${inputs}')].map(i => Number(i.value))`);
  assert.deepEqual(shown, routine.steps.map((s) => Math.max(1, Math.round(s.planned_ms / 60_000))));

  await app.execute(`document.querySelector('${inputs}').value = ''`);
  await app.type(inputs, "4");
  await app.click("#save-routine");
  await app.waitForText("#notice-text", (t) => t === `“${routine.name}” saved.`);
  const [saved] = (await routines()).filter((r) => r.id === routine.id);
  assert.equal(saved.steps[0].planned_ms, 4 * 60_000);
  assert.deepEqual(saved.steps.slice(1), routine.steps.slice(1), "the other steps as they were");

  await app.execute(`document.querySelector('${inputs}').value = '0'`);
  await app.click("#save-routine");
  await app.waitForText("#notice-text", (t) => t === "Each step can last from 1 to 180 minutes.");
  const [kept] = (await routines()).filter((r) => r.id === routine.id);
  assert.equal(kept.steps[0].planned_ms, 4 * 60_000, "the refused duration changed nothing");

  // Closed and opened again: built afresh from what was saved.
  await app.execute("document.getElementById('settings').close()");
  await app.click("#footer-settings");
  await waitFor("settings again", () => app.execute("return document.getElementById('settings').open"));
  assert.equal(await app.execute(`return document.querySelector('${inputs}').value`), "4");
  await app.execute("document.getElementById('settings').close()");
});
