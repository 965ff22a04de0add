// Daily backups on the real app: at start it copies the diary into backups/
// (SQLite's online backup API) and keeps only the last 7 days; in Settings a
// parent picks a day and puts the diary back as it was, the current diary
// being kept aside first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, query, recordFault, seedDiary, waitFor } from "./driver.mjs";

const isoDay = (daysAgo) => {
  const d = new Date();
  d.setDate(d.getDate() - daysAgo);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const finished = (file) => query(file, "SELECT count(*) AS n FROM sessions WHERE status = 'finished'")[0].n;

test("a copy a day, the last 7 kept, and one put back from Settings", async () => {
  const home = mkdtempSync(join(tmpdir(), "letdown-e2e-"));
  const data = join(home, "data", "app.letdown.desktop");
  const backups = join(data, "backups");
  mkdirSync(backups, { recursive: true });
  // Seven earlier copies, 1 to 7 days old, each with (days ago) sessions.
  for (let ago = 1; ago <= 7; ago++) {
    seedDiary(join(backups, `diary-${isoDay(ago)}.sqlite3`), ago);
    execFileSync("sqlite3", [join(backups, `diary-${isoDay(ago)}.sqlite3`), "PRAGMA journal_mode = DELETE;"]);
  }
  seedDiary(join(data, "diary.sqlite3"), 20);

  const app = await launch({ home });
  try {
    const today = join(backups, `diary-${isoDay(0)}.sqlite3`);
    await waitFor("today's copy", () => existsSync(today) && readdirSync(backups).length === 7, { timeoutMs: 20_000 });
    assert.equal(finished(today), 20, "today's copy holds the diary");
    assert.deepEqual(
      readdirSync(backups).sort(),
      [0, 1, 2, 3, 4, 5, 6].map((ago) => `diary-${isoDay(ago)}.sqlite3`).sort(),
      "the oldest copy made way",
    );

    await app.click("#footer-settings");
    const restore = `[data-backup="diary-${isoDay(3)}.sqlite3"]`;
    await waitFor("the list of copies", async () => (await app.execute("return document.querySelectorAll('#backup-list button').length")) === 7);
    const first = await app.execute("return document.querySelector('#backup-list li').textContent");
    assert.match(first, /20 sessions/, "newest first");
    await app.click(restore);
    const question = await app.text("#restore-question");
    assert.match(question, /Put your diary back as it was on .+\? The diary you have now is kept aside first\./);
    app.screenshot("backup-restore-question");
    await app.click("#restore-yes");
    const said = await waitFor("the notice", async () => (await app.execute("const n = document.getElementById('notice'); return n.hidden ? '' : document.getElementById('notice-text').textContent")) || null);
    assert.match(said, /Your diary is back as it was on that day\. The diary you had until now is kept as “diary-before-restore-\d{8}-\d{6}\.sqlite3”/);
    app.screenshot("backup-restored");
    assert.deepEqual(await app.layoutProblems(), [], "the notice covers whole lines, and nothing needs a scroll");

    assert.equal(finished(app.diaryPath), 3, "the diary is the copy from 3 days ago");
    const aside = readdirSync(data).filter((f) => /^diary-before-restore-\d{8}-\d{6}\.sqlite3$/.test(f));
    assert.equal(aside.length, 1);
    assert.equal(finished(join(data, aside[0])), 20, "the diary from before is kept whole");
    // The app carries on with the restored diary.
    await app.click("#start");
    await app.waitForText("#step-name", (t) => t.length > 0);
    assert.equal(query(app.diaryPath, "SELECT count(*) AS n FROM sessions WHERE status = 'open'")[0].n, 1);
    recordFault({ fault: "Diary put back from a daily copy", tries: 1, sees: said, kept: "the diary from before, whole (20 sessions), beside the restored one" });
  } finally {
    await app.close();
  }
});
