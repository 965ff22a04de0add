// Words and numbers for the pump and the milk: pure, no DOM, so node can test
// them. Amounts are stored in ml and shown in the parent's unit.
import { ML_PER_OZ } from "./constants.js";
import { formatAmount } from "./history.js";

/** Where a split can send the milk (a bottle left out is one whole choice). */
export const PLACES = ["fridge", "freezer", "fed", "discarded"];
export const PLACE_NAMES = { fridge: "Fridge", freezer: "Freezer", room: "On the counter", fed: "Fed now", discarded: "Discarded" };
const STORED = ["fridge", "freezer", "room"];
const DAY_MS = 86_400_000;

/** A typed amount in ml: empty is 0 in a split; a bad one says so. */
function typedMl(text, unit) {
  const t = String(text ?? "").trim().replace(",", ".");
  if (t === "") return 0;
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0) throw new Error("Amounts are numbers, like 60 or 2.5.");
  return unit === "oz" ? Math.round(n * ML_PER_OZ * 10) / 10 : n;
}

/**
 * Where the milk went, as `finish_session` takes it, from the finish sheet's
 * fields: `milk` (a place or "split"), `split_<place>` and `milk_label`.
 * `totalMl` is the session's amount (null when none was typed). Nothing is
 * said when no place is chosen, or when there is no amount to place.
 */
export function milkShares(form, totalMl, unit) {
  const choice = form.milk ?? "";
  const label = String(form.milk_label ?? "").trim() || null;
  const withLabel = (place) => (STORED.includes(place) ? label : null);
  if (!choice) return [];
  if (choice !== "split") {
    if (!(totalMl > 0)) return [];
    return [{ place: choice, amount_ml: totalMl, label: withLabel(choice) }];
  }
  if (!(totalMl > 0)) throw new Error("Enter how much you pumped, then how to split it.");
  const shares = PLACES.map((place) => ({ place, amount_ml: typedMl(form[`split_${place}`], unit), label: withLabel(place) })).filter(
    (s) => s.amount_ml > 0,
  );
  const sum = shares.reduce((a, s) => a + s.amount_ml, 0);
  if (Math.abs(sum - totalMl) > 0.5) {
    throw new Error(`The split adds up to ${formatAmount(sum, unit)}, but you pumped ${formatAmount(totalMl, unit)}.`);
  }
  // Rounding in oz must not leave a split a tenth of a ml off the total.
  if (shares.length) shares[0].amount_ml = Math.round((shares[0].amount_ml + totalMl - sum) * 10) / 10;
  return shares;
}

/** The session's amount as Rust will keep it: the total, or the sides' sum. */
export function totalOf(finish) {
  if (finish.amount_total_ml !== null && finish.amount_total_ml !== undefined) return finish.amount_total_ml;
  if (finish.amount_left_ml === null && finish.amount_right_ml === null) return null;
  return (finish.amount_left_ml ?? 0) + (finish.amount_right_ml ?? 0);
}

const SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SHORT_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "Thu 1 Jan" for an instant, on the wall clock where the parent was. */
export function shortDate(atMs, offsetMin) {
  const d = new Date(atMs + offsetMin * 60_000);
  return `${SHORT_DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${SHORT_MONTHS[d.getUTCMonth()]}`;
}

