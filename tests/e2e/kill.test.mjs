// The real app killed mid-session, again and again: SIGKILL (no chance to
// save anything) while a session runs with let-downs marked. Every relaunch
// must offer to resume that session, with every mark and the running time it
// had, and resuming must carry on from there. 20 rounds in one run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, query, recordFault, waitFor } from "./driver.mjs";

const ROUNDS = Number(process.env.KILL_ROUNDS ?? 20);

const session = async (app) => (await app.invoke("get_state")).session;

test(`killed ${ROUNDS} times mid-session, it offers to resume with every mark and the right time`, { timeout: 15 * 60_000 }, async () => {
  let app = await launch();
  const home = app.home;
  let offered = "";
  try {
    await app.click("#start");
    await app.waitForText("#step-name", (t) => t.length > 0);
    for (let round = 1; round <= ROUNDS; round++) {
      // Mark a let-down (and every third round a side switch) by keyboard.
      const before = await session(app);
      await app.press("l");
      if (round % 3 === 0) await app.press("s");
      const marked = await waitFor("the marks to be saved", async () => {
        const s = await session(app);
        return s.letdowns === before.letdowns + 1 && s.marks.length === before.marks.length + 1 + (round % 3 === 0 ? 1 : 0) ? s : null;
      });
      const killedAt = Date.now();
      const pid = app.letdownPid();
      assert.ok(pid, "the letdown process is running");
      process.kill(pid, "SIGKILL");
      await app.close({ keepData: true });

      app = await launch({ home });
      const back = await session(app);
      const wall = Date.now() - killedAt;
      assert.ok(back, `round ${round}: the session is still there`);
      assert.equal(back.id, marked.id, `round ${round}: the same session`);
      assert.equal(back.phase, "paused", `round ${round}: paused, waiting for the parent`);
      assert.equal(back.recovered, true, `round ${round}: marked as recovered`);
      assert.deepEqual(back.marks, marked.marks, `round ${round}: every mark, at its time`);
      assert.equal(back.letdowns, marked.letdowns);
      // Running time goes on only for the moments the app was really gone.
      assert.ok(back.elapsed_ms >= marked.elapsed_ms, `round ${round}: no running time lost`);
      assert.ok(back.elapsed_ms <= marked.elapsed_ms + wall + 1000, `round ${round}: ${back.elapsed_ms - marked.elapsed_ms} ms added in ${wall} ms`);
      offered = await app.waitForText("#recovered", (t) => /still here, with everything you marked/.test(t));
      assert.equal(await app.text("#pause"), "Resume");
      // Space resumes, as the offer invites.
      await app.press(" ");
      await waitFor("the session to run again", async () => (await session(app)).phase === "running");
    }
    app.screenshot("kill-resume-offer");
    const rows = query(app.diaryPath, "SELECT count(*) AS n FROM events WHERE kind = 'let_down'");
    assert.equal(rows[0].n, ROUNDS, "one let-down per round in the diary");
    recordFault({
      fault: "SIGKILL mid-session (real app)",
      tries: ROUNDS,
      sees: offered,
      kept: `the session, every let-down and side mark (${ROUNDS} let-downs), its running time`,
    });
  } finally {
    await app.close();
  }
});
