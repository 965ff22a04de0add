// The diary: days newest first (paged as the parent scrolls), one session's
// timeline and edits, week and month charts, exports and the report.
// Charts and the report arrive from Rust as SVG/HTML built from escaped text.
import * as ipc from "./ipc.js";
import { notice } from "./notice.js";
import { finishFromForm } from "./view.js";
import { setupStash } from "./stash.js";
import { PLACE_NAMES, settingsText } from "./milk.js";
import {
  amountField,
  formatAmount,
  editedAmounts,
  dayHeading,
  dayTotalText,
  exportName,
  isoDay,
  localClock,
  minutes,
  parseClock,
  rowParts,
  span,
  spanTitle,
  timeline,
} from "./history.js";

const $ = (id) => document.getElementById(id);

// The report's style sheet is needed only here: linked as the diary first
// opens, it is one file fewer on the way to the calm screen's first paint.
document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: "css/report.css" }));

let store = null; // the calm screen's: the unit and which dialog is open
let setUnit = null;
// The diary's own message line (the window behind a modal dialog is inert).
let notify = null;
let attempt = null;
let filter = {};
let next = null;
let loading = false;
let totals = new Map();
let groups = new Map(); // each day's section in the list
let rows = 0; // sessions listed
let panel = "days"; // "days", "detail", "week", "month", "works", "stash" or "report"
let detail = null;
let removed = new Set();
let chartKind = "week";
let chartDay = null;
let lastDeleted = null;
let stash = null; // the Stash view (stash.js)

const unit = () => store.get().prefs?.unit ?? "ml";

const today = () => isoDay(new Date());

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== ""));
  return node;
}

// --- the list -------------------------------------------------------------

function dayGroup(day) {
  let group = groups.get(day);
  if (group) return group;
  const heading = el("h3", { class: "day-head" }, el("span", {}, dayHeading(day)), el("span", { class: "day-total" }));
  group = el("section", { class: "day", "data-day": day, "aria-label": dayHeading(day) }, heading, el("ul", { class: "rows" }));
  groups.set(day, group);
  $("diary-list").append(group);
  return group;
}

function paintTotals() {
  for (const [day, group] of groups) {
    group.querySelector(".day-total").textContent = dayTotalText(totals.get(day), unit());
  }
}

function rowItem(row) {
  const p = rowParts(row, unit());
  // The visible parts are the button's name; hidden commas keep them apart when read aloud.
  const part = (cls, text) => text && el("span", { class: cls }, text, el("span", { class: "sr" }, ", "));
  const button = el(
    "button",
    { type: "button", class: "session-row", "data-id": String(row.id) },
    part("time", p.time),
    part("dur", p.duration),
    part("amounts", p.amounts),
    part("lds", [p.letdowns, p.first].filter(Boolean).join(", ")),
    part("comfort", p.comfort) || el("span"),
    part("tags", p.tags) || el("span"),
  );
  button.addEventListener("click", () => openDetail(row.id));
  return el("li", {}, button);
}

async function loadMore() {
  if (loading || next === undefined) return;
  loading = true;
  const page = await attempt(() => ipc.call("diary_page", { filter, after: next }));
  loading = false;
  if (!page) return;
  for (const t of page.days) totals.set(t.day, t);
  for (const row of page.rows) dayGroup(row.day).querySelector(".rows").append(rowItem(row));
  rows += page.rows.length;
  paintTotals();
  next = page.next ?? undefined;
  $("diary-empty").hidden = rows > 0;
  $("diary-more").textContent = next === undefined ? "" : "More as you scroll…";
  $("diary-list").dataset.loaded = String(rows);
  // Keep filling until the list can scroll, so the observer has something to watch.
  const list = $("diary-days");
  if (next !== undefined && list.scrollHeight <= list.clientHeight + 40) loadMore();
}

export async function reloadList() {
  $("diary-list").replaceChildren();
  totals = new Map();
  groups = new Map();
  rows = 0;
  next = null;
  await loadMore();
}

