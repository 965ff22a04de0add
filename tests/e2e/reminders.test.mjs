// Reminders on the real app, with a real notification server on the
// harness's session bus (python3-dbusmock's notification-daemon template,
// which logs every Notify call and can send ActionInvoked): the schedule set
// in Settings, one discreet reminder at the due time, the click that brings
// Letdown to the front ready to start, "remind me later" on the calm screen,
// and no reminder during a session or in discreet mode. Due times are made
// relative to the test's own clock (a session seeded to have ended just
// under two hours ago; fixed times a minute ahead), with the chosen hours
// 0:00 to 0:00 (the whole day), so the test reads the same at any hour.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { focusedPid, launch, seedDiary, waitFor } from "./driver.mjs";

// Debian's python3 (with python3-dbusmock), not a python of the user's own.
const PYTHON = "/usr/bin/python3";
const BUS = "org.freedesktop.Notifications";
const HOUR = 3_600_000;

let app;
let mock;
let log;
let seededEnd;
before(async () => {
  const home = mkdtempSync(join(tmpdir(), "letdown-e2e-"));
  const diary = join(home, "data", "app.letdown.desktop", "diary.sqlite3");
  seedDiary(diary, 1);
  // The one session ended 2 h minus 25 s ago: every 2 hours is due in 25 s.
  seededEnd = Date.now() - 2 * HOUR + 25_000;
  execFileSync("sqlite3", [diary, `UPDATE sessions SET started_ms = ${seededEnd - 20 * 60_000}, ended_ms = ${seededEnd}`]);
  log = join(home, "notifications.log");
  mock = spawn(PYTHON, ["-m", "dbusmock", "--template", "notification_daemon", "-l", log, "-p", JSON.stringify({ capabilities: "body actions" })], { stdio: "ignore" });
  await waitFor("the notification server on the bus", () => dbus(`print(bus.name_has_owner("${BUS}"))`) === "True");
  app = await launch({ home });
});
after(async () => {
  await app?.close();
  mock?.kill();
});

/** Runs a line of Python with `bus` (the session bus) and `dbus` at hand. */
function dbus(code) {
  return execFileSync(PYTHON, ["-c", `import dbus\nbus = dbus.SessionBus()\n${code}`], { encoding: "utf8", timeout: 10_000 }).trim();
}

/** Every Notify the server was sent: when (ms), the summary, body and actions. */
function notifications() {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => / Notify /.test(line))
    .map((line) => {
      const [at] = line.split(" ");
      const strings = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
      // app_name, app_icon, summary, body, then the actions' ids and labels.
      // The actions come in id and label pairs; the hints follow.
      return { atMs: Number(at) * 1000, app: strings[0], summary: strings[2], body: strings[3], actions: strings.slice(4, 10), raw: line };
    });
}

/** Sets the schedule through Settings, as a parent does. */
async function setSchedule({ kind, every = 120, times = "" }) {
  await app.execute("if (!document.getElementById('settings').open) document.getElementById('footer-settings').click()");
  await waitFor("the schedule's controls", () => app.execute("return document.getElementById('schedule-every').options.length > 0"));
  await app.execute(`
    const $ = (id) => document.getElementById(id);
    $("schedule-every").value = "${every}";
    $("schedule-times").value = "${times}";
    for (let i = 0; i < 7; i++) $("schedule-day-" + i).checked = true;
    $("schedule-from").value = "00:00";
    $("schedule-to").value = "00:00";
    $("schedule-kind").value = "${kind}";
    $("schedule-kind").dispatchEvent(new Event("change", { bubbles: true }));`);
  await waitFor("the schedule to be kept", async () => (await app.invoke("get_prefs")).schedule.kind === kind);
}

const closeSettings = () => app.execute("document.getElementById('settings').close()");

/** "HH:MM" local, a minute boundary at least 20 s from now. */
function nextMinute() {
  const at = new Date(Date.now() + 80_000);
  at.setSeconds(0, 0);
  return { at: at.getTime(), text: `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}` };
}

