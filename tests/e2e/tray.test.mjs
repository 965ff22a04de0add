// Letdown a click away, on the real app: its tray icon registered with a
// StatusNotifierWatcher on the harness's session bus (python3-dbusmock in
// generic mode, as a desktop's panel would be), its menu read and clicked
// over D-Bus (com.canonical.dbusmenu), and the window closed as its close
// button does (WM_DELETE_WINDOW, tests/e2e/desktop.py): with reminders on,
// closing keeps Letdown in the tray and says so once; with them off,
// closing quits; "Quit" quits.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, launch, waitFor, xdotool } from "./driver.mjs";

const PYTHON = "/usr/bin/python3";
const DESKTOP = fileURLToPath(new URL("./desktop.py", import.meta.url));
const ALL_DAY = { kind: "every", every_min: 180, times: ["10:00:00"], days: [true, true, true, true, true, true, true], from: "00:00:00", to: "00:00:00" };

let app;
let mocks = [];
let dir;
let trayLog;
let notifyLog;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "letdown-tray-"));
  trayLog = join(dir, "watcher.log");
  notifyLog = join(dir, "notifications.log");
  mocks = [
    spawn(PYTHON, ["-m", "dbusmock", "--session", "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher", "-l", trayLog], { stdio: "ignore" }),
    spawn(PYTHON, ["-m", "dbusmock", "--template", "notification_daemon", "-l", notifyLog], { stdio: "ignore" }),
  ];
  await waitFor("the panel's watcher on the bus", () => {
    try {
      desktop("watcher");
      return true;
    } catch {
      return false;
    }
  });
  app = await launch();
});
after(async () => {
  await app?.close();
  for (const mock of mocks) mock.kill();
});

function desktop(...args) {
  return execFileSync(PYTHON, [DESKTOP, ...args], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] }).trim();
}

const menu = () => JSON.parse(desktop("menu", trayLog, app.letdownPid()));
const registered = () => existsSync(trayLog) && readFileSync(trayLog, "utf8").includes("RegisterStatusNotifierItem");
const visibleWindow = () => {
  try {
    return xdotool("search", "--onlyvisible", "--pid", String(app.letdownPid())).split("\n")[0];
  } catch {
    return null; // xdotool exits 1 when nothing matches
  }
};
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const notified = (text) => (existsSync(notifyLog) ? readFileSync(notifyLog, "utf8").split(text).length - 1 : 0);

test("the tray icon is there, with its menu", async () => {
  await waitFor("the tray icon to register", registered);
  const items = menu().filter((i) => i.visible);
  assert.deepEqual(
    items.map((i) => (i.type === "separator" ? "—" : i.label)),
    ["No session yet", "—", "Start session", "Open Letdown", "Pause reminders today", "Quit"],
  );
  assert.equal(items[0].enabled, false, "the first line only says");
});

test("with reminders on, closing keeps Letdown in the tray, and says so once", async () => {
  await app.invoke("set_prefs", { change: { schedule: ALL_DAY } });
  const pid = app.letdownPid();
  for (const time of [1, 2]) {
    const window = await waitFor("the window", visibleWindow);
    desktop("close", window);
    await waitFor("the window to go", () => visibleWindow() === null);
    assert.ok(alive(pid), "Letdown is still running");
    await waitFor("the explanation", () => notified("Letdown is still here") >= 1);
    assert.equal(notified("Letdown is still here"), 1, `said once, not again on close ${time}`);
    desktop("click", trayLog, app.letdownPid(), "Open Letdown");
    await waitFor("the window back", visibleWindow);
  }
});

test("the tray's menu starts a session and pauses reminders", async () => {
  desktop("click", trayLog, app.letdownPid(), "Pause reminders today");
  await waitFor("reminders paused", async () => (await app.invoke("schedule_status")).paused_today);
  desktop("close", visibleWindow());
  await waitFor("the window to go", () => visibleWindow() === null);
  desktop("click", trayLog, app.letdownPid(), "Start session");
  await waitFor("the window back", visibleWindow);
  await waitFor("a session", () => app.execute("return document.body.dataset.mode === 'running'"));
  await app.press("e");
  await waitFor("the finish sheet", () => app.execute("return !document.getElementById('finish').hidden"));
  await app.click("#save");
  await waitFor("the idle screen", () => app.execute("return document.body.dataset.mode === 'idle'"));
  await waitFor("the tray to say how long since", () => menu()[0].label === "Last session just now");
});

test("with reminders off, closing quits; and Quit quits", async () => {
  await app.invoke("set_prefs", { change: { schedule: { ...ALL_DAY, kind: "off" } } });
  const pid = app.letdownPid();
  desktop("close", visibleWindow());
  await waitFor("Letdown to quit", () => !alive(pid));
  await app.close();

  app = await launch();
  const again = app.letdownPid();
  await waitFor("the tray icon to register again", () => readFileSync(trayLog, "utf8").split("RegisterStatusNotifierItem").length > 2);
  desktop("click", trayLog, app.letdownPid(), "Quit");
  await waitFor("Letdown to quit", () => !alive(again));
});


test("opening at login: Settings writes the login item, and Letdown so opened waits in the tray", async () => {
  // The login item goes where the system reads it: ~/.config/autostart
  // (auto-launch reads $HOME), here a HOME of the test's own.
  const home = mkdtempSync(join(tmpdir(), "letdown-login-"));
  const entry = join(home, ".config", "autostart", "Letdown.desktop");
  await app?.close();
  app = await launch({ env: { HOME: home } });
  await app.click("#footer-settings");
  await waitFor("the setting read from the system", () => app.execute("return !document.getElementById('autostart').disabled"));
  assert.equal(await app.execute("return document.getElementById('autostart').checked"), false, "off by default");
  await app.click("#autostart");
  await waitFor("the login item", () => existsSync(entry));
  const exec = readFileSync(entry, "utf8").match(/^Exec=(.*)$/m)?.[1];
  assert.equal(exec, `${BIN} --hidden`);
  await app.assertAccessible("settings with opening at login");
  app.screenshot("tray-autostart-setting");
  const data = app.home;
  await app.close({ keepData: true });

  // Opened as the login item opens it: ready, in the tray, no window.
  app = await launch({ home: data, env: { HOME: home }, args: ["--hidden"] });
  const registrations = () => readFileSync(trayLog, "utf8").split("RegisterStatusNotifierItem").length - 1;
  const before = registrations();
  await waitFor("the tray icon", () => registrations() >= before && menu().length > 0);
  assert.equal(visibleWindow(), null, "no window at login");
  desktop("click", trayLog, app.letdownPid(), "Open Letdown");
  await waitFor("the window, from the tray", visibleWindow);
  assert.equal(await app.execute("return document.body.dataset.mode"), "idle");

  // Turned off again: the login item goes.
  await app.click("#footer-settings");
  await waitFor("the setting read from the system", () => app.execute("return document.getElementById('autostart').checked"));
  await app.click("#autostart");
  await waitFor("the login item gone", () => !existsSync(entry));
});
