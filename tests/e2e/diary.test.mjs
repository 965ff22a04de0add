// The diary on the real app, seeded with a generated ten-year diary (30,000
// sessions): it opens at once and pages as it scrolls; a session opens with
// its timeline; an amount is edited; a delete is undone; ml/oz switches every
// number; the week and month charts show their numbers on focus; sessions are
// exported to CSV through the real system save dialog (driven with xdotool),
// which asks before replacing a file; the report shows and saves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, query, seedDiary, waitFor } from "./driver.mjs";
const SESSIONS = 30_000;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const PAGE = 60;

let app;
let out;
before(async () => {
  const home = mkdtempSync(join(tmpdir(), "letdown-e2e-"));
  out = mkdtempSync(join(tmpdir(), "letdown-export-"));
  const diary = join(home, "data", "app.letdown.desktop", "diary.sqlite3");
  seedDiary(diary, SESSIONS);
  app = await launch({ home });
});
after(async () => {
  await app?.close();
  rmSync(out, { recursive: true, force: true });
});

const rows = () => app.execute("return document.querySelectorAll('.session-row').length");

/** Opens the diary if an earlier test has not (so each test also runs alone). */
async function diaryOpen() {
  await app.execute("if (!document.getElementById('diary').open) document.getElementById('footer-diary').click()");
  await waitFor("the diary's first page", async () => (await rows()) > 0);
}

/** The app's visible top-level X windows (its main window, dialogs, questions). */
function visibleWindows() {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--classname", "letdown"], { encoding: "utf8" }).trim().split("\n");
  } catch {
    return []; // xdotool exits 1 when nothing matches
  }
}

/** Focuses an X window and presses a key in it (there is no window manager to do it). */
function pressIn(window, key) {
  execFileSync("xdotool", ["windowfocus", "--sync", window]);
  execFileSync("xdotool", ["key", key]);
}

/** Waits for a window of the system's save dialog, types `path` into it and presses Enter. */
function answerSaveDialog(title, path) {
  const id = execFileSync("xdotool", ["search", "--sync", "--onlyvisible", "--name", title], {
    encoding: "utf8",
    timeout: 20_000,
  })
    .trim()
    .split("\n")[0];
  execFileSync("xdotool", ["windowfocus", "--sync", id]);
  // GTK's file name field has focus with the suggested name selected.
  execFileSync("xdotool", ["key", "--window", id, "ctrl+a"]);
  execFileSync("xdotool", ["type", "--window", id, "--delay", "5", path]);
  execFileSync("xdotool", ["key", "--window", id, "Return"]);
  return id;
}

test("a ten-year diary opens at once, newest day first, and pages as it scrolls", async () => {
  const ms = await app.executeAsync(`
    const done = arguments[0];
    const t0 = performance.now();
    document.getElementById('footer-diary').click();
    const check = () => document.querySelector('.session-row')
      ? requestAnimationFrame(() => done(performance.now() - t0))
      : requestAnimationFrame(check);
    check();`);
  console.log(`diary of ${SESSIONS} sessions: first page painted ${ms.toFixed(0)} ms after the click`);
  await waitFor("the first page", async () => (await rows()) === PAGE);
  const first = await app.text(".day-head");
  assert.match(first, /^Today/);
  assert.match(first, /\d+ sessions? · \d+ ml/);
  // The day's total is the whole day's, read back from the file.
  const [today] = query(app.diaryPath, `SELECT count(*) n, sum(amount_total_ml) ml FROM sessions
    WHERE date(started_ms / 1000 + started_offset_min * 60, 'unixepoch') = date('now', 'localtime') AND status = 'finished'`);
  // Just after midnight the seeded diary has one session today.
  assert.equal(first.replace(/^Today\s*/, ""), `${today.n} session${today.n === 1 ? "" : "s"} · ${Math.round(today.ml)} ml`);
  app.screenshot("diary-days");
  for (let n = 1; n <= 3; n++) {
    await app.execute("const p = document.getElementById('diary-days'); p.scrollTop = p.scrollHeight;");
    await waitFor(`page ${n + 1}`, async () => (await rows()) >= PAGE * (n + 1));
  }
  assert.equal(await rows(), PAGE * 4);
  await app.execute("document.getElementById('diary-days').scrollTop = 0");
  await app.assertAccessible("diary days");
});

