// Idle CPU with the baby's video: Letdown's session with the video shown,
// the same session with a photo, and gst-launch-1.0 playing the same file
// (picture only), run alternately, RUNS times each; prints medians and
// ranges. A benchmark, not a test: run it with scripts/bench-video-cpu.sh.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuTicks, TICKS, tree } from "./proc.mjs";

const RUNS = Number(process.env.RUNS ?? 3);
const SETTLE_S = 10;
const MEASURE_S = Number(process.env.MEASURE_SECONDS ?? 30);
const work = process.env.BENCH_WORK;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function cpuOf(child) {
  await sleep(SETTLE_S * 1000);
  const pids = tree(child.pid);
  const before = cpuTicks(pids);
  const from = Date.now();
  await sleep(MEASURE_S * 1000);
  return ((cpuTicks(tree(child.pid)) - before) / TICKS / ((Date.now() - from) / 1000)) * 100;
}

async function stop(child) {
  const exited = new Promise((r) => child.once("exit", r));
  for (const pid of tree(child.pid).reverse()) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await exited;
}

async function letdown(data) {
  const home = mkdtempSync(join(tmpdir(), "bench-video-"));
  cpSync(join(work, data), join(home, "app.letdown.desktop"), { recursive: true });
  const env = { ...process.env, XDG_DATA_HOME: home, XDG_CONFIG_HOME: join(home, "config"), LETDOWN_REPORT_READY: "1" };
  const child = spawn(process.env.LETDOWN_BIN, [], { env, stdio: ["ignore", "pipe", "ignore"] });
  try {
    await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error("Letdown never said it was ready")), 30000);
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        if (out.includes("ready\n")) (clearTimeout(timer), ok());
      });
    });
    const [window] = execFileSync("xdotool", ["search", "--sync", "--onlyvisible", "--pid", String(child.pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    execFileSync("xdotool", ["windowfocus", "--sync", window]);
    execFileSync("xdotool", ["key", "--window", window, "space"]); // the session starts
    return await cpuOf(child);
  } finally {
    await stop(child);
    rmSync(home, { recursive: true, force: true });
  }
}

async function gstreamer() {
  // flags=video: the picture only, as Letdown shows the video muted; in a
  // 1024 × 700 window, as Letdown's; it loops by playing a minute-long file.
  const child = spawn("gst-launch-1.0", ["-q", "playbin", `uri=file://${join(work, "phone.mp4")}`, "flags=video",
    "video-sink=videoscale ! video/x-raw,width=1024,height=700 ! ximagesink"], { stdio: "ignore" });
  try {
    return await cpuOf(child);
  } finally {
    await stop(child);
  }
}

const kinds = { "Letdown, session with the video": () => letdown("data-video"), "Letdown, session with a photo": () => letdown("data-photo"), "gst-launch-1.0 playbin, same file": gstreamer };
const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
for (let run = 1; run <= RUNS; run++) {
  for (const [name, measure] of Object.entries(kinds)) {
    const cpu = await measure();
    results[name].push(cpu);
    console.log(`run ${run} ${name}: ${cpu.toFixed(2)} % of a core`);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\n| ${RUNS} runs, CPU over ${MEASURE_S} s after ${SETTLE_S} s (% of a core) | median | range |\n|---|---|---|`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`| ${name} | ${median(xs).toFixed(2)} | ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} |`);
}