function readFilter() {
  filter = {
    from: $("filter-from").value || null,
    to: $("filter-to").value || null,
    tag: $("filter-tag").value || null,
  };
  reloadList();
}

async function loadTags() {
  const tags = (await attempt(() => ipc.call("diary_tags"))) ?? [];
  const select = $("filter-tag");
  const keep = select.value;
  select.replaceChildren(el("option", { value: "" }, "any"), ...tags.map((t) => el("option", { value: t }, t)));
  select.value = tags.includes(keep) ? keep : "";
}

// --- one session ------------------------------------------------------------

function paintDetail() {
  const d = detail;
  const u = unit();
  $("detail-title").textContent = `${dayHeading(d.day)}, ${localClock(d.started_ms, d.started_offset_min)}`;
  $("detail-sub").textContent = `${d.routine_name} · ${minutes(d.active_ms)} · ${rowParts(d, u).letdowns}`;
  const t = timeline(d);
  const bar = $("timeline");
  bar.replaceChildren(
    ...t.steps.map((s) =>
      el("span", { class: `seg ${s.kind}`, title: s.label, role: "img", "aria-label": s.label }, s.name),
    ),
    ...t.marks.map((m) => el("span", { class: `mark ${m.kind}`, title: m.label, role: "img", "aria-label": m.label })),
  );
  // Positions are set through the CSSOM (allowed by the CSP), not style attributes.
  [...bar.querySelectorAll(".seg")].forEach((node, i) => {
    node.style.left = `${t.steps[i].left}%`;
    node.style.width = `${t.steps[i].width}%`;
  });
  [...bar.querySelectorAll(".mark")].forEach((node, i) => (node.style.left = `${t.marks[i].left}%`));
  if (t.switched) {
    const node = el("span", { class: "mark expression", title: t.switched.label, role: "img", "aria-label": t.switched.label });
    node.style.left = `${t.switched.left}%`;
    bar.append(node);
  }
  $("detail-notes").replaceChildren(...d.notes.map((n) => el("li", {}, n)));
  $("detail-pump").textContent = pumpLine(d);
  $("detail-pump").hidden = !$("detail-pump").textContent;
  $("delete-milk").hidden = true;
  $("edit-left").value = amountField(d.amount_left_ml, u);
  $("edit-right").value = amountField(d.amount_right_ml, u);
  $("edit-total").value = amountField(d.amount_total_ml, u);
  $("edit-unit").textContent = u;
  $("edit-comfort").value = d.comfort ? String(d.comfort) : "";
  $("edit-tags").value = d.tags.join(", ");
  $("edit-note").value = d.note ?? "";
  $("add-letdown").value = "";
  removed = new Set();
  $("edit-marks").replaceChildren(
    ...t.marks.map((m) => {
      const box = el("input", { type: "checkbox", checked: true });
      box.addEventListener("change", () => (box.checked ? removed.delete(m.seq) : removed.add(m.seq)));
      return el("li", {}, el("label", {}, box, ` ${m.label}`));
    }),
  );
  if (!t.marks.length) $("edit-marks").append(el("li", { class: "hint" }, "No marks in this session."));
}

/** The session's pump settings and where its milk went, in a line. */
function pumpLine(d) {
  const factor = (name) => d.factors.find(([n]) => n === name)?.[1] ?? null;
  const parts = [];
  const pumpId = factor("pump");
  if (pumpId !== null) {
    const settings = { stimulation: factor("pump_stimulation"), expression: factor("pump_expression"), suction: factor("pump_suction") };
    const pump = { name: d.pump_name ?? "Pump", levels: settings.suction ? "one" : "two" };
    parts.push(settingsText(pump, settings));
  }
  const breathing = factor("breathing_min");
  if (breathing >= 1) parts.push(`breathing guide ${Math.round(breathing)} min`);
  const milk = d.milk.map((m) => `${PLACE_NAMES[m.place].toLowerCase()} ${formatAmount(m.amount_ml, unit())}`);
  if (milk.length) parts.push(`milk: ${milk.join(", ")}`);
  return parts.join(" · ");
}

