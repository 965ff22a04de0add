// Words and numbers for the diary: pure, no DOM, so node can test them.
// Amounts are stored in ml; the parent's one unit setting decides what shows.
import { formatClock } from "./format.js";
import { STEP_NAMES, SIDE_NAMES, finishFromForm } from "./view.js";
import { ML_PER_OZ } from "./constants.js";

/** An amount rounded as shown: whole ml, or oz to one decimal (as Rust's `Unit::amount`). */
export function amountIn(ml, unit) {
  if (ml === null || ml === undefined || !Number.isFinite(ml)) return null;
  return unit === "oz" ? Math.round((ml / ML_PER_OZ) * 10) / 10 : Math.round(ml);
}

/** "120 ml" or "4.1 oz"; "–" when not recorded. */
export function formatAmount(ml, unit) {
  const v = amountIn(ml, unit);
  if (v === null) return "–";
  return unit === "oz" ? `${v.toFixed(1)} oz` : `${v} ml`;
}

/** A stored amount as an edit field's starting text, in the parent's unit. */
export function amountField(ml, unit) {
  const v = amountIn(ml, unit);
  return v === null ? "" : String(v);
}

/**
 * The amounts an edit sends (ml), from the three fields as typed. A field left
 * as shown keeps the stored amount exactly (ml → oz → ml would drift by
 * rounding); a total left as shown while a side changed is dropped, so Rust
 * sums the sides again.
 */
export function editedAmounts(fields, stored, unit) {
  const keys = { left: "amount_left_ml", right: "amount_right_ml", total: "amount_total_ml" };
  const typed = finishFromForm({ ...fields, unit });
  const out = {};
  const same = {};
  for (const [field, key] of Object.entries(keys)) {
    same[field] = String(fields[field] ?? "").trim() === amountField(stored[key], unit);
    out[key] = same[field] ? stored[key] ?? null : typed[key];
  }
  if (same.total && (!same.left || !same.right)) out.amount_total_ml = null;
  return out;
}

const pad = (n) => String(n).padStart(2, "0");

