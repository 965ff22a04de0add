// A diary that cannot be used as it is, on the real app: random bytes, a
// cut-off file, a file that is not a diary, a diary from a newer Letdown, a
// read-only data folder and a full disk (tiny tmpfs mounts: needs root, as
// the harness and CI have). Each time the app starts, says what happened in
// plain words, keeps the original file, and keeps everything readable. Each
// case is recorded for the fault table (docs/FAULTS.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, newHome as home, query, recordFault, seedDiary, waitFor } from "./driver.mjs";

function seeded(diary, sessions) {
  seedDiary(diary, sessions);
  execFileSync("sqlite3", [diary, "PRAGMA wal_checkpoint(TRUNCATE);"]);
}

const noticeText = (app) => waitFor("a notice", async () => (await app.execute("const n = document.getElementById('notice'); return n.hidden ? '' : document.getElementById('notice-text').textContent")) || null);

const keptAside = (data) => readdirSync(data).filter((f) => /^diary-damaged-\d{8}-\d{6}\.sqlite3$/.test(f));

/** The app works on: a session starts and is saved in the (new) diary. */
async function aSessionStarts(app) {
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t.length > 0);
  assert.equal(query(app.diaryPath, "SELECT count(*) AS n FROM sessions WHERE status = 'open'")[0].n, 1);
}

async function damaged(name, bytes, { sessionsAtLeast = 0 } = {}) {
  const h = home();
  const original = bytes(h.diary);
  const app = await launch({ home: h.dir });
  try {
    const said = await noticeText(app);
    assert.match(said, /Your diary file was damaged\. It has been kept, unchanged, as “diary-damaged-\d{8}-\d{6}\.sqlite3”/);
    const aside = keptAside(h.data);
    assert.equal(aside.length, 1, `kept aside: ${aside}`);
    assert.deepEqual(readFileSync(join(h.data, aside[0])), original, "the damaged file is byte for byte as it was");
    const sessions = query(app.diaryPath, "SELECT count(*) AS n FROM sessions WHERE status = 'finished'")[0].n;
    assert.ok(sessions >= sessionsAtLeast, `${sessions} sessions kept`);
    if (sessionsAtLeast) assert.match(said, new RegExp(`the ${sessions} sessions it could read`));
    await aSessionStarts(app);
    app.screenshot(`fault-${name.replaceAll(" ", "-")}`);
    recordFault({ fault: `Diary: ${name}`, tries: 1, sees: said, kept: `the original, unchanged, as ${aside[0].replace(/\d{8}-\d{6}/, "<date>-<time>")}; ${sessions} readable sessions in the repaired diary` });
  } finally {
    await app.close();
  }
}

test("random bytes instead of a diary: kept aside, a new diary starts", async () => {
  await damaged("random bytes", (diary) => {
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 13;
    writeFileSync(diary, bytes);
    return bytes;
  });
});

test("a file that is not a diary at all (a PDF's start): kept aside", async () => {
  await damaged("not an SQLite file", (diary) => {
    const bytes = Buffer.from("%PDF-1.7\n% a letter from the nursery, saved over the diary by mistake\n".repeat(200));
    writeFileSync(diary, bytes);
    return bytes;
  });
});

test("a cut-off diary: every readable session is kept", async () => {
  await damaged(
    "truncated to two thirds",
    (diary) => {
      seeded(diary, 2000);
      const whole = readFileSync(diary);
      const cut = whole.subarray(0, Math.floor((whole.length * 2) / 3));
      writeFileSync(diary, cut);
      return cut;
    },
    { sessionsAtLeast: 100 },
  );
});

test("a diary from a newer Letdown: explained, left exactly where and as it was", async () => {
  const h = home();
  seeded(h.diary, 30);
  execFileSync("sqlite3", [h.diary, "PRAGMA user_version = 99;"]);
  const before = readFileSync(h.diary);
  const app = await launch({ home: h.dir });
  try {
    const said = await noticeText(app);
    assert.match(said, /written by a newer version of Letdown\. Please update Letdown to open it; it has not been changed\./);
    assert.equal((await app.text("h1")).length > 0, true, "the calm screen is there");
    app.screenshot("fault-newer-diary");
    await app.close({ keepData: true });
    assert.deepEqual(readFileSync(h.diary), before);
    assert.deepEqual(readdirSync(h.data).filter((f) => f.startsWith("diary")).sort(), ["diary.sqlite3"]);
    recordFault({ fault: "Diary from a newer version", tries: 1, sees: said, kept: "the diary, in place and byte for byte" });
  } finally {
    await app.close();
  }
});