test("a discreet reminder comes once, at the due time", async () => {
  await setSchedule({ kind: "every" });
  await waitFor("the settings' schedule to show", () => app.execute("return !document.getElementById('schedule-every-label').hidden"));
  await app.execute("document.getElementById('schedule').scrollIntoView({ block: 'center' })");
  app.screenshot("reminders-1-settings");
  await app.assertAccessible("settings with a schedule");
  await closeSettings();
  const due = seededEnd + 2 * HOUR;
  const [shown] = await waitFor("the reminder", () => (notifications().length ? notifications() : null), { timeoutMs: 60_000 });
  assert.equal(shown.summary, "Time for your break");
  assert.equal(shown.body, "");
  assert.equal(shown.app, "Letdown");
  assert.match(shown.raw, /\{"urgency": 0\} -1$/, "low urgency, the server's own timeout");
  assert.deepEqual(shown.actions, ["default", "Open Letdown", "snooze-15", "In 15 minutes", "snooze-30", "In 30 minutes"]);
  assert.ok(shown.atMs >= due - 1000 && shown.atMs <= due + 5000, `shown ${shown.atMs - due} ms from the due time`);
  // Once: the next is two hours after it, not another now.
  const status = await app.invoke("schedule_status");
  assert.ok(status.next_due_ms >= shown.atMs + 2 * HOUR - 5000, JSON.stringify(status));
  await app.waitForText("#schedule-text", (t) => /^Last session 2 h( \d min)? ago · next (tomorrow )?around \d\d:\d\d$/.test(t));
  assert.equal(await app.execute("return !document.getElementById('snooze').hidden"), true, "remind me later is offered");
  app.screenshot("reminders-2-idle");
  await app.assertAccessible("idle screen after a reminder");
  assert.equal(notifications().length, 1, "one reminder, not a pile");
});

test("clicking the reminder brings Letdown to the front, ready to start", async () => {
  const [shown] = notifications();
  assert.ok(shown);
  await app.execute("document.getElementById('snooze-30').focus()");
  dbus(`bus.get_object("${BUS}", "/org/freedesktop/Notifications").EmitSignal("${BUS}", "ActionInvoked", "us", [dbus.UInt32(1), "default"], dbus_interface="org.freedesktop.DBus.Mock")`);
  await waitFor("the start button to have the keyboard", () => app.execute("return document.activeElement?.id === 'start'"));
  assert.equal(focusedPid(), app.letdownPid(), "Letdown's window is the one in front");
  assert.equal(await app.execute("return document.getElementById('routine').value !== ''"), true, "the usual routine is chosen");
});

test("remind me later, from the calm screen", async () => {
  await app.click("#snooze-15");
  await app.waitForText("#notice-text", (t) => t === "All right: another reminder in 15 minutes.");
  const status = await app.invoke("schedule_status");
  const inMin = (status.snoozed_until_ms - Date.now()) / 60_000;
  assert.ok(inMin > 14 && inMin <= 15, `snoozed for ${inMin} min`);
  await waitFor("the offer to go", () => app.execute("return document.getElementById('snooze').hidden"));
  assert.match(await app.text("#schedule-text"), /· next (tomorrow )?around \d\d:\d\d$/);
});

test("no reminder during a session, nor in discreet mode", async () => {
  const before = notifications().length;
  // During a session: a fixed time a minute or so ahead, then a session.
  const inSession = nextMinute();
  await setSchedule({ kind: "times", times: inSession.text });
  await closeSettings();
  await app.click("#start");
  await waitFor("the session", () => app.execute("return document.body.dataset.mode === 'running'"));
  await waitFor("the due time to pass", async () => (await app.invoke("schedule_status")).reminded_ms >= inSession.at, { timeoutMs: 120_000 });
  assert.equal(notifications().length, before, "nothing during the session");
  await app.press("e");
  await waitFor("the finish sheet", () => app.execute("return !document.getElementById('finish').hidden"));
  await app.click("#discard");
  await waitFor("the idle screen", () => app.execute("return document.body.dataset.mode === 'idle'"));

  // In discreet mode.
  const inDiscreet = nextMinute();
  await setSchedule({ kind: "times", times: inDiscreet.text });
  await closeSettings();
  await app.press("\uE00C"); // Esc: discreet
  await waitFor("discreet mode", () => app.execute("return !!document.body.dataset.discreet"));
  await waitFor("the due time to pass", async () => (await app.invoke("schedule_status")).reminded_ms >= inDiscreet.at, { timeoutMs: 120_000 });
  assert.equal(notifications().length, before, "nothing in discreet mode");
  await app.press("\uE00C");
});