/** "17:50" on the wall clock where the parent is. */
function clock(atMs, offsetMin) {
  const d = new Date(atMs + offsetMin * 60_000);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/** A use-by date, calmly: "use by Thu 5 Jan" (with the year when it is months
 * away), "use by 17:50" within the day, "past its use-by date". */
export function useByText(portion, nowMs, offsetMin) {
  const at = portion.use_by_ms;
  if (at === null || at === undefined) return "";
  if (at <= nowMs) return "past its use-by date";
  // Thawed milk has exactly a day: "use by 06:12 tomorrow", however soon it is asked.
  if (at - nowMs <= DAY_MS) return `use by ${clock(at, offsetMin)}${at - nowMs > DAY_MS / 2 && clock(at, offsetMin) <= clock(nowMs, offsetMin) ? " tomorrow" : ""}`;
  const year = at - nowMs > 90 * DAY_MS ? ` ${new Date(at + offsetMin * 60_000).getUTCFullYear()}` : "";
  return `use by ${shortDate(at, offsetMin)}${year}`;
}

/** The split's running sum: "Adds up to 90 of 100 ml". */
export function splitSumText(form, totalMl, unit) {
  let sum = 0;
  for (const place of PLACES) {
    try {
      sum += typedMl(form[`split_${place}`], unit);
    } catch {
      return "";
    }
  }
  if (!(totalMl > 0)) return "";
  const of = formatAmount(totalMl, unit);
  return `Adds up to ${formatAmount(sum, unit).replace(/ (ml|oz)$/, "")} of ${of}`;
}

/** One line of the stash list. */
export function portionText(portion, unit, nowMs, offsetMin) {
  const place = portion.thawed ? "Fridge (thawed)" : PLACE_NAMES[portion.place];
  const label = portion.label ? ` · ${portion.label}` : "";
  return `${place} · ${formatAmount(portion.amount_ml, unit)} · pumped ${shortDate(portion.pumped_ms, portion.pumped_offset_min)}${label} · ${useByText(portion, nowMs, offsetMin)}`;
}

/** The stash's first lines: totals with days of supply, and what expires soon. */
export function stashSummary(stash, unit) {
  const counter = stash.room_ml > 0 ? ` · On the counter ${formatAmount(stash.room_ml, unit)}` : "";
  const totals = `Fridge ${formatAmount(stash.fridge_ml, unit)} · Freezer ${formatAmount(stash.freezer_ml, unit)}${counter}`;
  const days = stash.days_of_supply;
  const supply =
    days === null || days === undefined
      ? ""
      : ` · about ${days >= 10 ? Math.round(days) : Math.round(days * 10) / 10} ${days === 1 ? "day" : "days"} at ${formatAmount(stash.daily_need_ml, unit)} a day`;
  const soon = stash.expiring
    ? `${formatAmount(stash.expiring_ml, unit)} should be used in the next 2 days.`
    : "";
  const past = stash.expired ? ` ${stash.expired === 1 ? "One portion is" : `${stash.expired} portions are`} past the use-by date.` : "";
  return { totals: totals + supply, soon: (soon + past).trim() };
}

/** "every 8 weeks" or "every 90 days". */
export function everyText(days) {
  return days % 7 === 0 ? `every ${days / 7 === 1 ? "week" : `${days / 7} weeks`}` : `every ${days} days`;
}

/** "a", "a and b", "a, b and c". */
const listed = (words) => (words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`);

/** The idle screen's line for the parts due, by pump: "Replaced today" and
 * "Remind me in a week" apply to all of them. */
export function partDueText(due) {
  if (!due?.length) return "";
  const pumps = [...new Set(due.map((d) => d.pump))];
  const parts = pumps.map((pump) => `the ${listed(due.filter((d) => d.pump === pump).map((d) => d.name.toLowerCase()))} of ${pump}`);
  if (due.length === 1) return `Time to replace ${parts[0]}: they are changed ${everyText(due[0].every_days)}.`;
  return `Time to replace ${listed(parts)}.`;
}

/** What a pump's settings say, for the session's row: "Work pump · stimulation 5 · expression 7". */
export function settingsText(pump, settings) {
  if (!pump || !settings) return "Pump settings";
  const levels =
    pump.levels === "one"
      ? [settings.suction && `suction ${settings.suction}`]
      : [settings.stimulation && `stimulation ${settings.stimulation}`, settings.expression && `expression ${settings.expression}`];
  return [pump.name, ...levels.filter(Boolean)].join(" · ");
}

/** A pump as Settings lists it. */
export function pumpText(pump) {
  const flange =
    pump.flange_left_mm && pump.flange_right_mm && pump.flange_left_mm !== pump.flange_right_mm
      ? `flanges ${pump.flange_left_mm} / ${pump.flange_right_mm} mm`
      : pump.flange_left_mm
        ? `flange ${pump.flange_left_mm} mm`
        : "";
  return [pump.name, pump.double ? "double" : "single", flange].filter(Boolean).join(" · ");
}
