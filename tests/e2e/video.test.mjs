// The baby's video on the real app: added as a drop hands it over (the
// import runs in the page, which tries the video before it is kept), shown
// instead of the photo and playing, paused with the session and in discreet
// mode, its sound heard through the sink when chosen; and a video that is
// too long, damaged or not a video gets a message and leaves the photo.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { closeWithFixtures, launchWithFixtures, query, recordSound, toneHz, waitFor } from "./driver.mjs";

let app;
let fixtures;
before(async () => ({ app, fixtures } = await launchWithFixtures()));
after(() => closeWithFixtures({ app, fixtures }));

/** Hands a file to the page as a drop does; returns what the notice says
 * once the import has ended. */
async function drop(file) {
  await app.execute(
    `window.__dropped = "pending";
     import(new URL("js/main.js", location.href).href)
       .then((main) => main.importDropped([arguments[0]]))
       .then(() => (window.__dropped = "done"), (e) => (window.__dropped = String(e)));`,
    [join(fixtures, file)],
  );
  const ended = await waitFor(`the import of ${file}`, () => app.execute("return window.__dropped === 'pending' ? null : window.__dropped"), { timeoutMs: 60_000 });
  assert.equal(ended, "done");
  return app.text("#notice-text");
}

const videoState = () =>
  app.execute(`const v = document.querySelector(".photo video");
    return { hidden: v.hidden, paused: v.paused, time: v.currentTime, ready: v.readyState,
             shown: document.querySelector(".photo").dataset.photo,
             rect: (({ left, top, width, height }) => ({ left, top, width, height }))(v.getBoundingClientRect()) };`);

const active = async () => (await app.invoke("list_photos")).active;

/** Waits for the video's clock to move (it loops, so either way). */
async function playing() {
  const from = (await videoState()).time;
  await waitFor("the video to play", async () => {
    const v = await videoState();
    return !v.paused && Math.abs(v.time - from) > 0.3;
  });
}

/** Waits for the video to stop, and checks its clock stays where it stopped. */
async function stopped() {
  await waitFor("the video to pause", async () => (await videoState()).paused);
  const at = (await videoState()).time;
  await new Promise((r) => setTimeout(r, 700)); // a still picture takes time to show
  assert.equal((await videoState()).time, at, "the picture stands still");
}

/** The share of pixels that differ between two shots of the video's rect. */
function changed(a, b, rect) {
  let differ = 0;
  let all = 0;
  const [x0, y0] = [Math.max(0, Math.round(rect.left)), Math.max(0, Math.round(rect.top))];
  const x1 = Math.min(a.width, Math.round(rect.left + rect.width));
  const y1 = Math.min(a.height, Math.round(rect.top + rect.height));
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * a.width + x) * 3;
      const d = Math.abs(a.rgb[i] - b.rgb[i]) + Math.abs(a.rgb[i + 1] - b.rgb[i + 1]) + Math.abs(a.rgb[i + 2] - b.rgb[i + 2]);
      if (d > 30) differ++;
      all++;
    }
  }
  return differ / all;
}

test("an H.264 video plays instead of the photo, and stops with the session's pause and discreet mode", async () => {
  assert.match(await drop("large.jpg"), /^Photo added/);
  const photo = await active();

  assert.match(await drop("card-h264.mp4"), /^Video added/);
  const video = await active();
  assert.notEqual(video, photo, "the video is shown now");
  const [row] = query(app.diaryPath, `SELECT video, width, height FROM photos WHERE id = '${video}'`);
  assert.deepEqual(row, { video: "mp4", width: 640, height: 360 });
  const media = join(app.home, "data", "app.letdown.desktop", "media");
  assert.ok(existsSync(join(media, "videos", `${video}.mp4`)), "copied into the media folder");
  assert.ok(existsSync(join(media, "photos", `${video}-thumb.jpg`)), "its first frame kept as its picture");

  await waitFor("the video to show", async () => {
    const v = await videoState();
    return !v.hidden && v.shown === video && v.ready >= 2;
  });
  await playing();
  const { rect } = await videoState();
  const first = app.windowShot("video-1-playing");
  await waitFor("the picture to move", async () => changed(first, app.windowShot("video-2-later"), rect) > 0.02, { timeoutMs: 5000, everyMs: 400 });

  await app.press(" "); // starts the chosen routine
  await waitFor("the session", async () => (await app.invoke("get_state")).session !== null);
  await playing();
  await app.press(" "); // pause
  await stopped();
  await app.press(" "); // resume
  await playing();
  await app.press("\uE00C"); // Esc: discreet
  await stopped();
  await app.press("\uE00C");
  await playing();
  const violations = await app.axe();
  assert.deepEqual(violations, [], "axe-core on the calm screen with the video");
});