test("a session opens with its timeline, and an edited amount is saved to the diary", async () => {
  await diaryOpen();
  const id = Number(await app.execute("return document.querySelector('.session-row').dataset.id"));
  await app.click(`.session-row[data-id="${id}"]`);
  await waitFor("the detail", async () => !(await app.execute("return document.getElementById('diary-detail').hidden")));
  const marks = await app.execute("return [...document.querySelectorAll('#timeline .mark')].map((m) => m.getAttribute('aria-label'))");
  const stored = query(app.diaryPath, `SELECT kind FROM events WHERE session_id = ${id} AND kind IN ('let_down', 'side')`);
  assert.equal(marks.length, stored.length);
  assert.ok(marks.some((m) => m.startsWith("Let-down at")));
  assert.equal(await app.execute("return document.querySelectorAll('#timeline .seg').length"), 3);
  app.screenshot("diary-detail");
  await app.assertAccessible("session detail");

  await app.execute("document.getElementById('edit-left').value = ''; document.getElementById('edit-total').value = ''");
  await app.type("#edit-left", "77");
  await app.click("#detail-save");
  await waitFor("the edit in the file", async () => query(app.diaryPath, `SELECT amount_left_ml v FROM sessions WHERE id = ${id}`)[0].v === 77);
  const [row] = query(app.diaryPath, `SELECT amount_left_ml l, amount_right_ml r, amount_total_ml t FROM sessions WHERE id = ${id}`);
  assert.equal(row.t, row.l + row.r, "the total follows the sides");
  await app.click("#detail-back");
  await app.waitForText(`.session-row[data-id="${id}"] .amounts`, (t) => t.startsWith("L 77 ml"));
});

test("a deleted session can be brought back with Undo", async () => {
  await diaryOpen();
  const id = Number(await app.execute("return document.querySelector('.session-row').dataset.id"));
  await app.click(`.session-row[data-id="${id}"]`);
  await waitFor("the detail", async () => !(await app.execute("return document.getElementById('diary-detail').hidden")));
  await app.click("#detail-delete");
  await waitFor("the row gone", async () => app.execute(`return !document.querySelector('.session-row[data-id="${id}"]')`));
  assert.equal(query(app.diaryPath, `SELECT status FROM sessions WHERE id = ${id}`)[0].status, "discarded");
  assert.match(await app.text("#diary-notice-text"), /deleted/);
  await app.click("#diary-undo");
  await waitFor("the row back", async () => app.execute(`return !!document.querySelector('.session-row[data-id="${id}"]')`));
  assert.equal(query(app.diaryPath, `SELECT status FROM sessions WHERE id = ${id}`)[0].status, "finished");
});

test("ml and oz: one setting changes every amount in the diary", async () => {
  await diaryOpen();
  const ml = await app.text(".session-row .amounts");
  await app.execute("const s = document.getElementById('diary-unit'); s.value = 'oz'; s.dispatchEvent(new Event('change'));");
  const oz = await app.waitForText(".session-row .amounts", (t) => t.includes("oz"));
  // The same amounts, converted and rounded to one decimal.
  const toOz = (v) => (Math.round((v / 29.5735295625) * 10) / 10).toFixed(1);
  const [l] = ml.match(/\d+/g).map(Number);
  assert.ok(oz.startsWith(`L ${toOz(l)} oz`), `${ml} → ${oz}`);
  assert.match(await app.text(".day-total"), /\d+\.\d oz$/);
  const prefs = JSON.parse(query(app.diaryPath, "SELECT value FROM settings WHERE key = 'prefs'")[0].value);
  assert.equal(prefs.unit, "oz");
  app.screenshot("diary-oz");
  await app.execute("const s = document.getElementById('diary-unit'); s.value = 'ml'; s.dispatchEvent(new Event('change'));");
  await app.waitForText(".session-row .amounts", (t) => t.includes("ml"));
});

test("week and month charts: pictures first, the number on focus", async () => {
  await diaryOpen();
  await app.click("#tab-week");
  await waitFor("the week's charts", async () => app.execute("return document.querySelectorAll('#chart-volume rect').length > 0"));
  await app.execute("document.querySelector('#chart-volume rect[tabindex]').focus()");
  const label = await app.waitForText("#chart-readout", (t) => / ml \(day \d+ ml\)$/.test(t));
  assert.match(label, /^\w{3} \d+ \w{3}, \d\d:\d\d: \d+ ml/);
  app.screenshot("diary-week");
  await app.assertAccessible("week charts");
  await app.click("#tab-month");
  await waitFor("the month's charts", async () => {
    const title = await app.text("#span-title");
    return /^\w+ \d{4}$/.test(title);
  });
  assert.equal(await app.execute("return document.querySelector('#tab-month').getAttribute('aria-selected')"), "true");
  assert.doesNotMatch(await app.text("#chart-readout"), /\d ml/, "the week's number is not left under the month's charts");
  // This month may be a day old; the one before it is whole in any seed of
  // years, whatever today's date. Its first let-downs are counted in the file.
  const thisMonth = await app.text("#span-title");
  await app.click("#span-prev");
  const title = await app.waitForText("#span-title", (t) => t !== thisMonth && /^\w+ \d{4}$/.test(t));
  const [name, year] = title.split(" ");
  const month = `${year}-${String(MONTHS.indexOf(name) + 1).padStart(2, "0")}`;
  const [{ n }] = query(app.diaryPath, `SELECT count(*) n FROM sessions WHERE status = 'finished'
    AND first_letdown_ms IS NOT NULL
    AND strftime('%Y-%m', started_ms / 1000 + started_offset_min * 60, 'unixepoch') = '${month}'`);
  assert.ok(n >= 28 * 7, `the seed fills ${month} (${n} sessions)`);
  await waitFor(`${n} first let-downs in ${title}`, async () =>
    (await app.execute("return document.querySelectorAll('#chart-first circle').length")) === n);
  app.screenshot("diary-month");
});