async function openDetail(id) {
  const found = await attempt(() => ipc.call("session_detail", { id }));
  if (!found) return;
  detail = found;
  paintDetail();
  panel = "detail";
  $("diary-days").hidden = true;
  $("diary-detail").hidden = false;
  $("detail-back").focus();
}

function backToList(focusId) {
  panel = "days";
  $("diary-detail").hidden = true;
  $("diary-days").hidden = false;
  const row = focusId && document.querySelector(`.session-row[data-id="${focusId}"]`);
  (row || $("tab-days")).focus();
}

async function saveDetail(event) {
  event.preventDefault();
  let finish;
  try {
    const fields = { left: $("edit-left").value, right: $("edit-right").value, total: $("edit-total").value };
    finish = {
      ...finishFromForm({
        unit: unit(),
        comfort: $("edit-comfort").value,
        tags: $("edit-tags").value,
        note: $("edit-note").value,
      }),
      ...editedAmounts(fields, detail, unit()),
    };
  } catch (error) {
    notify(error.message);
    return;
  }
  const add = [];
  const typed = $("add-letdown").value.trim();
  if (typed) {
    const at = parseClock(typed);
    if (at === null) {
      notify("Type the let-down's time into the session as minutes and seconds, like 4:30.");
      return;
    }
    add.push(at);
  }
  const edit = { finish, remove_marks: [...removed], add_letdowns: add };
  const saved = await attempt(() => ipc.call("edit_session", { id: detail.id, edit }));
  if (!saved) return;
  detail = saved;
  paintDetail();
  notify("Changes saved.");
  await reloadList();
  loadTags();
}

/** A session whose milk is still in the stash asks what becomes of it first. */
function askDelete() {
  const stored = detail.milk.filter((m) => (m.place === "fridge" || m.place === "freezer") && !m.used_how);
  if (!stored.length) return deleteDetail();
  const ml = stored.reduce((a, m) => a + m.amount_ml, 0);
  $("delete-milk-text").textContent = `${formatAmount(ml, unit())} of this session's milk is in the stash. What should happen to it?`;
  $("delete-milk").hidden = false;
  $("delete-keep").focus();
}

async function deleteDetail(milk = "keep") {
  $("delete-milk").hidden = true;
  const id = detail.id;
  const done = await attempt(() => ipc.call("delete_session", { id, milk }).then(() => true));
  if (!done) return;
  lastDeleted = id;
  await reloadList();
  backToList(null);
  notify("Session deleted.", { undo: undoDelete, forMs: 20000 });
}

async function undoDelete() {
  if (lastDeleted === null) return;
  const id = lastDeleted;
  const done = await attempt(() => ipc.call("undelete_session", { id }).then(() => true));
  if (!done) return;
  lastDeleted = null;
  notify("The session is back in your diary.");
  await reloadList();
  document.querySelector(`.session-row[data-id="${id}"]`)?.focus();
}

// --- charts -----------------------------------------------------------------

async function paintCharts() {
  const range = span(chartKind, chartDay);
  $("span-title").textContent = spanTitle(chartKind, range);
  // A number read from the charts before is not on the ones coming.
  $("chart-readout").textContent = READOUT_HINT;
  const charts = await attempt(() => ipc.call("diary_charts", range));
  if (!charts) return;
  $("chart-volume").innerHTML = charts.daily_volume;
  $("chart-first").innerHTML = charts.first_letdown;
  $("chart-letdowns").innerHTML = charts.letdowns;
  $("chart-intervals").innerHTML = charts.intervals;
  $("span-next").disabled = range.to >= today();
}

const READOUT_HINT = "Hover over or move to a bar or dot to read its number.";

function readout(event) {
  const label = event.target.closest?.("[aria-label][tabindex]")?.getAttribute("aria-label");
  if (label) $("chart-readout").textContent = label;
}

// --- what works for you --------------------------------------------------------

/** An SVG drawing from Rust (built from escaped text) inside a figure. */
function picture(svg) {
  const figure = el("figure", { class: "works-picture" });
  figure.innerHTML = svg;
  return figure;
}

