// A small WebDriver client for the end-to-end tests: launches the real Letdown
// binary through tauri-driver (which starts WebKitWebDriver, which starts the
// app) under the harness's Xvfb, with its own data folders, and drives it.
import { spawn, execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SCREENS = join(ROOT, "target/e2e-screens");
export const BIN = process.env.LETDOWN_BIN ?? join(ROOT, "target/debug/letdown");

/** A new home for `launch`, its data folder made: `diary` is where the app
 * keeps its diary. */
export function newHome() {
  const dir = mkdtempSync(join(tmpdir(), "letdown-e2e-"));
  const data = join(dir, "data", "app.letdown.desktop");
  mkdirSync(data, { recursive: true });
  return { dir, data, diary: join(data, "diary.sqlite3") };
}

/** Writes a diary of `sessions` finished sessions to `file` (the
 * seed_diary example, built by scripts/run-tests.sh), the newest starting
 * now, all at this machine's present UTC offset so the app's days are the
 * test's days in any time zone. `more` is passed on: "planted" and a time
 * scale write `letdown::seed::planted`'s diary instead. */
export function seedDiary(file, sessions, ...more) {
  const offsetMin = String(-new Date().getTimezoneOffset());
  execFileSync(join(ROOT, "target/debug/examples/seed_diary"), [file, String(sessions), offsetMin, ...more.map(String)], { timeout: 120_000 });
}

/** Records one fault or bad input a test tried, with what the parent saw and
 * what was kept, for the fault table (scripts/fault-table.mjs → docs/FAULTS.md). */
export function recordFault({ fault, tries, sees, kept }) {
  const dir = join(ROOT, "target/faults");
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, "e2e.jsonl"), `${JSON.stringify({ fault, tries, sees, kept })}\n`);
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs = 15_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs xdotool against the harness's screen; its output, trimmed. */
export const xdotool = (...args) => execFileSync("xdotool", args, { encoding: "utf8", timeout: 10_000 }).trim();

/** The process owning the X window that has the keyboard focus. */
export function focusedPid() {
  try {
    return Number(xdotool("getwindowfocus", "getwindowpid"));
  } catch {
    return 0; // the root window, or a window without a pid
  }
}

