// The diary's words and numbers: units and rounding, day names, rows, the
// timeline's geometry, typed times and the week/month spans.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  amountIn,
  formatAmount,
  amountField,
  localClock,
  dayHeading,
  dayTotalText,
  rowParts,
  timeline,
  parseClock,
  span,
  spanTitle,
  exportName,
  editedAmounts,
} from "../../ui/js/history.js";

test("amounts: whole ml, oz to one decimal, nothing recorded is a dash", () => {
  assert.equal(formatAmount(120.4, "ml"), "120 ml");
  assert.equal(formatAmount(120, "oz"), "4.1 oz");
  assert.equal(formatAmount(29.5735295625, "oz"), "1.0 oz");
  assert.equal(formatAmount(null, "oz"), "–");
  assert.equal(amountIn(150, "oz"), 5.1);
  assert.equal(amountField(null, "ml"), "");
  assert.equal(amountField(88.6, "ml"), "89");
});

test("local times use the offset the session was recorded under", () => {
  const at = Date.UTC(2026, 2, 1, 22, 30);
  assert.equal(localClock(at, 60), "23:30");
  assert.equal(localClock(at, -300), "17:30");
});

test("days are Today, Yesterday, then dates", () => {
  const today = new Date(2026, 2, 10, 9, 0);
  assert.equal(dayHeading("2026-03-10", today), "Today");
  assert.equal(dayHeading("2026-03-09", today), "Yesterday");
  assert.equal(dayHeading("2026-03-03", today), "Tuesday 3 March");
  assert.equal(dayHeading("2025-12-31", today), "Wednesday 31 December 2025");
  assert.equal(dayTotalText({ sessions: 1, total_ml: 90 }, "ml"), "1 session · 90 ml");
  assert.equal(dayTotalText({ sessions: 3, total_ml: 420 }, "oz"), "3 sessions · 14.2 oz");
});

test("a row says time, length, amounts per side, let-downs, comfort and tags", () => {
  const row = {
    started_ms: Date.UTC(2026, 2, 1, 6, 5),
    started_offset_min: 60,
    active_ms: 22 * 60_000,
    amount_left_ml: 50,
    amount_right_ml: 40,
    amount_total_ml: 90,
    letdown_count: 2,
    first_letdown_ms: 150_000,
    comfort: 4,
    tags: ["work", "calm"],
  };
  assert.deepEqual(rowParts(row, "ml"), {
    time: "07:05",
    duration: "22 min",
    amounts: "L 50 ml · R 40 ml · 90 ml",
    letdowns: "2 let-downs",
    first: "first at 02:30",
    comfort: "comfort 4/5",
    tags: "work, calm",
  });
  const bare = rowParts({ ...row, amount_left_ml: null, amount_right_ml: null, amount_total_ml: null, letdown_count: 1, first_letdown_ms: null, comfort: null, tags: [] }, "oz");
  assert.equal(bare.amounts, "no amount");
  assert.equal(bare.letdowns, "1 let-down");
  assert.equal(bare.first, "");
});

test("the timeline places steps and marks in percent of the session", () => {
  const t = timeline({
    active_ms: 20 * 60_000,
    steps: [
      { kind: "warm_up", started_ms: 0, ended_ms: 5 * 60_000, ended: "finished" },
      { kind: "pump", started_ms: 5 * 60_000, ended_ms: 20 * 60_000, ended: "skipped" },
    ],
    marks: [
      { seq: 3, kind: "let_down", side: null, active_ms: 10 * 60_000 },
      { seq: 4, kind: "side", side: "right", active_ms: 15 * 60_000 },
    ],
  });
  assert.deepEqual(t.steps.map((s) => [s.left, s.width]), [[0, 25], [25, 75]]);
  assert.equal(t.steps[1].label, "Pumping: 05:00–20:00 (skipped)");
  assert.deepEqual(t.marks.map((m) => [m.seq, m.left, m.label]), [
    [3, 50, "Let-down at 10:00"],
    [4, 75, "Right side from 15:00"],
  ]);
});

test("typed times into the session: m:ss or minutes", () => {
  assert.equal(parseClock("4:30"), 270_000);
  assert.equal(parseClock(" 12 "), 720_000);
  for (const bad of ["", "4:75", "-1", "four", "1:2:3"]) assert.equal(parseClock(bad), null, bad);
});

test("week and month spans, moved back and forth", () => {
  assert.deepEqual(span("week", "2026-03-04"), { from: "2026-03-02", to: "2026-03-08" });
  assert.deepEqual(span("week", "2026-03-08", -1), { from: "2026-02-23", to: "2026-03-01" });
  assert.deepEqual(span("month", "2026-02-14"), { from: "2026-02-01", to: "2026-02-28" });
  assert.deepEqual(span("month", "2026-01-31", -1), { from: "2025-12-01", to: "2025-12-31" });
  assert.equal(spanTitle("month", { from: "2026-02-01", to: "2026-02-28" }), "February 2026");
  assert.equal(spanTitle("week", { from: "2026-02-23", to: "2026-03-01" }), "23 February – 1 March 2026");
  assert.equal(exportName("baby_buddy", "2026-03-08"), "letdown-baby-buddy-pumping-2026-03-08.csv");
  assert.equal(exportName("report", "2026-03-08"), "letdown-report-2026-03-08.html");
});

test("an edit keeps amounts left as shown exactly, so oz never drifts them", () => {
  const stored = { amount_left_ml: 75, amount_right_ml: 40, amount_total_ml: 115 };
  const shown = { left: "2.5", right: "1.4", total: "3.9" };
  assert.deepEqual(editedAmounts(shown, stored, "oz"), stored);
  // One side changed: it is converted, the other kept, the total summed again by Rust.
  assert.deepEqual(editedAmounts({ ...shown, left: "3" }, stored, "oz"), {
    amount_left_ml: 88.7,
    amount_right_ml: 40,
    amount_total_ml: null,
  });
  // A total typed anew is the parent's own.
  assert.equal(editedAmounts({ left: "75", right: "40", total: "120" }, stored, "ml").amount_total_ml, 120);
  assert.equal(editedAmounts({ left: "", right: "40", total: "115" }, stored, "ml").amount_left_ml, null);
  assert.throws(() => editedAmounts({ ...shown, right: "lots" }, stored, "oz"), /numbers/);
});
