// Idle cost: CPU used by the Letdown process and its WebKit processes over
// 30 s, first opened at login and waiting hidden in the tray with reminders
// on, then in a running session with the breathing guide off and on, the
// recording looping as in a real session. A benchmark, not a test: run it
// with scripts/bench-idle-cpu.sh (release build, under the test harness).
import { readFileSync } from "node:fs";
import { launch, waitFor } from "../e2e/driver.mjs";
import { cpuTicks, TICKS, tree } from "./proc.mjs";

const SECONDS = Number(process.env.IDLE_SECONDS ?? 30);

/** The app process and everything it started (WebKit's web and network processes). */
function appTree(app) {
  const letdown = app.processes().find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "letdown");
  return tree(letdown);
}

async function measure(app, label) {
  const pids = appTree(app);
  const names = pids.map((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim());
  const before = cpuTicks(pids);
  const started = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000)); // the measuring window itself
  const seconds = (Date.now() - started) / 1000;
  const percent = ((cpuTicks(pids) - before) / TICKS / seconds) * 100;
  console.log(`${label.padEnd(28)} ${percent.toFixed(2).padStart(6)} % of one core over ${seconds.toFixed(0)} s (${names.join(", ")})`);
  return percent;
}

/** Letdown opened at login with reminders on: no window, waiting in the
 * tray for the next reminder. The timer thread sleeps until its deadline. */
async function hiddenInTray() {
  const first = await launch();
  const ALL_DAY = { kind: "every", every_min: 180, times: ["10:00:00"], days: Array(7).fill(true), from: "00:00:00", to: "00:00:00" };
  await first.invoke("set_prefs", { change: { schedule: ALL_DAY } });
  const home = first.home;
  await first.close({ keepData: true });
  const app = await launch({ home, args: ["--hidden"] });
  try {
    const shown = await app.execute("return document.visibilityState");
    await new Promise((r) => setTimeout(r, 3000)); // let start-up settle
    const percent = await measure(app, `hidden in the tray (${shown})`);
    console.log(`goal: waiting hidden ≤ 0.5 % — ${percent <= 0.5 ? "met" : "MISSED"}`);
  } finally {
    await app.close();
  }
}

await hiddenInTray();
const app = await launch();
try {
  await app.execute("const r = document.getElementById('routine'); r.value = [...r.options].find(o => o.text === 'Standard').value;");
  await app.click("#start");
  await app.waitForText("#step-name", (t) => t === "Warm-up");
  await app.execute("document.activeElement.blur()");
  await waitFor("the loop to be playing", async () => (await app.invoke("get_sound")).status.state === "ready");
  await new Promise((r) => setTimeout(r, 3000)); // let the fade-in and first paints pass
  const off = await measure(app, "session, guide off");
  await app.press("b");
  await waitFor("the guide", () => app.execute("return document.body.dataset.breathing === 'on'"));
  const on = await measure(app, "session, breathing guide on");
  console.log(`goal: guide off ≤ 2 % — ${off <= 2 ? "met" : "MISSED"}; guide on ${on.toFixed(2)} %`);
} finally {
  await app.close();
}
