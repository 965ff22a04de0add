// Letdown beside the floor: an empty Tauri 2 app (perf/baseline) built the
// same way. Both release binaries run alternately under the test harness's
// virtual screen and sound server, several times, and for each measure this
// prints the median, the spread (min–max) and the ratio Letdown / baseline:
//
//   start-up   launch → the calm screen painted with the photo (Letdown's UI
//              calls `ui_ready` when the photo is decoded and two frames have
//              passed; the blank page calls `ready` two frames after its
//              script runs)
//   memory     PSS of the app and its WebKit processes, summed, 5 s after
//              start-up and after a 1-minute session
//   idle CPU   over the last 30 s of that session (Letdown: Space pressed on
//              the calm screen starts the chosen routine, the recording loops)
//   size       the stripped release binaries
//
// A benchmark, not a test: run it with scripts/bench-vs-baseline.sh.
// RUNS, SESSION_SECONDS and IDLE_SECONDS shorten it for a quick look.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuTicks, pssMiB, TICKS, tree } from "./proc.mjs";

const RUNS = Number(process.env.RUNS ?? 5);
const SESSION_SECONDS = Number(process.env.SESSION_SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 30);
const SETTLE_MS = 5000;
// A launch whose page began loading this much later than that app's earliest.
const STALL_MS = 300;