/** Every process below `pid`, deepest first. */
export function descendants(pid) {
  let children = [];
  try {
    children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    // pgrep exits 1 when there are none
  }
  return children.flatMap((child) => [...descendants(child), child]);
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function fetchWithTimeout(url, options = {}, timeoutMs = 20_000) {
  return fetch(url, { ...options, signal: AbortSignal.timeout(timeoutMs) });
}

/** The running app, seen through WebDriver. */
class App {
  constructor(base, sessionId, driver, home) {
    this.base = `${base}/session/${sessionId}`;
    this.driver = driver;
    this.home = home;
  }

  async #send(method, path, body) {
    const response = await fetchWithTimeout(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) {
      throw new Error(`WebDriver ${method} ${path}: ${json.value?.message ?? response.status}`);
    }
    return json.value;
  }

  /** The element matching a CSS selector, or an error if there is none. */
  async find(selector) {
    const value = await this.#send("POST", "/element", { using: "css selector", value: selector });
    return Object.values(value)[0];
  }

  /** The visible text of the element matching `selector`. */
  async text(selector) {
    return this.#send("GET", `/element/${await this.find(selector)}/text`);
  }

  async click(selector) {
    return this.#send("POST", `/element/${await this.find(selector)}/click`, {});
  }

  /** Runs `body` (a function's source body) in the page; `done(value)` finishes it. */
  async executeAsync(body, args = []) {
    return this.#send("POST", "/execute/async", { script: body, args });
  }

  async execute(body, args = []) {
    return this.#send("POST", "/execute/sync", { script: body, args });
  }

  /** What on the calm screen cannot be read whole, in words; empty when
   * everything can. The screen needing a scroll; a line of text or a control
   * that the footer overlaps at all (it stays up, so it must cover nothing);
   * one that a passing notice covers only in part (covering a line whole,
   * for a few seconds, is what a notice does). */
  async layoutProblems() {
    return this.execute(`
      const main = document.querySelector("main");
      const problems = [];
      if (main.scrollHeight > main.clientHeight + 1) problems.push(\`the screen scrolls (\${main.scrollHeight} px of content in \${main.clientHeight})\`);
      const shown = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
      const covers = [...document.querySelectorAll(".footer, .notice")].filter(shown).map((el) => ({ el, box: el.getBoundingClientRect(), passing: el.id === "notice" }));
      const pieces = [];
      const texts = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
      for (let node; (node = texts.nextNode()); ) {
        if (!node.textContent.trim() || !shown(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const box of range.getClientRects()) pieces.push({ what: \`"\${node.textContent.trim().slice(0, 30)}"\`, box });
      }
      for (const el of main.querySelectorAll("button, select, input")) if (shown(el)) pieces.push({ what: \`#\${el.id || el.textContent.trim()}\`, box: el.getBoundingClientRect() });
      const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      const inside = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
      for (const { what, box } of pieces) {
        if (!box.width || !box.height) continue;
        for (const cover of covers) {
          if (meet(box, cover.box) && !(cover.passing && inside(box, cover.box))) problems.push(\`\${what} under .\${cover.el.className.replaceAll(" ", ".")}\`);
        }
      }
      return problems;
    `);
  }

  /** Waits until `selector` shows text for which `accept(text)` is true; returns the text. */
  async waitForText(selector, accept = (t) => t.length > 0, timeoutMs) {
    return waitFor(`text of ${selector}`, async () => {
      const text = await this.text(selector);
      return accept(text) ? text : null;
    }, { timeoutMs });
  }

  /** Saves what is on the virtual screen to target/e2e-screens/<name>.png. The
   * WebDriver screenshot call hangs on WebKitGTK, so X's own `import` is used. */
  screenshot(name) {
    mkdirSync(SCREENS, { recursive: true });
    const file = join(SCREENS, `${name}.png`);
    execFileSync("import", ["-window", "root", file], { timeout: 15_000 });
    return file;
  }

  /** The app's window alone, moved to the screen's top left (so all of it
   * is on the virtual screen) and saved as target/e2e-screens/<name>.png;
   * returns the file and its pixels, 3 bytes (RGB) each, row by row. */
  windowShot(name) {
    const window = this.#window();
    xdotool("windowmove", "--sync", window, "0", "0");
    mkdirSync(SCREENS, { recursive: true });
    const file = join(SCREENS, `${name}.png`);
    execFileSync("import", ["-window", window, file], { timeout: 15_000 });
    const [width, height] = execFileSync("identify", ["-format", "%w %h", file], { encoding: "utf8" }).split(" ").map(Number);
    const rgb = execFileSync("convert", [file, "-depth", "8", "rgb:-"], { maxBuffer: 64 << 20, timeout: 15_000 });
    return { file, width, height, rgb };
  }

  /** Moves the mouse to a point of the page (CSS px) and clicks there. */
  async clickAt(x, y) {
    await this.#send("POST", "/actions", {
      actions: [{
        type: "pointer",
        id: "mouse",
        parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", origin: "viewport", x: Math.round(x), y: Math.round(y) },
          { type: "pointerDown", button: 0 },
          { type: "pointerUp", button: 0 },
        ],
      }],
    });
  }

  /** Moves the mouse to a point of the page (CSS px), as a hand on it would. */
  async moveMouse(x, y) {
    await this.#send("POST", "/actions", {
      actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: [{ type: "pointerMove", origin: "viewport", x, y }] }],
    });
  }

  /** Presses and releases one key, as a person would on the keyboard. */
  async press(key) {
    await this.#send("POST", "/actions", {
      actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: key }, { type: "keyUp", value: key }] }],
    });
  }

  /** Types text into the element matching `selector`. */
  async type(selector, text) {
    return this.#send("POST", `/element/${await this.find(selector)}/value`, { text });
  }

  /** Calls a Rust command from the page, as the UI would; resolves to its result or `{ error }`. */
  async invoke(command, args = {}) {
    return this.executeAsync(
      "const [cmd, args, done] = arguments;" +
        "window.__TAURI__.core.invoke(cmd, args).then(done, (e) => done({ error: e }));",
      [command, args],
    );
  }

  /** Fails the test unless axe-core finds no violation on the page as it is now. */
  async assertAccessible(screen) {
    const violations = await this.axe();
    if (violations.length) throw new Error(`${screen}: ${JSON.stringify(violations, null, 1)}`);
  }

  /** Runs axe-core (tests/node_modules, pinned in tests/package.json) on the
   * page as it is now; resolves to its violations, each with the failing
   * elements. Injected through WebDriver, so the app's CSP is not loosened. */
  async axe() {
    const source = readFileSync(join(ROOT, "tests/node_modules/axe-core/axe.min.js"), "utf8");
    await this.execute(`${source}; return typeof axe;`);
    const violations = await this.executeAsync(
      "const done = arguments[0];" +
        "axe.run(document, { resultTypes: ['violations'] })" +
        ".then((r) => done(r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) }))))" +
        ".catch((e) => done([{ id: 'axe-error', help: String(e), nodes: [] }]));",
    );
    return violations;
  }

  /** The diary file of this app's data folder. */
  get diaryPath() {
    return join(this.home, "data", "app.letdown.desktop", "diary.sqlite3");
  }

  /** The app's process ids (tauri-driver → WebKitWebDriver → letdown). */
  processes() {
    return descendants(this.driver.pid);
  }

  /** The id of the `letdown` process itself, or undefined once it is gone. */
  letdownPid() {
    return this.processes().find((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, "utf8").trim() === "letdown";
      } catch {
        return false;
      }
    });
  }

  /** Resizes the app's window on the virtual screen, as a person dragging
   * its edge would; returns once X has done it (the page follows after). */
  resizeWindow(width, height) {
    xdotool("windowsize", "--sync", this.#window(), String(width), String(height));
  }

  /** Resizes the window, then waits for the page's `resize` event at the new
   * size (sent as the page's media queries are evaluated again) and a frame
   * after it, so what is measured next is laid out for that size. */
  async resizeTo(width, height) {
    await this.execute(`
      window.resizedTo = null;
      if (!window.watchingSize) addEventListener("resize", () => { window.resizedTo = innerWidth + "x" + innerHeight; });
      window.watchingSize = true;`);
    this.resizeWindow(width, height);
    await waitFor(`the page resized to ${width} × ${height}`, () => this.execute(`return window.resizedTo === "${width}x${height}"`));
    await this.executeAsync("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));");
  }

  /** The X id of the app's window. */
  #window() {
    return xdotool("search", "--onlyvisible", "--pid", String(this.letdownPid())).split("\n")[0];
  }

  /** Ends the app; `keepData` leaves its data folder for a relaunch. Whatever
   * WebDriver does not close is killed, so nothing outlives the test. */
  async close({ keepData = false } = {}) {
    const tree = this.processes();
    try {
      await fetchWithTimeout(this.base, { method: "DELETE" }, 10_000).catch(() => {});
      await waitFor("the app to exit", () => tree.every((pid) => !alive(pid)), { timeoutMs: 5000 }).catch(() => {});
    } finally {
      for (const pid of tree) if (alive(pid)) process.kill(pid, "SIGKILL");
      this.driver.kill("SIGKILL");
      if (!keepData) rmSync(this.home, { recursive: true, force: true });
    }
  }
}

