// The pump and the milk on the real app: a pump described in Settings, its
// settings recorded with a session and changed in passing, a session's milk
// split between the freezer and the fridge on the finish sheet, the stash
// view oldest first with a portion used (and undone) and one thawed (never
// refrozen), a worn part due on the idle screen and replaced with its mark
// on the chart, a deleted session's milk, bad input refused with nothing
// lost, and everything read back from the SQLite file. Axe-core on each new
// screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, query, recordFault, seedDiary, waitFor } from "./driver.mjs";

const DAY_MS = 86_400_000;
let app;
let diary;

before(async () => {
  const home = mkdtempSync(join(tmpdir(), "letdown-e2e-"));
  diary = join(home, "data", "app.letdown.desktop", "diary.sqlite3");
  // A week of sessions (the newest now), and a pump described 60 days ago
  // whose valves (every 8 weeks) are now due.
  seedDiary(diary, 20);
  const created = Date.now() - 60 * DAY_MS;
  execFileSync("sqlite3", [
    diary,
    `INSERT INTO pumps (id, name, double, levels, suction, created_ms) VALUES (1, 'Old pump', 0, 'one', 4, ${created});
     INSERT INTO pump_parts (pump_id, name, every_days) VALUES (1, 'Duckbill valves', 56), (1, 'Tubing', 90);`,
  ]);
  app = await launch({ home });
});
after(async () => {
  await app?.close();
});

const setValue = (selector, value) =>
  app.execute(
    `const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("input", { bubbles: true })); el.dispatchEvent(new Event("change", { bubbles: true }));`,
    [selector, value],
  );

test("a part that is due says so on the idle screen, and 'Replaced today' marks the chart", async () => {
  const line = await app.waitForText("#parts-text");
  assert.equal(line, "Time to replace the duckbill valves of Old pump: they are changed every 8 weeks.");
  app.screenshot("stash-1-part-due");
  await app.assertAccessible("idle screen with a part due");
  await app.click("#part-replaced");
  await waitFor("the line to go", async () => app.execute("return document.getElementById('parts-line').hidden"));
  const [replaced] = query(diary, "SELECT r.at_ms, p.name FROM part_replacements r JOIN pump_parts p ON p.id = r.part_id");
  assert.equal(replaced.name, "Duckbill valves");
  assert.ok(Math.abs(replaced.at_ms - Date.now()) < 60_000, "replaced now");
  // The week's volume chart marks the day.
  await app.click("#footer-diary");
  await app.click("#tab-week");
  const mark = await waitFor("the replacement's mark", async () =>
    app.execute("return document.querySelector('#chart-volume .replaced')?.getAttribute('aria-label') ?? null"),
  );
  assert.match(mark, /^\w{3} \d{1,2} \w{3}: replaced the duckbill valves of Old pump$/);
  app.screenshot("stash-1-chart-mark");
  await app.execute("document.getElementById('diary').close()");
});

test("a pump described in Settings starts the next session with its levels", async () => {
  await app.click("#footer-settings");
  await app.click("#pump-add");
  await app.type("#pe-name", "Work pump");
  await setValue("#pe-left", "24");
  await setValue("#pe-right", "21");
  await setValue("#pe-stim", "5");
  await setValue("#pe-expr", "7");
  // A bad flange is refused with a plain sentence; nothing is saved.
  await setValue("#pe-right", "55");
  await app.click("#pe-save");
  const refused = await app.waitForText("#notice-text", (t) => t.includes("flange"));
  assert.equal(refused, "A flange size is between 10 and 40 mm.");
  assert.equal(query(diary, "SELECT count(*) AS n FROM pumps")[0].n, 1);
  recordFault({ fault: "A flange size of 55 mm", tries: "Settings → Add a pump", sees: refused, kept: "no pump saved; the form as typed" });
  await setValue("#pe-right", "21");
  await app.click("#pe-save");
  await app.waitForText("#pump-list", (t) => t.includes("Work pump · double · flanges 24 / 21 mm"));
  const [pump] = query(diary, "SELECT id, flange_left_mm AS l, flange_right_mm AS r, stimulation AS s, expression AS e FROM pumps WHERE name = 'Work pump'");
  assert.deepEqual([pump.l, pump.r, pump.s, pump.e], [24, 21, 5, 7]);
  const parts = query(diary, `SELECT name, every_days FROM pump_parts WHERE pump_id = ${pump.id} ORDER BY id`);
  assert.deepEqual(
    parts.map((p) => p.name),
    ["Duckbill valves", "Membranes", "Tubing", "Backflow protectors"],
  );
  app.screenshot("stash-2-settings-pumps");
  await app.assertAccessible("settings with pumps");
  // Put the old pump away: the work pump is the one sessions start with.
  await app.click("#pump-list li.pump:first-child button.quiet");
  await app.waitForText("#pump-list", (t) => !t.includes("Old pump"));
  await app.click("#settings-close");
});

