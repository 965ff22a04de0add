// Letdown needs no network at all. scripts/run-tests.sh runs this file inside
// a new network namespace whose only interface is loopback (unshare --net):
// a whole session — photo, recording, let-downs, finish, diary — works there,
// and every socket the app's processes hold is a local one: Unix sockets to
// the screen, sound server and session bus, and the loopback connection of
// the WebDriver harness (WebKit's automation port), which is the only
// TCP allowed and is checked by its port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { launch, makeFixtures, query, recordFault, waitFor } from "./driver.mjs";

/** The network interfaces this process can see. */
const interfaces = () =>
  readFileSync("/proc/net/dev", "utf8")
    .split("\n")
    .slice(2)
    .map((l) => l.split(":")[0].trim())
    .filter(Boolean);

/** inode → "proto local remote state" for every inet socket in this namespace. */
function inetSockets(pid) {
  const map = new Map();
  for (const proto of ["tcp", "tcp6", "udp", "udp6", "raw", "raw6"]) {
    let lines = [];
    try {
      lines = readFileSync(`/proc/${pid}/net/${proto}`, "utf8").trim().split("\n").slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      map.set(f[9], { proto, local: f[1], remote: f[2], state: f[3] });
    }
  }
  return map;
}

/** Every socket inode a process holds open. */
function socketInodes(pid) {
  const inodes = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.push(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

const LOOPBACK = new Set(["0100007F", "00000000000000000000000001000000"]);
const hexAddr = (a) => a.split(":")[0];
const hexPort = (a) => parseInt(a.split(":")[1], 16);

test("a whole session works with no network, and the app opens no socket but local ones", async () => {
  assert.deepEqual(interfaces(), ["lo"], "run through scripts/run-tests.sh: this test belongs in a namespace with only loopback");
  const fixtures = makeFixtures();
  const app = await launch();
  try {
    await app.invoke("import_photo", { path: join(fixtures, "landscape.jpg") });
    await app.invoke("import_clip", { path: join(fixtures, "voice.m4a") });
    await app.click("#start");
    await app.waitForText("#step-name", (t) => t.length > 0);
    await waitFor("the recording to play", async () => (await app.invoke("get_sound")).status.state === "ready");
    await app.press("l");
    await app.press("s");
    await waitFor("the marks", async () => (await app.invoke("get_state")).session?.marks.length === 2);

    const pids = app.processes().filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, "utf8").trim() !== "WebKitWebDriver" && readFileSync(`/proc/${p}/comm`, "utf8").trim() !== "tauri-driver";
      } catch {
        return false;
      }
    });
    const names = pids.map((p) => readFileSync(`/proc/${p}/comm`, "utf8").trim());
    assert.ok(names.includes("letdown"), `app processes: ${names}`);
    // WebKit's automation (the WebDriver harness) is served on this port.
    const letdown = pids[names.indexOf("letdown")];
    const inspector = /WEBKIT_INSPECTOR_SERVER=[^:]+:(\d+)/.exec(readFileSync(`/proc/${letdown}/environ`, "utf8").replaceAll("\0", "\n"));
    const harnessPort = inspector ? Number(inspector[1]) : null;

    let unix = 0;
    const inet = [];
    for (const pid of pids) {
      const table = inetSockets(pid);
      for (const inode of socketInodes(pid)) {
        const s = table.get(inode);
        if (s) inet.push({ pid, ...s });
        else unix += 1;
      }
    }
    for (const s of inet) {
      assert.ok(LOOPBACK.has(hexAddr(s.local)) && (s.state === "0A" || LOOPBACK.has(hexAddr(s.remote))), `a non-local socket: ${JSON.stringify(s)}`);
      assert.ok(s.proto.startsWith("tcp"), `a ${s.proto} socket: ${JSON.stringify(s)}`);
      assert.ok([hexPort(s.local), hexPort(s.remote)].includes(harnessPort), `TCP not on the WebDriver harness's port ${harnessPort}: ${JSON.stringify(s)}`);
    }
    assert.ok(unix > 0, "the app talks to the screen and the sound server over Unix sockets");

    await app.click("#end");
    await app.click("#save");
    await waitFor("the session to be saved", () => query(app.diaryPath, "SELECT count(*) AS n FROM sessions WHERE status = 'finished'")[0].n === 1);
    recordFault({
      fault: "No network at all (namespace with only loopback)",
      tries: 1,
      sees: "nothing different: photo, recording, session, marks and diary all work",
      kept: `everything; sockets held: ${unix} Unix, ${inet.length} loopback TCP (WebDriver harness only)`,
    });
    console.log(`sockets of ${names.join(", ")}: ${unix} Unix, ${inet.length} loopback TCP to the harness (port ${harnessPort})`);
  } finally {
    await app.close();
    execFileSync("rm", ["-rf", fixtures]);
  }
});
