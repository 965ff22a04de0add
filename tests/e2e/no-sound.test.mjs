// No speakers, no headphones, no sound server: the app still starts, says
// plainly that sound is unavailable, offers to try again, and a session runs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, waitFor } from "./driver.mjs";

let app;
before(async () => {
  app = await launch();
  // Relaunch the same (fresh) data folder with audio pointed at nothing: an
  // empty ALSA configuration (no cards) and a sound server that does not exist.
  const home = app.home;
  await app.close({ keepData: true });
  const empty = join(home, "asound.conf");
  writeFileSync(empty, "");
  app = await launch({ home, env: { ALSA_CONFIG_PATH: empty, PULSE_SERVER: `unix:${join(home, "no-such-server")}` } });
  await app.waitForText("#about", (t) => t !== "Letdown");
});
after(async () => {
  await app?.close();
});

test("the app says sound is unavailable, offers a retry, and still runs a session", async () => {
  await waitFor("the sound message", async () => !(await app.execute("return document.getElementById('sound-problem').hidden")));
  assert.match(await app.text("#sound-problem-text"), /Sound is unavailable/);
  app.screenshot("no-sound-1-message");
  assert.deepEqual(await app.layoutProblems(), [], "the message covers nothing, and nothing needs a scroll");
  const retried = await app.invoke("retry_sound");
  assert.equal(retried.status.state, "unavailable");
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  await app.press("l");
  await app.waitForText("#letdowns", (t) => t === "1 let-down");
  app.screenshot("no-sound-2-session");
  assert.deepEqual(await app.layoutProblems(), [], "during the session too");
});