async function startSession() {
  const [{ id }] = query(diary, "SELECT id FROM routines ORDER BY position, id LIMIT 1");
  await app.execute(`document.getElementById("routine").value = "${id}"`);
  await app.click("#start");
  await waitFor("the session", async () => app.execute("return !document.getElementById('active').hidden"));
  return query(diary, "SELECT id FROM sessions WHERE status = 'open'")[0].id;
}

const factors = (id) =>
  Object.fromEntries(query(diary, `SELECT factor, value FROM session_factors WHERE session_id = ${id}`).map((r) => [r.factor, r.value]));

let first;
test("the session records its pump settings, changed in passing, and splits its milk", async () => {
  first = await startSession();
  const [pump] = query(diary, "SELECT id FROM pumps WHERE name = 'Work pump'");
  assert.equal(factors(first).pump, pump.id, "started with the work pump");
  assert.deepEqual([factors(first).pump_stimulation, factors(first).pump_expression], [5, 7]);
  await app.execute("document.getElementById('pump-row').open = true");
  assert.equal(await app.text("#pump-summary"), "Work pump · stimulation 5 · expression 7");
  await setValue("#pump-expr", "9");
  await waitFor("expression 9 recorded", async () => factors(first).pump_expression === 9);
  await app.click("#pump-switch");
  await waitFor("the switch recorded", async () => factors(first).pump_expression_from_s !== undefined);
  assert.match(await app.text("#pump-switch"), /^On expression since \d\d:\d\d$/);
  app.screenshot("stash-3-session-pump");
  await app.assertAccessible("session with pump settings");

  await app.click("#end");
  await app.waitForText("#finish h2");
  await setValue("#amount-total", "100");
  await setValue("#milk-place", "split");
  await waitFor("the split's fields", async () => app.execute("return !document.getElementById('milk-split').hidden"));
  await setValue("#split-fridge", "40");
  await setValue("#split-freezer", "50");
  assert.equal(await app.text("#split-sum"), "Adds up to 90 of 100 ml");
  // 90 of 100: said plainly, nothing saved.
  // Enter in a field saves, as the Save button does.
  const save = () => app.execute("document.getElementById('finish').requestSubmit()");
  await save();
  const said = await app.waitForText("#notice-text", (t) => t.includes("split"));
  assert.equal(said, "The split adds up to 90 ml, but you pumped 100 ml.");
  assert.equal(query(diary, `SELECT status FROM sessions WHERE id = ${first}`)[0].status, "open");
  recordFault({ fault: "A milk split that does not add up", tries: "finish sheet: 100 ml, 40 fridge + 50 freezer", sees: said, kept: "the session open, the sheet as typed" });
  await setValue("#split-freezer", "60");
  await setValue("#milk-label", "bag 7");
  app.screenshot("stash-3-finish-split");
  await app.assertAccessible("finish sheet with a split");
  await save();
  await waitFor("the session saved", async () => query(diary, `SELECT status FROM sessions WHERE id = ${first}`)[0].status === "finished");
  const milk = query(diary, `SELECT place, amount_ml, label, use_by_ms FROM milk WHERE session_id = ${first} ORDER BY place`);
  const [{ ended_ms: ended }] = query(diary, `SELECT ended_ms FROM sessions WHERE id = ${first}`);
  assert.deepEqual(
    milk.map((m) => [m.place, m.amount_ml, m.label]),
    [
      ["freezer", 60, "bag 7"],
      ["fridge", 40, "bag 7"],
    ],
  );
  assert.equal(milk[1].use_by_ms, ended + 4 * DAY_MS, "the fridge keeps 4 days");
  assert.ok(milk[0].use_by_ms > ended + 180 * DAY_MS, "the freezer about 6 months");
  assert.equal(JSON.parse(query(diary, "SELECT value FROM settings WHERE key = 'prefs'")[0].value).last_milk, "split");
});