test("the video's sound, chosen as the recording, comes through the sink", async () => {
  const video = await active();
  const sound = await app.invoke("use_video_sound", { id: video });
  assert.ok(sound.clip, JSON.stringify(sound));
  await app.invoke("set_sound", { change: { on: true, mode: "whole" } });
  const ear = await recordSound();
  await waitFor("the video's sound", () => ear.latest(300).rms > 0.003, { timeoutMs: 10_000 });
  // Its 550 Hz tone, not Letdown's own sound, once the fade-in is past.
  await waitFor("the tone at full level", () => Math.abs(toneHz(ear.samples().slice(-22050)) - 550) < 15, { timeoutMs: 10_000 });
  await ear.stop();
  await app.invoke("set_sound", { change: { on: false } });
});

test("an iPhone's HEVC video in a .mov plays", async () => {
  assert.match(await drop("card-hevc.mov"), /^Video added/);
  const video = await active();
  const [row] = query(app.diaryPath, `SELECT video FROM photos WHERE id = '${video}'`);
  assert.equal(row.video, "mov");
  await waitFor("the HEVC video to show", async () => {
    const v = await videoState();
    return !v.hidden && v.shown === video && v.ready >= 2;
  });
  await playing();
});

test("phone videos at 720p and 6 Mbit/s, H.264 and HEVC, play and loop", async () => {
  for (const [file, kind] of [["phone-h264.mp4", "mp4"], ["phone-hevc.mov", "mov"]]) {
    assert.match(await drop(file), /^Video added/, file);
    const video = await active();
    const [row] = query(app.diaryPath, `SELECT video, width, height FROM photos WHERE id = '${video}'`);
    assert.deepEqual(row, { video: kind, width: 1280, height: 720 });
    await waitFor(`${file} to show`, async () => {
      const v = await videoState();
      return !v.hidden && v.shown === video && v.ready >= 2;
    });
    // Past the point where a blob: URL's copy failed, and round the loop (5 s).
    await waitFor(`${file} to play 2 s`, async () => (await videoState()).time > 2, { timeoutMs: 15_000 });
    await waitFor(`${file} to loop`, async () => (await videoState()).time < 1.5, { timeoutMs: 15_000 });
    await playing();
    await picturesMove(`video-${kind}-720p`);
  }
});

test("a minute of phone video (45 MB) plays: WebKit refuses it in one append", async () => {
  execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60",
    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M", "-maxrate", "6M", "-bufsize", "6M", "-pix_fmt", "yuv420p", join(fixtures, "minute.mp4")]);
  assert.match(await drop("minute.mp4"), /^Video added/);
  const video = await active();
  await waitFor("the minute to show", async () => {
    const v = await videoState();
    return !v.hidden && v.shown === video && v.ready >= 2;
  });
  await waitFor("it to play 3 s", async () => (await videoState()).time > 3, { timeoutMs: 15_000 });
  await picturesMove("video-minute");
});

/** Checks the shown video's picture changes between two shots, with no decode error. */
async function picturesMove(name) {
  const { rect } = await videoState();
  const first = app.windowShot(name);
  await waitFor("the picture to move", async () => changed(first, app.windowShot(`${name}-later`), rect) > 0.02, { timeoutMs: 5000, everyMs: 400 });
  assert.equal(await app.execute("return document.querySelector('.photo video').error?.code ?? null"), null, "no decode error");
}

test("a video too long, damaged or not a video gets a message, and what was shown stays", async () => {
  const shown = await active();
  const kept = () => readdirSync(join(app.home, "data", "app.letdown.desktop", "media", "videos")).sort();
  const before = kept();
  writeFileSync(join(fixtures, "notes.mp4"), "not a video at all\n".repeat(10));
  const cases = [
    ["too-long.mp4", /^“too-long\.mp4” is 3 min 20 s long\. Please choose a video of 3 minutes or less\.$/],
    ["cut-baby.mp4", /^Letdown cannot play “cut-baby\.mp4” here\..* Your photo stays as it was\./],
    ["notes.mp4", /^“notes\.mp4” is not a video Letdown can show\./],
  ];
  for (const [file, message] of cases) {
    assert.match(await drop(file), message, file);
    assert.equal(await active(), shown, `${file}: the video shown before stays`);
    assert.deepEqual(kept(), before, `${file}: nothing left behind in the media folder`);
  }
  await playing();
});

test("a dropped .webm that is only sound becomes the recording, as before videos", async () => {
  const shown = await active();
  assert.equal(await drop("voice.webm"), "Recording added.");
  assert.equal(await active(), shown, "the video shown stays");
  assert.equal((await app.invoke("get_sound")).clip?.original_name, "voice.webm");
});
