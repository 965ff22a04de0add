// The real app in a real window: it starts, renders the calm screen, a command
// round-trips to Rust, and the capability refuses what it does not allow.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { focusedPid, launch, waitFor, xdotool } from "./driver.mjs";

const cargoToml = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
const VERSION = cargoToml.match(/^version = "(.+)"/m)[1];

let app;
before(async () => {
  app = await launch();
});
after(async () => {
  await app?.close();
});

test("the calm screen renders with the app's version from Rust", async () => {
  // app_info is answered by Rust; the footer only shows it after the round-trip.
  const about = await app.waitForText("#about", (t) => t !== "Letdown");
  assert.equal(about, `Letdown ${VERSION}`);
  assert.equal(await app.text("#step-name"), "Letdown");
  assert.equal(await app.text("#timer"), "00:00");
  assert.match(await app.text(".private"), /stays on this computer/);
  const dataDir = await app.execute("return document.getElementById('about').title");
  assert.match(dataDir, /letdown-e2e-.*app\.letdown\.desktop/, "the diary lives in the app's own data folder");
  const file = app.screenshot("calm-screen");
  // Not a blank window: the screenshot has many distinct colours (photo, text).
  const colours = Number(execFileSync("identify", ["-format", "%k", file], { encoding: "utf8" }));
  assert.ok(colours > 500, `screenshot looks blank (${colours} colours)`);
});

test("the window, made hidden, is shown with the keyboard focus", async () => {
  // tauri.conf.json makes it with "visible": false; the page asks for it to be
  // shown as its script starts (commands::show_window).
  const pid = app.letdownPid();
  const shown = xdotool("search", "--onlyvisible", "--pid", String(pid), "--name", "^Letdown$");
  assert.ok(shown.length > 0, "Letdown has a visible window");
  await waitFor("Letdown's window to have the focus", () => focusedPid() === pid);
});

test("until its script has run, the page draws nothing, in a wide window too", async () => {
  // The page as WebKit first lays it out: starting, no mode yet. The wide
  // window's session layout (main as a grid) must not bring main back.
  const seen = await app.execute(`
    const body = document.body;
    const mode = body.dataset.mode;
    delete body.dataset.mode;
    body.dataset.starting = "";
    const shown = [...body.children].filter((el) => getComputedStyle(el).display !== "none").map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""));
    delete body.dataset.starting;
    body.dataset.mode = mode;
    return { width: innerWidth, shown };
  `);
  assert.ok(seen.width >= 800, `the window is wide enough for the session layout (${seen.width} px)`);
  assert.deepEqual(seen.shown, [], "nothing is drawn while the page starts");
});

test("the window is titled Letdown", async () => {
  assert.equal(await app.execute("return document.title"), "Letdown");
  // The native window's own title, as the X server knows it.
  const tree = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
  assert.match(tree, /"Letdown": \(/);
});

test("a command the capability does not allow is refused", async () => {
  // Closing the window is a real core command, but capabilities/main.json does
  // not grant it: the ACL must refuse it and the window must stay.
  const outcome = await app.executeAsync(
    "const done = arguments[arguments.length - 1];" +
      "window.__TAURI__.core.invoke('plugin:window|close', { label: 'main' })" +
      ".then(() => done('allowed'), (e) => done('refused: ' + e));",
  );
  assert.match(outcome, /^refused: .*not allowed/);
  assert.equal(await app.text("#step-name"), "Letdown", "the window is still there");
  app.screenshot("after-refused-command");
});