/** Makes the media fixtures (tests/fixtures/make-media.sh) in a new folder; returns it. */
export function makeFixtures() {
  const dir = mkdtempSync(join(tmpdir(), "letdown-fixtures-"));
  execFileSync("bash", [join(ROOT, "tests/fixtures/make-media.sh"), dir], { timeout: 120_000 });
  return dir;
}

/** The media fixtures, and the app launched with its calm screen drawn. */
export async function launchWithFixtures(options = {}) {
  const fixtures = makeFixtures();
  const app = await launch(options);
  await app.waitForText("#about", (t) => t !== "Letdown");
  return { app, fixtures };
}

/** Closes what `launchWithFixtures` started and removes the fixtures. */
export async function closeWithFixtures({ app, fixtures }) {
  await app?.close();
  if (fixtures) rmSync(fixtures, { recursive: true, force: true });
}

/** Runs SQL on a diary file with the sqlite3 shell; returns rows as objects. */
export function query(diary, sql) {
  const out = execFileSync("sqlite3", ["-json", "-readonly", diary, sql], { encoding: "utf8", timeout: 10_000 });
  return out.trim() === "" ? [] : JSON.parse(out);
}

/** Starts Letdown in a fresh, private data folder (or `home`, to relaunch) and returns it once WebDriver has it. */
export async function launch({
  home = mkdtempSync(join(tmpdir(), "letdown-e2e-")),
  env: extraEnv = {},
  welcome = false,
  bin = BIN,
  ready = true,
  args = [],
} = {}) {
  if (!process.env.DISPLAY) throw new Error("no DISPLAY: run the e2e tests through scripts/run-tests.sh");
  const port = await freePort();
  const nativePort = await freePort();
  // XDG_* send the app's data and config folders (Tauri's path API) into `home`.
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    ...extraEnv,
  };
  // The driver's and the app's output go to a log in the data folder: an app
  // that outlived its test must not hold the test runner's output open.
  const log = openSync(join(home, "app.log"), "a");
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor("tauri-driver to listen", async () => (await fetchWithTimeout(`${base}/status`, {}, 2000)).ok);
  const response = await fetchWithTimeout(`${base}/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: bin, args } } },
    }),
  }, 60_000);
  const json = await response.json();
  if (!response.ok) {
    driver.kill("SIGTERM");
    throw new Error(`could not start Letdown through WebDriver: ${json.value?.message}`);
  }
  const app = new App(base, json.value.sessionId, driver, home);
  // `ready: false` is for a page that is not expected to get there.
  if (!ready) return app;
  await waitFor("the calm screen to be ready", async () => app.execute("return document.body.dataset.ready === 'true'"));
  // The first-run welcome is closed (as a parent's "Start using Letdown"
  // does) unless the test is about it.
  if (!welcome) await app.execute("const w = document.getElementById('welcome'); if (w.open) w.close();");
  return app;
}

/** Records what the harness's sound server plays (its null sink's monitor).
 * Resolves once the recording stream is connected; `stop()` gives the samples. */
export async function recordSound() {
  const sink = process.env.LETDOWN_TEST_SINK;
  if (!sink) throw new Error("no LETDOWN_TEST_SINK: run the e2e tests through scripts/run-tests.sh");
  const streams = () => execFileSync("pactl", ["list", "short", "source-outputs"], { encoding: "utf8" }).trim().split("\n").filter(Boolean).length;
  const before = streams();
  const parec = spawn("parec", ["-d", `${sink}.monitor`, "--format=float32le", "--rate=44100", "--channels=1", "--latency-msec=10"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const chunks = [];
  parec.stdout.on("data", (chunk) => chunks.push(chunk));
  await waitFor("the recording to connect", () => streams() > before, { timeoutMs: 5000 });
  const samplesSoFar = () => {
    const bytes = Buffer.concat(chunks);
    return new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
  };
  return {
    /** Level of the last `ms` milliseconds heard: { rms, peak }. */
    latest(ms) {
      const all = samplesSoFar();
      return level(all.subarray(Math.max(0, all.length - Math.round((ms * 44100) / 1000))));
    },
    /** Everything heard so far. */
    samples: samplesSoFar,
    async stop() {
      const ended = new Promise((ok) => parec.once("close", ok));
      parec.kill("SIGINT");
      await ended;
      const bytes = Buffer.concat(chunks);
      const samples = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      return { samples, peak, seconds: samples.length / 44100 };
    },
  };
}

/** RMS and peak of some samples. */
export function level(samples) {
  let sum = 0;
  let peak = 0;
  for (const s of samples) {
    sum += s * s;
    peak = Math.max(peak, Math.abs(s));
  }
  return { rms: samples.length ? Math.sqrt(sum / samples.length) : 0, peak };
}

/** The main frequency of a pure tone, from its rising zero crossings. */
export function toneHz(samples) {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1] < 0 && samples[i] >= 0) crossings++;
  return (crossings * 44100) / samples.length;
}