const apps = {
  letdown: { bin: process.env.LETDOWN_BIN, data: process.env.LETDOWN_PERF_DATA, identifier: "app.letdown.desktop" },
  baseline: { bin: process.env.BASELINE_BIN, data: null, identifier: "app.letdown.baseline" },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function openSessions(dataHome) {
  const diary = join(dataHome, apps.letdown.identifier, "diary.sqlite3");
  return Number(execFileSync("sqlite3", [diary, "SELECT count(*) FROM sessions WHERE status = 'open'"], { encoding: "utf8" }).trim());
}

async function until(what, check, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function once(name) {
  const app = apps[name];
  const home = mkdtempSync(join(tmpdir(), `perf-${name}-`));
  if (app.data) cpSync(app.data, join(home, app.identifier), { recursive: true });
  const env = { ...process.env, XDG_DATA_HOME: home, XDG_CONFIG_HOME: join(home, "config"), LETDOWN_REPORT_READY: "1" };
  const started = process.hrtime.bigint();
  let marks = null;
  const child = spawn(app.bin, [], { env, stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    const startupMs = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${name} never said it was ready`)), 30000);
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        // Both apps say where the time went: `rust {"setup": ms, …}` since
        // run() began, and `page {"script": ms, …}` since the page began loading.
        for (const [, side, json] of out.matchAll(/^(rust|page) (\{.*\})$/gm)) (marks ??= {})[side] = JSON.parse(json);
        if (out.includes("ready\n")) {
          clearTimeout(timer);
          ok(Number(process.hrtime.bigint() - started) / 1e6);
        }
      });
      child.once("exit", (code) => fail(new Error(`${name} exited (${code}) before it was ready`)));
    });
    await sleep(SETTLE_MS); // the measuring point itself: "after start"
    const startMiB = pssMiB(tree(child.pid));

    if (name === "letdown") {
      const [window] = execFileSync("xdotool", ["search", "--sync", "--onlyvisible", "--pid", String(child.pid)], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
      execFileSync("xdotool", ["windowfocus", "--sync", window]);
      execFileSync("xdotool", ["key", "--window", window, "space"]);
      await until("the session to start", () => openSessions(home) === 1);
    }
    const sessionStarted = Date.now();
    await sleep(Math.max(0, (SESSION_SECONDS - IDLE_SECONDS) * 1000)); // the session running
    const pids = tree(child.pid);
    const before = cpuTicks(pids);
    const idleFrom = Date.now();
    await sleep(IDLE_SECONDS * 1000); // the idle-CPU window
    const cpuPercent = ((cpuTicks(pids) - before) / TICKS / ((Date.now() - idleFrom) / 1000)) * 100;
    const sessionMiB = pssMiB(tree(child.pid));
    if (name === "letdown" && openSessions(home) !== 1) throw new Error("the session did not keep running");
    return { startupMs, marks, startMiB, sessionMiB, cpuPercent, sessionSeconds: (Date.now() - sessionStarted) / 1000 };
  } finally {
    for (const pid of tree(child.pid).reverse()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = { letdown: [], baseline: [] };
// One warm-up of each, not counted: the first launch pays for cold caches.
for (const name of ["baseline", "letdown"]) {
  process.stdout.write(`warm-up ${name}… `);
  await once(name);
  console.log("done");
}
for (let run = 1; run <= RUNS; run++) {
  // Alternate which goes first, so drift in the machine falls on both.
  const order = run % 2 ? ["letdown", "baseline"] : ["baseline", "letdown"];
  for (const name of order) {
    const r = await once(name);
    results[name].push(r);
    console.log(
      `run ${run} ${name.padEnd(8)} start-up ${r.startupMs.toFixed(0)} ms, PSS ${r.startMiB.toFixed(1)} → ${r.sessionMiB.toFixed(1)} MiB, idle CPU ${r.cpuPercent.toFixed(2)} %`,
    );
    for (const [side, times] of Object.entries(r.marks ?? {})) {
      const since = side === "rust" ? "since run() began" : "since the page began loading";
      console.log(`      ${side} (ms ${since}): ${Object.entries(times).sort((a, b) => a[1] - b[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
    }
  }
}

const rows = [
  ["start-up to painted (ms)", "startupMs", 1.15, 0],
  ["memory after start (PSS MiB)", "startMiB", 1.25, 1],
  [`memory after ${SESSION_SECONDS} s session (PSS MiB)`, "sessionMiB", 1.25, 1],
  [`idle CPU, last ${IDLE_SECONDS} s (% of a core)`, "cpuPercent", null, 2],
];
const cell = (xs, digits) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
console.log(`\n${RUNS} runs each, alternating; median (min–max)\n`);
console.log("| measure | Letdown | baseline | Letdown / baseline | goal |");
console.log("|---|---|---|---|---|");
for (const [label, key, goal, digits] of rows) {
  const l = results.letdown.map((r) => r[key]);
  const b = results.baseline.map((r) => r[key]);
  const ratio = median(l) / median(b);
  // CPU time is counted in 10 ms ticks: over less than the goal's 30 s, one
  // tick is a large share of the window, so a short run is not judged.
  const cpuGoal = IDLE_SECONDS >= 30 ? `≤ 2 % ${median(l) <= 2 ? "met" : "**missed**"}` : "≤ 2 % over 30 s: not judged";
  const goalText = goal ? `≤ ${goal}× ${ratio <= goal ? "met" : "**missed**"}` : cpuGoal;
  console.log(`| ${label} | ${cell(l, digits)} | ${cell(b, digits)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : "—"} | ${goalText} |`);
}
// On about one launch in three, the baseline's page starts loading some
// 500 ms late: its window is drawn while its web process is still starting
// (BENCHMARKS.md). That stall is the stock behaviour the goal is measured
// against, but it moves the baseline's median with how many launches it hits;
// launch for launch compares the launches it spared.
{
  const spared = (name) => {
    const runs = results[name].filter((r) => r.marks?.rust?.page !== undefined);
    const first = Math.min(...runs.map((r) => r.marks.rust.page));
    return runs.filter((r) => r.marks.rust.page < first + STALL_MS).map((r) => r.startupMs);
  };
  const l = spared("letdown");
  const b = spared("baseline");
  if (l.length && b.length) {
    const ratio = median(l) / median(b);
    console.log(
      `| start-up, launches without the stall (ms; ${l.length} and ${b.length} of ${RUNS}) | ${cell(l, 0)} | ${cell(b, 0)} | ${ratio.toFixed(2)} | ≤ 1.15× ${ratio <= 1.15 ? "met" : "**missed**"} |`,
    );
  }
}
// On this machine WebKit's process launch sometimes takes ~500 ms longer, for
// either app, before its page starts loading; with few runs that decides the
// median. The fastest runs compare the two apps' own work.
{
  const l = Math.min(...results.letdown.map((r) => r.startupMs));
  const b = Math.min(...results.baseline.map((r) => r.startupMs));
  console.log(`| start-up, fastest run (ms) | ${l.toFixed(0)} | ${b.toFixed(0)} | ${(l / b).toFixed(2)} | ≤ 1.15× ${l / b <= 1.15 ? "met" : "**missed**"} |`);
}
const mb = (path) => statSync(path).size / 1e6;
const size = mb(apps.letdown.bin);
console.log(
  `| stripped release binary (MB) | ${size.toFixed(2)} | ${mb(apps.baseline.bin).toFixed(2)} | ${(size / mb(apps.baseline.bin)).toFixed(2)} | ≤ 10 MB ${size <= 10 ? "met" : "**missed**"} |`,
);