test("sessions export to CSV through the system save dialog, which asks before replacing", async () => {
  await diaryOpen();
  await app.click("#tab-days");
  const file = join(out, "sessions.csv");
  await app.click("#export-sessions");
  answerSaveDialog("Export sessions", file);
  await waitFor("the file", () => existsSync(file) && statSync(file).size > 0, { timeoutMs: 30_000 });
  await app.waitForText("#diary-notice-text", (t) => t === "Saved sessions.csv.");
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.equal(lines[0], "id,start_utc,start_local,end_utc,end_local,utc_offset_min,duration_min,routine,left_ml,right_ml,total_ml,letdowns,first_letdown_s,comfort,tags,note,pump,stimulation,expression,suction,expression_from_s,fridge_ml,freezer_ml,fed_ml,discarded_ml,room_ml");
  assert.equal(lines.length, SESSIONS + 1);

  // Again, to the same name: the system dialog asks first. "Cancel" leaves
  // the file as it was; "Replace" writes it anew.
  const main = visibleWindows();
  for (const answer of ["Escape", "alt+r"]) {
    const before = statSync(file).mtimeMs;
    await app.execute("document.getElementById('diary-notice').hidden = true");
    await app.click("#export-sessions");
    const dialog = answerSaveDialog("Export sessions", file);
    const question = await waitFor("the replace question", () => visibleWindows().find((w) => !main.includes(w) && w !== dialog));
    if (answer === "Escape") {
      app.screenshot("diary-replace-question");
      pressIn(question, "Escape");
      await waitFor("the question gone", () => !visibleWindows().includes(question));
      pressIn(dialog, "Escape");
      await waitFor("the save dialog gone", () => !visibleWindows().includes(dialog));
      assert.equal(statSync(file).mtimeMs, before, "not replaced");
      assert.equal(await app.execute("return document.getElementById('diary-notice').hidden"), true, "nothing to report");
    } else {
      pressIn(question, answer);
      await app.waitForText("#diary-notice-text", (t) => t === "Saved sessions.csv.");
      assert.ok(statSync(file).mtimeMs > before, "replaced");
      assert.equal(readFileSync(file, "utf8").trim().split("\n").length, SESSIONS + 1);
    }
  }
});

test("the report for a lactation consultant shows, and saves as one self-contained file", async () => {
  await diaryOpen();
  await app.click("#tab-report");
  await app.waitForText("#report-view h1", (t) => t.startsWith("Pumping report"));
  const summary = await app.text("#report-view .summary");
  // The last 14 days (the report's default), counted in the file.
  const [{ n }] = query(app.diaryPath, `SELECT count(*) n FROM sessions WHERE status = 'finished'
    AND date(started_ms / 1000 + started_offset_min * 60, 'unixepoch') > date('now', 'localtime', '-14 days')`);
  assert.match(summary, new RegExp(`^Summary\\s*Sessions\\s*${n}\\s*Sessions per day`));
  app.screenshot("diary-report");
  await app.assertAccessible("report");
  // Print opens the system's print dialog (where "Print to File" makes a PDF).
  const main = visibleWindows();
  await app.click("#report-print");
  const printDialog = await waitFor("the print dialog", () => visibleWindows().find((w) => !main.includes(w)));
  app.screenshot("diary-print");
  pressIn(printDialog, "Escape");
  await waitFor("the print dialog gone", () => !visibleWindows().includes(printDialog));
  const file = join(out, "report.html");
  await app.click("#report-save");
  answerSaveDialog("Save the report", file);
  await waitFor("the report file", () => existsSync(file) && statSync(file).size > 0, { timeoutMs: 30_000 });
  const html = readFileSync(file, "utf8");
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(!/<script|src="http|href="http/.test(html), "no script and nothing remote");
  assert.match(html, /<svg class="chart"/);
});