/** The wall-clock time an instant had where the parent was: "07:05". */
export function localClock(atMs, offsetMin) {
  const d = new Date(atMs + offsetMin * 60_000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A local date as the diary names it: "YYYY-MM-DD". */
export function isoDay(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function parseDay(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d);
}

/** "Today", "Yesterday", or "Tuesday 3 March" (with the year when it is not this year's). */
export function dayHeading(day, today = new Date()) {
  const todayIso = isoDay(today);
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (day === todayIso) return "Today";
  if (day === isoDay(yesterday)) return "Yesterday";
  const date = parseDay(day);
  const name = `${WEEKDAYS[date.getDay()]} ${date.getDate()} ${MONTHS[date.getMonth()]}`;
  return date.getFullYear() === today.getFullYear() ? name : `${name} ${date.getFullYear()}`;
}

/** The line under a day's heading: "3 sessions · 420 ml". */
export function dayTotalText(total, unit) {
  if (!total) return "";
  const n = total.sessions === 1 ? "1 session" : `${total.sessions} sessions`;
  return `${n} · ${formatAmount(total.total_ml, unit)}`;
}

/** Minutes, short: "22 min". */
export function minutes(ms) {
  return `${Math.max(0, Math.round((ms ?? 0) / 60_000))} min`;
}

/** Everything a session's row in the list says, in order. */
export function rowParts(row, unit) {
  const parts = {
    time: localClock(row.started_ms, row.started_offset_min),
    duration: minutes(row.active_ms),
    amounts:
      row.amount_left_ml !== null || row.amount_right_ml !== null
        ? `L ${formatAmount(row.amount_left_ml, unit)} · R ${formatAmount(row.amount_right_ml, unit)} · ${formatAmount(row.amount_total_ml, unit)}`
        : row.amount_total_ml !== null
          ? formatAmount(row.amount_total_ml, unit)
          : "no amount",
    letdowns: row.letdown_count === 1 ? "1 let-down" : `${row.letdown_count} let-downs`,
    first: row.first_letdown_ms === null ? "" : `first at ${formatClock(row.first_letdown_ms)}`,
    comfort: row.comfort ? `comfort ${row.comfort}/5` : "",
    tags: (row.tags ?? []).join(", "),
  };
  return parts;
}

/**
 * Where things sit on a session's timeline bar, in percent of its running
 * time: the steps as they ran, and each mark.
 */
export function timeline(detail) {
  const total = Math.max(1, detail.active_ms ?? 0, ...detail.steps.map((s) => s.ended_ms));
  const pct = (ms) => Math.round((Math.min(total, Math.max(0, ms)) / total) * 10_000) / 100;
  const from = (detail.factors ?? []).find(([name]) => name === "pump_expression_from_s");
  const switchedAt = from ? from[1] * 1000 : null;
  return {
    steps: detail.steps.map((s) => ({
      kind: s.kind,
      name: STEP_NAMES[s.kind] ?? s.kind,
      left: pct(s.started_ms),
      width: Math.max(0, pct(s.ended_ms) - pct(s.started_ms)),
      label: `${STEP_NAMES[s.kind] ?? s.kind}: ${formatClock(s.started_ms)}–${formatClock(s.ended_ms)}${s.ended === "skipped" ? " (skipped)" : ""}`,
    })),
    marks: detail.marks.map((m) => ({
      seq: m.seq,
      kind: m.kind,
      left: pct(m.active_ms),
      label: m.kind === "let_down" ? `Let-down at ${formatClock(m.active_ms)}` : `${SIDE_NAMES[m.side] ?? "Side"} side from ${formatClock(m.active_ms)}`,
    })),
    // The pump switched from stimulation to expression, when marked.
    switched: switchedAt === null ? null : { left: pct(switchedAt), label: `Pump on expression from ${formatClock(switchedAt)}` },
  };
}

/** "m:ss" or "mm" typed by the parent, as ms of running time; null when unreadable. */
export function parseClock(text) {
  const t = String(text ?? "").trim();
  const m = /^(\d{1,3})(?::([0-5]\d))?$/.exec(t);
  if (!m) return null;
  return (Number(m[1]) * 60 + Number(m[2] ?? 0)) * 1000;
}

function addDays(day, n) {
  const d = parseDay(day);
  d.setDate(d.getDate() + n);
  return isoDay(d);
}

/** The week (Monday to Sunday) or calendar month holding `day`, moved by `step` spans. */
export function span(kind, day, step = 0) {
  const d = parseDay(day);
  if (kind === "week") {
    const monday = addDays(day, -((d.getDay() + 6) % 7) + step * 7);
    return { from: monday, to: addDays(monday, 6) };
  }
  const first = new Date(d.getFullYear(), d.getMonth() + step, 1);
  const last = new Date(first.getFullYear(), first.getMonth() + 1, 0);
  return { from: isoDay(first), to: isoDay(last) };
}

/** "2 – 8 March 2026" or "March 2026". */
export function spanTitle(kind, { from, to }) {
  const a = parseDay(from);
  const b = parseDay(to);
  if (kind === "month") return `${MONTHS[a.getMonth()]} ${a.getFullYear()}`;
  const left = a.getMonth() === b.getMonth() ? `${a.getDate()}` : `${a.getDate()} ${MONTHS[a.getMonth()]}`;
  return `${left} – ${b.getDate()} ${MONTHS[b.getMonth()]} ${b.getFullYear()}`;
}

/** A file name for an export: "letdown-sessions-2026-03-08.csv". */
export function exportName(kind, today) {
  const ext = kind === "report" ? "html" : "csv";
  const name = { sessions: "sessions", marks: "marks", baby_buddy: "baby-buddy-pumping", report: "report", stash: "stash" }[kind];
  return `letdown-${name}-${today}.${ext}`;
}
