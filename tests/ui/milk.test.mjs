// The pump's and the milk's words and numbers (ui/js/milk.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { milkShares, totalOf, stashSummary, portionText, partDueText, settingsText, everyText, useByText, splitSumText } from "../../ui/js/milk.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 8, 0); // Thu 1 Jan 2026, a fixed instant

test("one place takes the whole amount; nothing is said without a place or an amount", () => {
  assert.deepEqual(milkShares({ milk: "freezer", milk_label: " bag 3 " }, 120, "ml"), [{ place: "freezer", amount_ml: 120, label: "bag 3" }]);
  assert.deepEqual(milkShares({ milk: "fed", milk_label: "bag 3" }, 120, "ml"), [{ place: "fed", amount_ml: 120, label: null }]);
  assert.deepEqual(milkShares({ milk: "room", milk_label: "for the 4 pm feed" }, 90, "ml"), [{ place: "room", amount_ml: 90, label: "for the 4 pm feed" }]);
  assert.deepEqual(milkShares({ milk: "" }, 120, "ml"), []);
  assert.deepEqual(milkShares({ milk: "fridge" }, null, "ml"), []);
});

test("a split must add up to what was pumped, in the parent's unit", () => {
  const form = { milk: "split", split_fridge: "40", split_freezer: "60", split_fed: "", split_discarded: "" };
  assert.deepEqual(
    milkShares(form, 100, "ml").map((s) => [s.place, s.amount_ml]),
    [
      ["fridge", 40],
      ["freezer", 60],
    ],
  );
  assert.throws(() => milkShares({ ...form, split_freezer: "50" }, 100, "ml"), /^Error: The split adds up to 90 ml, but you pumped 100 ml\.$/);
  assert.throws(() => milkShares(form, null, "ml"), /Enter how much you pumped/);
  assert.throws(() => milkShares({ ...form, split_fed: "lots" }, 100, "ml"), /Amounts are numbers/);
  // 2 oz + 1.5 oz of a 3.5 oz session: rounding leaves the sum exact.
  const oz = milkShares({ milk: "split", split_fridge: "2", split_freezer: "1,5" }, 103.5, "oz");
  assert.equal(oz.reduce((a, s) => a + s.amount_ml, 0), 103.5);
  assert.equal(totalOf({ amount_total_ml: null, amount_left_ml: 50, amount_right_ml: null }), 50);
  assert.equal(totalOf({ amount_total_ml: null, amount_left_ml: null, amount_right_ml: null }), null);
});

test("the stash's lines: totals, days of supply, what expires soon", () => {
  const stash = { fridge_ml: 130, freezer_ml: 60, expiring: 2, expiring_ml: 130, expired: 1, days_of_supply: 2, daily_need_ml: 95 };
  assert.deepEqual(stashSummary(stash, "ml"), {
    totals: "Fridge 130 ml · Freezer 60 ml · about 2 days at 95 ml a day",
    soon: "130 ml should be used in the next 2 days. One portion is past the use-by date.",
  });
  assert.equal(stashSummary({ ...stash, days_of_supply: null, expiring: 0, expired: 0 }, "oz").totals, "Fridge 4.4 oz · Freezer 2.0 oz");
  assert.equal(stashSummary({ ...stash, room_ml: 90, days_of_supply: null }, "ml").totals, "Fridge 130 ml · Freezer 60 ml · On the counter 90 ml");
  const portion = { place: "freezer", amount_ml: 60, pumped_ms: T0, pumped_offset_min: 60, label: "bag 7", use_by_ms: T0 + 181 * DAY, thawed: false };
  assert.equal(portionText(portion, "ml", T0, 60), "Freezer · 60 ml · pumped Thu 1 Jan · bag 7 · use by Wed 1 Jul 2026");
  const thawed = { ...portion, place: "fridge", thawed: true, use_by_ms: T0 + DAY / 2, label: null };
  assert.equal(portionText(thawed, "ml", T0, 60), "Fridge (thawed) · 60 ml · pumped Thu 1 Jan · use by 21:00");
  // Thawed at 20:00: its 24 hours end tomorrow evening, said as such.
  assert.equal(useByText({ use_by_ms: T0 + DAY - 1000 }, T0 + 60_000, 0), "use by 07:59 tomorrow");
  // Thawed this very millisecond: a whole day, tomorrow at this time.
  assert.equal(useByText({ use_by_ms: T0 + DAY }, T0, 0), "use by 08:00 tomorrow");
  // Months away: with the year.
  assert.equal(useByText({ use_by_ms: T0 + 181 * DAY }, T0, 0), "use by Wed 1 Jul 2026");
  assert.equal(useByText({ use_by_ms: T0 + 10 * DAY }, T0, 0), "use by Sun 11 Jan");
  assert.equal(splitSumText({ split_fridge: "40", split_freezer: "50" }, 100, "ml"), "Adds up to 90 of 100 ml");
  assert.equal(splitSumText({ split_fridge: "4o" }, 100, "ml"), "");
  assert.equal(useByText({ use_by_ms: T0 - 1 }, T0, 0), "past its use-by date");
});

test("a part due and the session's pump settings, in words", () => {
  assert.equal(partDueText([]), "");
  const due = [{ id: 1, name: "Duckbill valves", every_days: 28, pump: "Work pump" }, { id: 2, name: "Membranes", every_days: 28, pump: "Work pump" }];
  assert.equal(partDueText(due), "Time to replace the duckbill valves and membranes of Work pump.");
  assert.equal(partDueText(due.slice(0, 1)), "Time to replace the duckbill valves of Work pump: they are changed every 4 weeks.");
  const two = [...due, { id: 3, name: "Tubing", every_days: 90, pump: "Home pump" }];
  assert.equal(partDueText(two), "Time to replace the duckbill valves and membranes of Work pump and the tubing of Home pump.");
  assert.equal(everyText(7), "every week");
  assert.equal(everyText(90), "every 90 days");
  assert.equal(settingsText({ name: "Work pump", levels: "two" }, { stimulation: 5, expression: 7 }), "Work pump · stimulation 5 · expression 7");
  assert.equal(settingsText({ name: "Hand pump", levels: "one" }, { suction: 3 }), "Hand pump · suction 3");
});