let worksAsked = 0;
async function paintWorks() {
  const asked = ++worksAsked;
  const view = await attempt(() => ipc.call("diary_insights", { weeks: Number($("works-weeks").value) }));
  // A later choice of weeks has been asked for: its answer is the one to show.
  if (!view || asked !== worksAsked) return;
  const findings = view.findings.map((f) =>
    el("li", { class: "finding", "data-key": f.key }, el("p", {}, el("span", { class: `sureness ${f.sureness}` }, f.sureness === "clear" ? "Clear" : "Maybe"), " ", f.sentence), picture(f.picture)),
  );
  const none = view.too_early ?? "No clear difference yet between sessions with and without any of the things Letdown records. Each session you save adds to the comparison.";
  const waiting = view.waiting.map((w) => el("li", {}, w.sentence));
  $("works-view").replaceChildren(
    el("h3", {}, "When your let-downs come"),
    el("p", { id: "works-pattern" }, view.pattern_sentence),
    view.pattern_picture ? picture(view.pattern_picture) : null,
    el("h3", {}, "What went with a sooner let-down or more milk"),
    findings.length ? el("ul", { id: "works-findings", class: "findings" }, ...findings) : el("p", { id: "works-none" }, none),
    waiting.length ? el("details", { class: "waiting" }, el("summary", {}, `Not clear yet (${waiting.length})`), el("ul", {}, ...waiting)) : null,
    el(
      "p",
      { class: "hint" },
      `${view.sessions} sessions in these weeks. Sessions are compared with others at the same time of day, and a finding is said only when it stays clear after allowing for everything compared at once. “Clear” is very unlikely to be chance, “maybe” less so. These are things that went together in your sessions, not proof of what causes what.`,
    ),
  );
}

// --- report and exports -----------------------------------------------------

async function paintReport() {
  const report = await attempt(() => ipc.call("diary_report", { to: today(), days: Number($("report-days").value) }));
  if (report) $("report-view").innerHTML = `<div class="report">${report.body}</div>`;
}

/** Asks where to save (the system dialog asks before replacing a file), then writes. */
async function exportTo(payload, title) {
  const name = exportName(payload.kind, today());
  const ext = name.split(".").pop();
  const path = await attempt(() => ipc.saveFile(title, name, ext));
  if (!path) return;
  // The save dialog has already asked whether to replace an existing file
  // (GTK's overwrite confirmation, and the Windows and macOS save panels).
  const done = await attempt(() => ipc.call("export_diary", { export: payload, path, replace: true }).then(() => true));
  if (done) notify(`Saved ${path.split(/[\\/]/).pop()}.`);
}

// --- the dialog ---------------------------------------------------------------

function show(tab) {
  for (const name of TABS) {
    $(`tab-${name}`).setAttribute("aria-selected", String(name === tab));
  }
  panel = tab;
  $("diary-days").hidden = tab !== "days";
  $("diary-detail").hidden = true;
  $("diary-charts").hidden = tab !== "week" && tab !== "month";
  $("diary-report").hidden = tab !== "report";
  $("diary-works").hidden = tab !== "works";
  document.body.dataset.diaryTab = tab;
  if (tab === "week" || tab === "month") {
    chartKind = tab;
    $("diary-charts").setAttribute("aria-labelledby", `tab-${tab}`);
    paintCharts();
  }
  $("diary-stash").hidden = tab !== "stash";
  if (tab === "report") paintReport();
  if (tab === "works") paintWorks();
  if (tab === "stash") stash.load();
}

const TABS = ["days", "week", "month", "works", "stash", "report"];

export async function openDiary() {
  store.set({ dialog: "diary" });
  $("diary-unit").value = unit();
  show("days");
  chartDay = today();
  await Promise.all([reloadList(), loadTags()]);
  $("tab-days").focus();
}