/** Mounts a tmpfs at `at` (root only), runs `body`, unmounts. */
async function withTmpfs(at, options, body) {
  mkdirSync(at, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", at]);
  try {
    return await body();
  } finally {
    execFileSync("umount", ["-l", at]);
  }
}

test("a read-only data folder: explained, the diary is not touched", async () => {
  const h = home();
  const source = join(h.dir, "seeded.sqlite3");
  seeded(source, 30);
  await withTmpfs(h.data, "size=8m", async () => {
    copyFileSync(source, h.diary);
    execFileSync("mount", ["-o", "remount,ro", h.data]);
    const app = await launch({ home: h.dir });
    try {
      const said = await noticeText(app);
      assert.match(said, /cannot write to your diary .*Check that the folder is not read-only\./);
      app.screenshot("fault-read-only");
      assert.deepEqual(readFileSync(h.diary), readFileSync(source));
      recordFault({ fault: "Read-only data folder", tries: 1, sees: said, kept: "the diary, byte for byte" });
    } finally {
      await app.close({ keepData: true }); // the mount goes first
    }
  });
  rmSync(h.dir, { recursive: true, force: true });
});

test("a full disk: the app starts, says so, and carries on once space is freed, losing nothing", async () => {
  const h = home();
  const source = join(h.dir, "seeded.sqlite3");
  seeded(source, 30);
  await withTmpfs(h.data, "size=4m", async () => {
    copyFileSync(source, h.diary);
    // Fill what is left, as a laptop's disk fills with downloads.
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${join(h.data, "filler")}`, "bs=64k"], { stdio: "ignore" });
    } catch {
      // dd stops with "No space left on device": that is the point
    }
    const app = await launch({ home: h.dir });
    try {
      const said = await noticeText(app);
      assert.match(said, /The disk is full, so Letdown cannot open your diary\. Free some space, then press Try again; nothing in it was lost\./);
      app.screenshot("fault-disk-full");
      // The routines are in the diary: the choice says so rather than standing empty.
      assert.deepEqual(
        await app.execute("const r = document.getElementById('routine'); return [r.disabled, [...r.options].map((o) => o.text)]"),
        [true, ["Not available until the diary opens"]],
      );
      // Once space is freed, as the message asks, "Try again" carries on.
      rmSync(join(h.data, "filler"));
      // Changes made before Try again answer, saying the diary is not open yet
      // (they once hung the app, which retried the diary inside another lock).
      for (const [cmd, change] of [["set_prefs", { breathing: true }], ["set_sound", { volume: 40 }]]) {
        const answer = await app.invoke(cmd, { change });
        assert.equal(answer.error?.retryable, true, `${cmd}: ${JSON.stringify(answer)}`);
      }
      assert.equal(await app.text("#undo"), "Try again");
      // It opens the diary in place (reopen_diary), without reloading the page.
      await app.execute("window.__sameLetdownPage = true");
      await app.click("#undo");
      await waitFor("the diary opened in the same page", async () => app.execute("const r = document.getElementById('routine'); return window.__sameLetdownPage === true && !r.disabled && r.options.length > 0 && document.getElementById('notice').hidden"));
      // Now that the diary is read, its first-day welcome shows: closed, as a parent would.
      await app.execute("const w = document.getElementById('welcome'); if (w.open) w.close();");
      const state = await app.invoke("get_state");
      assert.ok(!state.error && !state.session, `no half-started session: ${JSON.stringify(state).slice(0, 300)}`);
      await app.click("#start");
      await app.waitForText("#step-name", (t) => t !== "Letdown");
      const finished = query(app.diaryPath, "SELECT count(*) AS n FROM sessions WHERE status = 'finished'")[0].n;
      assert.equal(finished, 30, "every session is still there");
      recordFault({ fault: "Full disk at start", tries: 1, sees: said, kept: `all ${finished} sessions; Try again works once space is freed` });
    } finally {
      await app.close({ keepData: true }); // the mount goes first
    }
  });
  rmSync(h.dir, { recursive: true, force: true });
});