let second;
test("the next session starts as the last one ended, and its milk goes to the freezer", async () => {
  second = await startSession();
  assert.equal(factors(second).pump_expression, 9, "the last session's level");
  assert.equal(factors(second).pump_expression_from_s, undefined, "not switched yet");
  await app.click("#end");
  await app.waitForText("#finish h2");
  // Last time's choice is chosen again.
  assert.equal(await app.execute("return new FormData(document.getElementById('finish')).get('milk')"), "split");
  await setValue("#amount-total", "50");
  await setValue("#milk-place", "freezer");
  await app.execute("document.getElementById('finish').requestSubmit()");
  await waitFor("the second session saved", async () => query(diary, `SELECT count(*) AS n FROM milk WHERE session_id = ${second}`)[0].n === 1);
});

test("the stash shows both, oldest first; one portion is used and one thawed", async () => {
  await app.click("#footer-diary");
  await app.click("#tab-stash");
  const totals = await app.waitForText("#stash-totals", (t) => t.startsWith("Fridge"));
  assert.equal(totals, "Fridge 40 ml · Freezer 110 ml");
  const rows = () => app.execute("return [...document.querySelectorAll('#stash-list li')].map((li) => li.firstChild.textContent)");
  const listed = await rows();
  assert.equal(listed.length, 3);
  // The first session's two portions (pumped together), then the second's.
  assert.match(listed[0], /^Fridge · 40 ml · pumped .* · bag 7 · use by /);
  assert.match(listed[1], /^Freezer · 60 ml · pumped .* · bag 7 · use by /);
  assert.match(listed[2], /^Freezer · 50 ml · pumped /);
  app.screenshot("stash-4-view");
  await app.assertAccessible("stash view");

  // Days of supply against what the baby has each day.
  await setValue("#stash-daily", "75");
  await app.click("#stash-need-save");
  await app.waitForText("#stash-totals", (t) => t.endsWith("about 2 days at 75 ml a day"));

  // The fridge's 40 ml is used, then brought back with Undo, then used again.
  const fridge = query(diary, `SELECT id FROM milk WHERE session_id = ${first} AND place = 'fridge'`)[0].id;
  await app.click(`#stash-list li[data-id="${fridge}"] button`);
  await app.waitForText("#stash-totals", (t) => t.startsWith("Fridge 0 ml"));
  assert.equal(query(diary, `SELECT used_how FROM milk WHERE id = ${fridge}`)[0].used_how, "fed");
  await app.click("#diary-undo");
  await app.waitForText("#stash-totals", (t) => t.startsWith("Fridge 40 ml"));
  assert.equal(query(diary, `SELECT used_ms FROM milk WHERE id = ${fridge}`)[0].used_ms, null);
  await app.click(`#stash-list li[data-id="${fridge}"] button`);
  await app.waitForText("#stash-totals", (t) => t.startsWith("Fridge 0 ml"));

  // The oldest frozen portion is moved to the fridge to thaw: 24 hours.
  const frozen = query(diary, `SELECT id FROM milk WHERE session_id = ${first} AND place = 'freezer'`)[0].id;
  await app.click(`#stash-list li[data-id="${frozen}"] button:nth-child(2)`);
  await app.waitForText("#stash-totals", (t) => t.startsWith("Fridge 60 ml · Freezer 50 ml"));
  const [thawed] = query(diary, `SELECT place, thawed_ms, use_by_ms FROM milk WHERE id = ${frozen}`);
  assert.equal(thawed.place, "fridge");
  assert.equal(thawed.use_by_ms, thawed.thawed_ms + DAY_MS);
  const offered = await app.execute(`return [...document.querySelectorAll('#stash-list li[data-id="${frozen}"] button')].map((b) => b.textContent)`);
  assert.deepEqual(offered, ["Used", "Label…"], "thawed milk is not offered the freezer");
  assert.match((await rows())[0], /^Fridge \(thawed\) · 60 ml .* use by \d\d:\d\d( tomorrow)?$/);
  // Asked anyway, the command refuses it with a plain sentence.
  const { error: refused } = await app.invoke("freeze_milk", { id: frozen });
  assert.match(refused?.message ?? "", /^Thawed milk can't go back in the freezer/);
  recordFault({ fault: "Refreezing thawed milk", tries: "freeze_milk on a thawed portion", sees: refused.message, kept: "the portion in the fridge, its 24 hours" });
  assert.equal(query(diary, `SELECT place FROM milk WHERE id = ${frozen}`)[0].place, "fridge");
  app.screenshot("stash-5-used-thawed");

  // The second session's portion is labelled, and its use-by date moved;
  // a date before it was pumped is refused with nothing changed.
  const bag = query(diary, `SELECT id, use_by_ms FROM milk WHERE session_id = ${second}`)[0];
  const editing = `#stash-list li[data-id="${bag.id}"]`;
  await app.click(`${editing} button.quiet`);
  await setValue(`${editing} .portion-label`, "bag 9");
  await setValue(`${editing} .portion-date`, "2001-01-01");
  await app.click(`${editing} .portion-edit button`);
  const early = await app.waitForText("#diary-notice-text", (t) => t.includes("use-by"));
  assert.equal(early, "The use-by date can't be before the milk was pumped.");
  assert.deepEqual(query(diary, `SELECT label, use_by_ms FROM milk WHERE id = ${bag.id}`)[0], { label: null, use_by_ms: bag.use_by_ms });
  recordFault({ fault: "A use-by date before the milk was pumped", tries: "Stash → Label… → 1 Jan 2001", sees: early, kept: "the portion's label and date" });
  const sooner = new Date(bag.use_by_ms - 30 * DAY_MS);
  const day = `${sooner.getFullYear()}-${String(sooner.getMonth() + 1).padStart(2, "0")}-${String(sooner.getDate()).padStart(2, "0")}`;
  await setValue(`${editing} .portion-date`, day);
  await app.click(`${editing} .portion-edit button`);
  await waitFor("the label saved", async () => query(diary, `SELECT label FROM milk WHERE id = ${bag.id}`)[0].label === "bag 9");
  // 30 days sooner, at the same time of day (an hour either way across a clock change).
  const moved = query(diary, `SELECT use_by_ms FROM milk WHERE id = ${bag.id}`)[0].use_by_ms;
  assert.ok(Math.abs(moved - (bag.use_by_ms - 30 * DAY_MS)) <= 3_600_000, `${moved}`);
  await app.assertAccessible("stash with a portion labelled");
  await app.assertAccessible("stash after use and thaw");
});

test("deleting a session with milk in the stash asks, and undo brings both back", async () => {
  await app.click("#tab-days");
  await app.click(`.session-row[data-id="${second}"]`);
  await app.waitForText("#detail-pump", (t) => t.includes("freezer 50 ml"));
  assert.match(await app.text("#detail-pump"), /^Work pump · stimulation 5 · expression 9 · milk: freezer 50 ml$/);
  await app.click("#detail-delete");
  const asked = await app.waitForText("#delete-milk-text");
  assert.equal(asked, "50 ml of this session's milk is in the stash. What should happen to it?");
  await app.assertAccessible("delete with milk");
  await app.click("#delete-remove");
  await waitFor("deleted with its milk", async () => query(diary, `SELECT removed_ms FROM milk WHERE session_id = ${second}`)[0].removed_ms !== null);
  await app.click("#diary-undo");
  await waitFor("both back", async () => query(diary, `SELECT removed_ms FROM milk WHERE session_id = ${second}`)[0].removed_ms === null);
  assert.equal(query(diary, `SELECT status FROM sessions WHERE id = ${second}`)[0].status, "finished");
  await app.click("#tab-stash");
  await app.waitForText("#stash-totals", (t) => t.includes("Freezer 50 ml"));
});

test("a bottle left on the counter is in the stash for its 4 hours", async () => {
  await app.execute("document.getElementById('diary').close()");
  const third = await startSession();
  await app.click("#end");
  await app.waitForText("#finish h2");
  await setValue("#amount-total", "30");
  await setValue("#milk-place", "room");
  await app.execute("document.getElementById('finish').requestSubmit()");
  await waitFor("the third session saved", async () => query(diary, `SELECT count(*) AS n FROM milk WHERE session_id = ${third}`)[0].n === 1);
  const [bottle] = query(diary, `SELECT m.place, m.use_by_ms, s.ended_ms FROM milk m JOIN sessions s ON s.id = m.session_id WHERE m.session_id = ${third}`);
  assert.equal(bottle.place, "room");
  assert.equal(bottle.use_by_ms, bottle.ended_ms + 4 * 3_600_000);
  await app.click("#footer-diary");
  await app.click("#tab-stash");
  await app.waitForText("#stash-totals", (t) => t.includes("On the counter 30 ml"));
  const rows = await app.execute("return [...document.querySelectorAll('#stash-list li')].map((li) => li.firstChild.textContent)");
  assert.match(rows.at(-1), /^On the counter · 30 ml · pumped .* · use by \d\d:\d\d( tomorrow)?$/);
});
