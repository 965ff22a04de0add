// What a parent hears, recorded from the harness's sound server: the loop fades
// in with the session, fades out when paused, follows "only while pumping",
// plays the parent's own recording, and refuses recordings it cannot play.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, level, makeFixtures, query, recordSound, toneHz, waitFor } from "./driver.mjs";

let app;
let fixtures;
let ear;
before(async () => {
  fixtures = makeFixtures();
  app = await launch({ env: { LETDOWN_TEST_PROBE_FAULTS: "1" } });
  await app.waitForText("#about", (t) => t !== "Letdown");
  ear = await recordSound();
});
after(async () => {
  await ear?.stop();
  await app?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

const heard = (ms = 300) => ear.latest(ms);
const untilSounding = (what) => waitFor(what, () => heard().rms > 0.003, { timeoutMs: 8000 });
const untilSilent = (what) => waitFor(what, () => heard().peak < 0.0005, { timeoutMs: 8000 });

test("the built-in sound fades in with the session and out when it is paused", async () => {
  const sound = await app.invoke("get_sound");
  assert.equal(sound.status.state, "ready", JSON.stringify(sound.status));
  assert.equal(sound.clip, null, "no recording chosen yet: Letdown's own sound");
  const routineId = await app.invoke("save_routine", {
    routine: { name: "Listening", steps: [{ kind: "warm_up", planned_ms: 120_000 }, { kind: "pump", planned_ms: 600_000, open_ended: true }] },
  });
  await app.execute("location.reload()");
  await waitFor("the routine", async () => app.execute(`return !!document.querySelector("#routine option[value='${routineId}']")`));
  await app.execute(`document.getElementById('routine').value = '${routineId}'`);

  assert.ok(heard(1000).peak < 0.0005, "silent before the session");
  const startedAt = ear.samples().length;
  await app.click("#start");
  await untilSounding("the loop to start");
  // Wait until the fade-in (2 s) is surely over, then compare its start with its end.
  await waitFor("two seconds of sound", () => ear.samples().length - startedAt > 2.6 * 44100);
  const all = ear.samples();
  const early = level(all.subarray(startedAt, startedAt + 0.4 * 44100)).rms;
  const full = level(all.subarray(startedAt + 2.1 * 44100, startedAt + 2.5 * 44100)).rms;
  assert.ok(full > 3 * early, `faded in: ${early.toFixed(4)} → ${full.toFixed(4)}`);
  assert.ok(20 * Math.log10(level(all.subarray(startedAt)).peak) < -12, "soft");
  app.screenshot("sound-1-playing");

  await app.press(" ");
  await untilSilent("the fade-out to finish");
  await app.press(" ");
  await untilSounding("the loop to come back on resume");
});

test("the parent's own recording plays, and a bad one is refused with a plain message", async () => {
  const bad = await app.invoke("import_clip", { path: join(fixtures, "broken.m4a") });
  assert.match(bad.error.message, /is not a recording Letdown can play.*Your current recording is unchanged/);

  // A WhatsApp voice note (Ogg Opus), recognised on the sink by its tone.
  const opus = await app.invoke("import_clip", { path: join(fixtures, "voice-note.opus") });
  assert.equal(opus.clip?.original_name, "voice-note.opus", JSON.stringify(opus));
  assert.ok(Math.abs(opus.clip.duration_ms - 2000) < 100, `${opus.clip.duration_ms} ms`);
  await waitFor("the 440 Hz Opus note", () => Math.abs(toneHz(ear.samples().subarray(-22050)) - 440) < 15, {
    timeoutMs: 8000,
  });

  // A file only tests make, whose probe aborts as a crashing decoder would:
  // a plain message, and the Opus note goes on playing.
  writeFileSync(join(fixtures, "crash.m4a"), "LETDOWN-PROBE-FAULT abort\n");
  const crash = await app.invoke("import_clip", { path: join(fixtures, "crash.m4a") });
  assert.match(crash.error.message, /looks damaged or incomplete.*Your current recording is unchanged/);
  assert.equal((await app.invoke("get_sound")).clip?.original_name, "voice-note.opus");

  // A phone video's sound track (660 Hz) becomes the recording.
  const video = await app.invoke("import_clip", { path: join(fixtures, "baby.mov") });
  assert.equal(video.clip?.original_name, "baby.mov", JSON.stringify(video));
  await waitFor("the 660 Hz video sound", () => Math.abs(toneHz(ear.samples().subarray(-22050)) - 660) < 15, {
    timeoutMs: 8000,
  });

  // Every other kind a phone or messenger makes imports, at its own length.
  for (const [name, ms] of [
    ["voice.opus", 5070], ["voice-opus.ogg", 5070], ["voice.webm", 5070], ["voice-lossless.m4a", 5060],
    ["voice.aac", 5100], ["baby.mp4", 2040], ["baby.m4v", 2040], ["baby.3gp", 2110], ["baby.webm", 2010],
  ]) {
    const answer = await app.invoke("import_clip", { path: join(fixtures, name) });
    assert.equal(answer.clip?.original_name, name, JSON.stringify(answer));
    assert.ok(Math.abs(answer.clip.duration_ms - ms) < 100, `${name}: ${answer.clip.duration_ms} ms`);
  }

  const ok = await app.invoke("import_clip", { path: join(fixtures, "memo.m4a") });
  assert.equal(ok.clip.original_name, "memo.m4a", JSON.stringify(ok));
  // The new recording replaces the video's sound: a clean 440 Hz tone.
  await waitFor("the 440 Hz memo", () => Math.abs(toneHz(ear.samples().subarray(-22050)) - 440) < 15, {
    timeoutMs: 8000,
  });
});

test("'only while pumping' silences the warm-up and plays during pumping", async () => {
  await app.invoke("set_sound", { change: { mode: "pump" } });
  await untilSilent("the warm-up to go quiet");
  await app.click("#skip");
  await app.waitForText("#step-name", (t) => t === "Pumping");
  await untilSounding("the pump step to play the recording");
  await app.click("#sound-toggle");
  await app.waitForText("#sound-toggle", (t) => t === "Sound off");
  await untilSilent("sound off");
  await app.press("m");
  await app.waitForText("#sound-toggle", (t) => t === "Sound on");
  await untilSounding("sound back on");
  await app.press("e");
  await app.click("#discard");
  await untilSilent("the loop to stop with the session");
});

test("a preview stopped in Settings during a session leaves the session's loop playing", async () => {
  await app.invoke("set_sound", { change: { mode: "whole" } });
  await app.click("#start");
  await untilSounding("the session's loop");
  await app.invoke("preview_sound", { play: true });
  await app.invoke("preview_sound", { play: false });
  // Longer than a fade-out (1.5 s), counted in samples heard, not slept.
  const stoppedAt = ear.samples().length;
  await waitFor("four seconds heard after the preview", () => ear.samples().length - stoppedAt > 4 * 44100, { timeoutMs: 10_000 });
  const after = heard(1000);
  assert.ok(after.rms > 0.003, `the loop still heard: rms ${after.rms.toFixed(4)}`);
  await app.press("e");
  await app.click("#discard");
  await untilSilent("the loop to stop with the session");
});

test("a preview left on gives way to the session: M silences it, and it ends with it", async () => {
  await app.invoke("set_sound", { change: { mode: "whole", on: true } });
  await app.click("#preview");
  await untilSounding("the preview");
  assert.equal(await app.text("#preview"), "Stop preview");
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t !== "Letdown");
  // The session's loop now: sound off (M) fades it out, as in any session.
  await app.press("m");
  await untilSilent("sound off to silence the loop");
  await app.press("m");
  await untilSounding("sound on to bring the loop back");
  await app.press("e");
  await app.click("#discard");
  await untilSilent("the loop to stop with the session, preview and all");
  assert.equal((await app.invoke("get_sound")).previewing, false);
  assert.equal(await app.text("#preview"), "Preview sound");
});

test("a recording an earlier version kept as the parent's own file gets a playback copy, then plays", async () => {
  // The diary and media folder as an earlier version left them: the chosen
  // recording kept as the parent's .m4a itself, played by decoding it in the app.
  const home = app.home;
  await app.close({ keepData: true });
  const data = join(home, "data", "app.letdown.desktop");
  const id = "0123abcd";
  mkdirSync(join(data, "media", "clips"), { recursive: true });
  copyFileSync(join(fixtures, "tone.mp3"), join(data, "media", "clips", `${id}.mp3`));
  execFileSync("sqlite3", [join(data, "diary.sqlite3"), `
    INSERT INTO clips (id, extension, duration_ms, sample_rate, channels, original_name, imported_ms)
      VALUES ('${id}', 'mp3', 2000, 44100, 1, 'old-tone.mp3', 0);
    INSERT OR REPLACE INTO settings (key, value) VALUES ('active_clip', '${id}');`]);

  app = await launch({ home, env: { LETDOWN_TEST_PROBE_FAULTS: "1" } });
  await app.invoke("set_sound", { change: { mode: "whole", on: true } });
  await app.invoke("preview_sound", { play: true });
  await waitFor("the old recording's 523 Hz tone", () => Math.abs(toneHz(ear.samples().subarray(-22050)) - 523) < 15, {
    timeoutMs: 10_000,
  });
  assert.equal((await app.invoke("get_sound")).clip?.original_name, "old-tone.mp3");
  assert.ok(existsSync(join(data, "media", "clips", `${id}.play.wav`)), "the playback copy");
  assert.ok(!existsSync(join(data, "media", "clips", `${id}.mp3`)), "the old copy, once converted");
  assert.deepEqual(query(join(data, "diary.sqlite3"), `SELECT extension FROM clips WHERE id = '${id}'`), [
    { extension: "play.wav" },
  ]);
  await app.invoke("preview_sound", { play: false });
});