/** Units changed (here or in settings): everything shown in ml/oz is drawn again. */
function unitChanged() {
  if (store.get().dialog !== "diary") return;
  $("diary-unit").value = unit();
  reloadList();
  if (panel === "detail" && detail) paintDetail();
  if (panel === "week" || panel === "month") paintCharts();
  if (panel === "report") paintReport();
  if (panel === "works") paintWorks();
  if (panel === "stash") stash.paint();
}

/** Wires the diary to the calm screen's store; `setUnit` saves the unit chosen here. */
export function setupDiary(hooks) {
  ({ store, setUnit } = hooks);
  store.subscribe((state, before) => before.prefs && state.prefs?.unit !== before.prefs.unit && unitChanged());
  ({ show: notify, attempt } = notice({ box: "diary-notice", text: "diary-notice-text", undo: "diary-undo" }));
  stash = setupStash({ el, unit, notify, attempt, store });
  $("stash-need").addEventListener("submit", stash.saveNeed);
  $("export-stash").addEventListener("click", () => exportTo({ kind: "stash" }, "Export the stash"));
  $("diary-close").addEventListener("click", () => $("diary").close());
  for (const name of TABS) $(`tab-${name}`).addEventListener("click", () => show(name));
  $("diary").querySelector(".tabs").addEventListener("keydown", (event) => {
    const tabs = [...event.currentTarget.querySelectorAll("[role=tab]")];
    const at = tabs.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (at < 0 || !step) return;
    event.preventDefault();
    const to = tabs[(at + step + tabs.length) % tabs.length];
    to.focus();
    to.click();
  });
  for (const id of ["filter-from", "filter-to", "filter-tag"]) $(id).addEventListener("change", readFilter);
  $("diary-filter").addEventListener("submit", (e) => e.preventDefault());
  $("filter-clear").addEventListener("click", () => {
    $("filter-from").value = "";
    $("filter-to").value = "";
    $("filter-tag").value = "";
    readFilter();
  });
  new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { root: $("diary-days") }).observe($("diary-more"));
  $("detail-back").addEventListener("click", () => backToList(detail?.id));
  $("detail-form").addEventListener("submit", saveDetail);
  $("detail-delete").addEventListener("click", askDelete);
  $("delete-keep").addEventListener("click", () => deleteDetail("keep"));
  $("delete-remove").addEventListener("click", () => deleteDetail("remove"));
  $("delete-cancel").addEventListener("click", () => {
    $("delete-milk").hidden = true;
    $("detail-delete").focus();
  });
  $("span-prev").addEventListener("click", () => {
    chartDay = span(chartKind, chartDay, -1).from;
    paintCharts();
  });
  $("span-next").addEventListener("click", () => {
    chartDay = span(chartKind, chartDay, 1).from;
    paintCharts();
  });
  for (const type of ["focusin", "mouseover"]) $("diary-charts").addEventListener(type, readout);
  $("report-days").addEventListener("change", paintReport);
  $("works-weeks").addEventListener("change", paintWorks);
  $("report-print").addEventListener("click", () => attempt(() => ipc.call("print_report")));
  $("report-save").addEventListener("click", () =>
    exportTo({ kind: "report", to: today(), days: Number($("report-days").value) }, "Save the report"),
  );
  $("export-sessions").addEventListener("click", () => exportTo({ kind: "sessions", filter }, "Export sessions"));
  $("export-marks").addEventListener("click", () => exportTo({ kind: "marks", filter }, "Export marks"));
  $("export-bb").addEventListener("click", () => {
    $("bb-ask").hidden = false;
    $("bb-child").focus();
  });
  $("bb-save").addEventListener("click", () => {
    const childId = Number($("bb-child").value.trim());
    if (!Number.isInteger(childId) || childId < 1) {
      notify("Baby Buddy's child number is a whole number, like 1. It is on the child's page in Baby Buddy.");
      $("bb-child").focus();
      return;
    }
    exportTo({ kind: "baby_buddy", filter, child_id: childId }, "Export for Baby Buddy");
  });
  $("diary").addEventListener("close", () => delete document.body.dataset.diaryTab);
  $("diary-unit").addEventListener("change", () => setUnit($("diary-unit").value));
}

