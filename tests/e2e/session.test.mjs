// A whole session on the real app, by mouse and keyboard, on a routine with
// second-long steps; then the diary file is read to see that it all was kept.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, query, recordSound, waitFor } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
  await app.waitForText("#about", (t) => t !== "Letdown");
});
after(async () => {
  await app?.close();
});

const stepName = () => app.text("#step-name");

test("a session runs warm-up, massage and pumping, with let-downs, a side and a pause, and is saved", async () => {
  const routineId = await app.invoke("save_routine", {
    routine: {
      name: "E2E quick",
      steps: [
        { kind: "warm_up", planned_ms: 2000 },
        { kind: "massage", planned_ms: 2000 },
        { kind: "pump", planned_ms: 3000, open_ended: true },
      ],
    },
  });
  assert.equal(typeof routineId, "number", JSON.stringify(routineId));
  await app.execute("location.reload()");
  await waitFor("the routine list", async () =>
    (await app.execute("return [...document.querySelectorAll('#routine option')].map(o => o.text)")).includes("E2E quick"),
  );
  assert.equal(await app.execute("return document.getElementById('routine').selectedOptions[0].text"), "Standard");
  await app.execute(`document.getElementById('routine').value = '${routineId}'`);
  app.screenshot("session-0-ready");

  // Only the chimes are measured here (the loop has its own tests in sound.test.mjs).
  await app.invoke("set_sound", { change: { on: false } });
  const recording = await recordSound();
  await app.click("#start");
  assert.equal(await app.waitForText("#step-name", (t) => t === "Warm-up"), "Warm-up");
  assert.match(await app.text("#timer"), /^00:0[12]$/);
  app.screenshot("session-1-warm-up");

  // The engine moves on by itself, and the screen follows its events.
  await app.waitForText("#step-name", (t) => t === "Massage");
  app.screenshot("session-2-massage");
  assert.deepEqual(await app.layoutProblems(), [], "session-2-massage: all of it in view, whole");
  await app.waitForText("#step-name", (t) => t === "Pumping");
  // Each change was marked by a soft chime: heard, and never above -20 dBFS.
  const heard = await recording.stop();
  const peakDb = 20 * Math.log10(heard.peak);
  assert.ok(peakDb > -30, `no chime heard (peak ${peakDb.toFixed(1)} dBFS)`);
  assert.ok(peakDb < -19, `chime too loud (peak ${peakDb.toFixed(1)} dBFS)`);

  await app.press("l");
  await app.waitForText("#letdowns", (t) => t === "1 let-down");
  await app.click("#letdown");
  await app.waitForText("#letdowns", (t) => t === "2 let-downs");
  await app.click("[data-side='left']");
  await app.waitForText("#side", (t) => t === "Side: Left");
  await app.press("s");
  await app.waitForText("#side", (t) => t === "Side: Right");

  await app.press(" ");
  await app.waitForText("#pause", (t) => t === "Resume");
  const frozen = await app.text("#timer");
  app.screenshot("session-3-paused");
  await app.click("#pause");
  await app.waitForText("#pause", (t) => t === "Pause");
  assert.ok(frozen.length > 0);

  // Past the target: the chime has sounded and pumping goes on, counting up.
  await app.waitForText("#timer-label", (t) => t === "pumping");
  app.screenshot("session-4-past-target");

  await app.press("e");
  await waitFor("the finish sheet", async () => !(await app.execute("return document.getElementById('finish').hidden")));
  await app.type("#amount-left", "62");
  await app.type("#amount-right", "48.5");
  await app.click("input[name='comfort'][value='4']");
  await app.type("#tags", "work, tea");
  await app.type("#note", "Calm room today");
  app.screenshot("session-5-finish");
  assert.deepEqual(await app.layoutProblems(), [], "session-5-finish: all of it in view, whole");
  await app.click("#save");
  await app.waitForText("#notice-text", (t) => t === "Saved to your diary.");
  assert.equal(await stepName(), "Letdown");
  app.screenshot("session-6-saved");
  assert.deepEqual(await app.layoutProblems(), [], "session-6-saved: all of it in view, whole");

  // The diary file on disk has the session with every mark.
  const [row] = query(app.diaryPath, "SELECT * FROM sessions");
  assert.equal(row.status, "finished");
  assert.equal(row.amount_left_ml, 62);
  assert.equal(row.amount_right_ml, 48.5);
  assert.equal(row.amount_total_ml, 110.5);
  assert.equal(row.comfort, 4);
  assert.equal(row.note, "Calm room today");
  assert.equal(row.letdown_count, 2);
  const kinds = query(app.diaryPath, `SELECT kind FROM events WHERE session_id = ${row.id} ORDER BY seq`).map((e) => e.kind);
  assert.deepEqual(kinds.slice(0, 3), ["start", "step_done", "step_done"]);
  for (const kind of ["let_down", "side", "pause", "resume", "target_reached"]) {
    assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  }
  assert.equal(kinds.filter((k) => k === "let_down").length, 2);
  const tags = query(app.diaryPath, `SELECT tag FROM session_tags WHERE session_id = ${row.id} ORDER BY tag`).map((t) => t.tag);
  assert.deepEqual(tags, ["tea", "work"]);
  const steps = query(app.diaryPath, `SELECT kind, ended FROM session_steps WHERE session_id = ${row.id} ORDER BY seq`);
  assert.deepEqual(steps.map((s) => s.kind), ["warm_up", "massage", "pump"]);
});

test("an unfinished session is offered again after the app is killed", async () => {
  await app.execute("const r = document.getElementById('routine'); r.value = [...r.options].find(o => o.text === 'Standard').value;");
  const clickedAt = Date.now();
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  const startedSeenAt = Date.now();
  await app.press("l");
  await app.waitForText("#letdowns", (t) => t === "1 let-down");
  const home = app.home;
  // Kill the app outright: no chance to save anything on the way out.
  const letdown = app.processes().filter((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "letdown");
  assert.equal(letdown.length, 1, "one app process");
  process.kill(letdown[0], "SIGKILL");
  await app.close({ keepData: true });
  // The parent is away from the app for a while (this is the time being
  // measured, not a wait for anything).
  await new Promise((r) => setTimeout(r, 1500));

  const relaunchAt = Date.now();
  app = await launch({ home });
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  assert.equal(await app.execute("return document.getElementById('recovered').hidden"), false);
  assert.equal(await app.text("#letdowns"), "1 let-down");
  assert.equal(await app.text("#pause"), "Resume");
  // The warm-up (3:00) went on while the app was away, and is now paused.
  const seenAt = Date.now();
  const { session } = await app.invoke("get_state");
  const elapsed = 180_000 - session.step_remaining_ms;
  assert.ok(elapsed >= relaunchAt - startedSeenAt, `only ${elapsed} ms counted; away since before ${relaunchAt}`);
  assert.ok(elapsed <= seenAt - clickedAt, `${elapsed} ms counted, more than the ${seenAt - clickedAt} ms that passed`);
  app.screenshot("session-7-recovered");
  await app.click("#pause");
  await app.waitForText("#pause", (t) => t === "Pause");
});
