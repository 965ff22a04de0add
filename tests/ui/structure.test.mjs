// The UI's shape, read from ui/js/*.js as text: no module holds more than a
// quarter of the UI's lines, modules import each other in no cycle, the
// settings and the diary load on first use, and no state is read back from
// the DOM (it lives in the store; the DOM is only written from it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const DIR = new URL("../../ui/js/", import.meta.url);
const sources = Object.fromEntries(
  readdirSync(DIR)
    .filter((name) => name.endsWith(".js"))
    .map((name) => [name, readFileSync(new URL(name, DIR), "utf8")]),
);

const lineCount = (source) => source.split("\n").length - (source.endsWith("\n") ? 1 : 0);

/** The ui/js modules a source imports: `import … from "./x.js"` (and
 * `export … from`), and `import("./x.js")`. */
function importsOf(source) {
  const names = (pattern) => [...source.matchAll(pattern)].map((m) => m[1]);
  return {
    static: names(/\b(?:import|export)\s+(?:[^;"'`()]*?\bfrom\s*)?["']\.\/([^"']+)["']/g),
    dynamic: names(/\bimport\(\s*["']\.\/([^"']+)["']\s*\)/g),
  };
}

/** A cycle in `graph` (module → modules), as a path, or null. */
function findCycle(graph) {
  const state = new Map(); // "open" while on the path, "done" after
  const path = [];
  const visit = (node) => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph[node] ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of Object.keys(graph)) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/** Every module `from` loads before its code runs (static imports only). */
function staticClosure(from) {
  const seen = new Set();
  const walk = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    importsOf(sources[name] ?? "").static.forEach(walk);
  };
  walk(from);
  return seen;
}

/** The `data-*` names the UI writes (camelCase, as `dataset` spells them). */
function writtenDataNames(all) {
  const names = new Set();
  for (const source of all) {
    for (const m of source.matchAll(/\bdataset\.(\w+)\s*=(?!=)/g)) names.add(m[1]);
    for (const m of source.matchAll(/["']data-([\w-]+)["']\s*[:,]/g)) names.add(m[1].replace(/-(\w)/g, (_, c) => c.toUpperCase()));
  }
  return names;
}

/** Lines that read UI state back from the DOM: `.hidden` or a dialog's
 * `.open` read, a `data-*` the UI itself writes read back, an ARIA state,
 * a class or an `[open]`/`[hidden]`/`:checked` selector asked about. */
function domReads(source, written) {
  const found = [];
  source.split("\n").forEach((text, i) => {
    const code = text.trim();
    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return;
    const reads = [
      /\.hidden\b(?!\s*=(?!=))/.test(code),
      /\.open\b(?!\s*=(?!=)|\s*\()/.test(code),
      [...code.matchAll(/(delete\s+)?[\w$.()"'[\]]*\bdataset\.(\w+)\b(?!\s*=(?!=))/g)].some((m) => !m[1] && written.has(m[2])),
      /\bin\s+[\w$.()"']*\bdataset\b|\bdataset\[/.test(code),
      /\b(?:get|has)Attribute\(\s*["'](?:aria-(?:pressed|selected|expanded|checked|current)|hidden|open|data-[\w-]+)["']/.test(code),
      /\bclassList\.contains\(/.test(code),
      /querySelector(?:All)?\([^)]*(?:\[open\]|\[hidden\]|:checked|\[aria-(?:pressed|selected|expanded)\b)/.test(code),
    ];
    if (reads.some(Boolean)) found.push(`${i + 1}: ${code}`);
  });
  return found;
}

test("no UI module holds more than a quarter of the UI's lines", () => {
  const lines = Object.fromEntries(Object.entries(sources).map(([name, source]) => [name, lineCount(source)]));
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  for (const [name, n] of Object.entries(lines)) {
    assert.ok(n <= total / 4, `${name} has ${n} of the UI's ${total} lines (${Math.round((100 * n) / total)} %)`);
  }
});

test("no import cycle among the UI's modules, dynamic imports counted", () => {
  const graph = {};
  for (const [name, source] of Object.entries(sources)) {
    const { static: fixed, dynamic } = importsOf(source);
    for (const target of [...fixed, ...dynamic]) assert.ok(target in sources, `${name} imports ./${target}, which is not in ui/js`);
    graph[name] = [...fixed, ...dynamic];
  }
  assert.equal(findCycle(graph), null);
});

test("the settings and the diary load on first use; index.html preloads what the first paint needs", () => {
  const first = staticClosure("main.js");
  for (const lazy of ["settings.js", "diary.js"]) {
    assert.ok(!first.has(lazy), `${lazy} is loaded before the first paint`);
    assert.ok(importsOf(sources["main.js"]).dynamic.includes(lazy), `main.js loads ${lazy} with import()`);
  }
  const html = readFileSync(new URL("../../ui/index.html", import.meta.url), "utf8");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="js\/([^"]+)"/g)].map((m) => m[1]);
  first.delete("main.js");
  assert.deepEqual(preloaded.sort(), [...first].sort());
});

test("no UI state is read back from the DOM", () => {
  const written = writtenDataNames(Object.values(sources));
  for (const [name, source] of Object.entries(sources)) {
    assert.deepEqual(domReads(source, written), [], `${name} reads state from the DOM`);
  }
});

test("the checks find what they look for", () => {
  // Each of these read state from the DOM in main.js before the store.
  const written = new Set(["breathing", "discreet", "url", "photo"]);
  for (const line of [
    'const finishing = !$("finish").hidden;',
    'const settingsOpen = () => $("settings").open;',
    'if (document.querySelector("dialog[open]")) return;',
    'const on = document.body.dataset.breathing !== "on";',
    "if (typing || document.body.dataset.discreet) return;",
    'const play = $("preview").getAttribute("aria-pressed") !== "true";',
    "if (photo.dataset.url === url) return;",
    '(on ? $("discreet-off") : $("active").hidden ? $("start") : $("discreet")).focus();',
    'starting: "starting" in document.body.dataset,',
  ]) {
    assert.equal(domReads(line, written).length, 1, line);
  }
  // Writes, a markup attribute no code writes, and a file dialog are not reads.
  for (const line of [
    '$("finish").hidden = true;',
    "$(\"finish\").hidden = idle || !finishing;",
    "document.body.dataset.mode = view.mode;",
    "delete document.body.dataset.finishing;",
    'button.addEventListener("click", () => intent({ kind: button.dataset.intent }));',
    "return tauri().dialog.open({ title, multiple: false });",
  ]) {
    assert.deepEqual(domReads(line, written), [], line);
  }
  assert.deepEqual(importsOf('import { a,\n  b } from "./view.js";\nimport * as ipc from "./ipc.js";\nimport("./diary.js");'), {
    static: ["view.js", "ipc.js"],
    dynamic: ["diary.js"],
  });
  assert.deepEqual(findCycle({ "a.js": ["b.js"], "b.js": ["c.js"], "c.js": ["a.js"] }), ["a.js", "b.js", "c.js", "a.js"]);
  assert.equal(findCycle({ "a.js": ["b.js", "c.js"], "b.js": ["c.js"], "c.js": [] }), null);
});
