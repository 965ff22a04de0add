// One Letdown at a time. Launching it again while it runs brings the running
// window to the front and the new process exits (the single-instance plugin,
// through the harness's session bus). Where there is no session bus, a second
// copy still cannot write the diary: the data folder's lock keeps it out,
// and it says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { BIN, focusedPid, launch, query, recordFault, waitFor, xdotool } from "./driver.mjs";

test("a second launch brings the running window to the front and exits", async () => {
  const app = await launch();
  const other = spawn("xmessage", ["-geometry", "400x100+0+0", "Another program, in front"], { stdio: "ignore" });
  try {
    const pid = app.letdownPid();
    // Another program takes the focus, as a mail client would.
    const otherWindow = await waitFor("the other window", () => {
      try {
        return xdotool("search", "--onlyvisible", "--class", "Xmessage").split("\n")[0];
      } catch {
        return null;
      }
    });
    xdotool("windowfocus", "--sync", otherWindow);
    assert.equal(xdotool("getwindowfocus"), otherWindow, "the other program has the focus");

    const second = spawn(BIN, [], {
      env: { ...process.env, XDG_DATA_HOME: join(app.home, "data"), XDG_CONFIG_HOME: join(app.home, "config") },
      stdio: "ignore",
    });
    const code = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error("the second copy kept running")), 20_000);
      second.once("exit", (c) => {
        clearTimeout(timer);
        ok(c);
      });
    });
    assert.equal(code, 0, "the second copy exits quietly");
    await waitFor("Letdown's window to have the focus", () => focusedPid() === pid);
    assert.equal(app.letdownPid(), pid, "the first Letdown runs on");
    recordFault({
      fault: "Second launch while running",
      tries: 1,
      sees: "the running Letdown window comes to the front; no second window",
      kept: "one process, one diary writer",
    });
  } finally {
    other.kill();
    await app.close();
  }
});

test("without a session bus, a second copy cannot write the diary and says why", async () => {
  const first = await launch();
  await first.click("#start");
  await first.waitForText("#step-name", (t) => t.length > 0);
  const rowsBefore = query(first.diaryPath, "SELECT count(*) AS n FROM events")[0].n;
  let second;
  try {
    second = await launch({ home: first.home, env: { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" } });
    const said = await waitFor("the second copy's notice", async () => (await second.execute("return document.getElementById('notice').hidden ? '' : document.getElementById('notice-text').textContent")) || null);
    assert.match(said, /Letdown is already open in another window, which keeps your diary\. Please use that window; this one has changed nothing\./);
    second.screenshot("second-copy");
    assert.equal(await second.execute("return document.getElementById('undo').hidden"), true, "no Try again: waiting would not help");
    const refused = await second.invoke("start_session", { routineId: 1 });
    assert.equal(refused.error?.kind, "already_open");
    const intent = await second.invoke("session_intent", { intent: { kind: "let_down" } });
    assert.equal(intent.error?.kind, "already_open");
    assert.equal(query(first.diaryPath, "SELECT count(*) AS n FROM events")[0].n, rowsBefore, "the diary is untouched");
    // The first copy carries on writing.
    await first.press("l");
    await waitFor("the first copy's let-down", () => query(first.diaryPath, "SELECT count(*) AS n FROM events WHERE kind = 'let_down'")[0].n === 1);
    recordFault({ fault: "Second copy with no session bus", tries: 1, sees: said, kept: "the diary, written only by the first copy" });
  } finally {
    await second?.close({ keepData: true });
    await first.close();
  }
});
