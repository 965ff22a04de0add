// The diary's Stash view: what is in the fridge and the freezer, oldest
// first, with "Used", "Moved to fridge" (thawing) and "Move to freezer";
// the days of supply against what the baby has each day; the stash export.
import * as ipc from "./ipc.js";
import { portionText, stashSummary } from "./milk.js";
import { amountField } from "./history.js";
import { ML_PER_OZ } from "./constants.js";

const $ = (id) => document.getElementById(id);

/** `hooks`: the diary's `el`, `unit()`, its notice's `notify` and
 * `attempt`, and the calm screen's store (the prefs). */
export function setupStash({ el, unit, notify, attempt, store }) {
  let stash = null;
  let lastUsed = null;

  function paint() {
    if (!stash) return;
    const u = unit();
    const offset = -new Date().getTimezoneOffset();
    const { totals, soon } = stashSummary(stash, u);
    $("stash-totals").textContent = totals;
    $("stash-soon").textContent = soon;
    $("stash-soon").hidden = !soon;
    $("stash-empty").hidden = stash.portions.length > 0;
    $("stash-unit").textContent = u;
    if (document.activeElement !== $("stash-daily")) $("stash-daily").value = stash.daily_need_ml ? amountField(stash.daily_need_ml, u) : "";
    $("stash-list").replaceChildren(
      ...stash.portions.map((p) => {
        const text = portionText(p, u, stash.now_ms, offset);
        const expired = p.use_by_ms !== null && p.use_by_ms <= stash.now_ms;
        const button = (label, action) => {
          const b = el("button", { type: "button", "aria-label": `${label}: ${text}` }, label);
          b.addEventListener("click", () => act(action, p));
          return b;
        };
        // Past its date: still the parent's to use or throw away (frozen milk
        // is "acceptable" up to 12 months), never to thaw or freeze again.
        const buttons = expired
          ? [button("Used", "use"), button("Thrown away", "discard")]
          : [
              button("Used", "use"),
              p.place === "freezer" ? button("Move to fridge to thaw", "thaw") : null,
              p.place !== "freezer" && !p.thawed ? button("Move to freezer", "freeze") : null,
            ];
        const item = el(
          "li",
          { class: `portion ${p.place}${expired ? " expired" : ""}`, "data-id": String(p.id) },
          el("span", {}, text),
          el("span", { class: "portion-actions" }, ...buttons, labelButton(p, text)),
        );
        return item;
      }),
    );
  }

  /** "Label…": the portion's label and use-by date, changed in place. */
  function labelButton(portion, text) {
    const open = el("button", { type: "button", class: "quiet", "aria-label": `Label or use-by date: ${text}` }, "Label…");
    open.addEventListener("click", () => {
      const pad = (n) => String(n).padStart(2, "0");
      const d = new Date(portion.use_by_ms ?? Date.now());
      const label = el("input", { value: portion.label ?? "", maxLength: 40, autocomplete: "off", class: "portion-label" });
      const date = el("input", { type: "date", value: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, class: "portion-date" });
      const save = el("button", { type: "button" }, "Save");
      save.addEventListener("click", async () => {
        // The date chosen, at the time of day the old date had.
        const [y, m, day] = date.value.split("-").map(Number);
        const at = new Date(d);
        at.setFullYear(y, m - 1, day);
        const next = await attempt(() =>
          ipc.call("label_milk", { id: portion.id, label: label.value, useByMs: date.value ? at.getTime() : null }),
        );
        if (!next) return;
        stash = next;
        paint();
        $("stash-totals").focus();
        notify("Saved.");
      });
      const form = el(
        "span",
        { class: "portion-edit" },
        el("label", {}, "Label ", label),
        el("label", {}, "Use by ", date),
        save,
      );
      open.replaceWith(form);
      label.focus();
    });
    return open;
  }

  async function load() {
    const next = await attempt(() => ipc.call("get_stash"));
    if (next) stash = next;
    paint();
  }

  async function act(action, portion) {
    const call = {
      use: ["use_milk", { id: portion.id, how: "fed" }],
      discard: ["use_milk", { id: portion.id, how: "discarded" }],
      thaw: ["thaw_milk", { id: portion.id }],
      freeze: ["freeze_milk", { id: portion.id }],
    }[action];
    const next = await attempt(() => ipc.call(...call));
    if (!next) return;
    stash = next;
    paint();
    // The button pressed was drawn again: the keyboard stays in the stash.
    $("stash-totals").focus();
    if (action === "use" || action === "discard") {
      lastUsed = portion.id;
      notify(action === "use" ? "Marked as used." : "Taken out of the stash.", { undo: undoUse, forMs: 20000 });
    } else {
      notify(action === "thaw" ? "Moved to the fridge: use it within 24 hours." : "Moved to the freezer.");
    }
  }

  async function undoUse() {
    if (lastUsed === null) return;
    const next = await attempt(() => ipc.call("unuse_milk", { id: lastUsed }));
    if (!next) return;
    lastUsed = null;
    stash = next;
    paint();
    notify("It is back in the stash.");
  }

  /** "Your baby has each day…": saved in the parent's unit as whole ml. */
  async function saveNeed(event) {
    event.preventDefault();
    const text = $("stash-daily").value.trim().replace(",", ".");
    const n = text === "" ? 0 : Number(text);
    const ml = unit() === "oz" ? n * ML_PER_OZ : n;
    if (!Number.isFinite(ml) || ml < 0 || ml > 2000) {
      notify("The daily amount is a number, like 300 (or 10 in oz), up to 2000 ml.");
      $("stash-daily").focus();
      return;
    }
    const keeping = { ...store.get().prefs?.keeping, daily_need_ml: Math.round(ml) };
    const prefs = await attempt(() => ipc.call("set_prefs", { change: { keeping } }));
    if (!prefs) return;
    store.set({ prefs });
    notify(ml ? "Saved. Days of supply are counted from it." : "Saved.");
    await load();
  }

  return { load, paint, saveNeed };
}
