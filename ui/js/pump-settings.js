// Settings' "Pump and milk": the pumps (flanges, levels), their parts with
// how often each is replaced, and how long stored milk keeps.
import * as ipc from "./ipc.js";
import { everyText, pumpText, shortDate } from "./milk.js";

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== ""));
  return node;
}

/** A typed number, or null when empty; NaN when it is not one. */
function typed(id) {
  const text = $(id).value.trim().replace(",", ".");
  return text === "" ? null : Number(text);
}

export function setupPumpSettings({ store, notice: { show, attempt }, changePrefs }) {
  let editing = null; // the pump being edited (null: a new one)

  const set = (pumps) => pumps && store.set({ pumps });

  function partItem(pump, part) {
    const every = el("input", { type: "number", min: 1, max: 730, step: 1, value: String(part.every_days), className: "every" });
    every.addEventListener("change", async () => {
      const days = Number(every.value);
      const next = await attempt(() => ipc.call("save_part", { pumpId: pump.id, part: { id: part.id, name: part.name, every_days: days } }));
      if (!next) every.value = String(part.every_days);
      set(next);
    });
    const offset = -new Date().getTimezoneOffset();
    const when = `${part.last_replaced_ms ? `replaced ${shortDate(part.last_replaced_ms, offset)}, ` : ""}due ${shortDate(part.due_ms, offset)}`;
    const replaced = el("button", { type: "button", textContent: "Replaced today" });
    replaced.setAttribute("aria-label", `${part.name} of ${pump.name}: replaced today`);
    replaced.addEventListener("click", async () => {
      const next = await attempt(() => ipc.call("replace_part", { id: part.id }));
      set(next);
      if (next) show(`Noted: new ${part.name.toLowerCase()} today.`);
    });
    const remove = el("button", { type: "button", className: "quiet", textContent: "Remove" });
    remove.setAttribute("aria-label", `Remove the ${part.name.toLowerCase()} of ${pump.name} from tracking`);
    remove.addEventListener("click", async () => set(await attempt(() => ipc.call("remove_part", { id: part.id }))));
    const label = el("label", {}, `${part.name}, every `, every, " days");
    return el("li", { className: "part" }, label, el("span", { className: "hint" }, when), replaced, remove);
  }

  function pumpItem(pump) {
    const edit = el("button", { type: "button", textContent: "Edit" });
    edit.setAttribute("aria-label", `Edit ${pump.name}`);
    edit.addEventListener("click", () => openEditor(pump));
    const away = el("button", { type: "button", className: "quiet", textContent: "Put away" });
    away.setAttribute("aria-label", `Put away ${pump.name}: its sessions keep their record`);
    away.addEventListener("click", async () => {
      const next = await attempt(() => ipc.call("remove_pump", { id: pump.id }));
      set(next);
      if (next) show(`${pump.name} is put away. Its sessions keep their settings.`);
    });
    const name = el("input", { maxLength: 40, autocomplete: "off", placeholder: "Another part, e.g. flanges" });
    name.setAttribute("aria-label", `Another part of ${pump.name} to track`);
    const add = el("button", { type: "button", textContent: "Track it" });
    add.addEventListener("click", async () => {
      const next = await attempt(() => ipc.call("save_part", { pumpId: pump.id, part: { name: name.value, every_days: 30 } }));
      set(next);
    });
    const parts = el("ul", { className: "parts" }, ...pump.parts.map((part) => partItem(pump, part)));
    return el("li", { className: "pump" }, el("span", { className: "pump-name" }, pumpText(pump)), " ", edit, away, parts, el("p", { className: "controls left" }, name, add, el("span", { className: "hint" }, `(${everyText(30)} to start; change it above)`)));
  }

  function render() {
    const pumps = store.get().pumps?.pumps ?? [];
    $("pump-list").replaceChildren(...pumps.map(pumpItem));
    if (!pumps.length) $("pump-list").append(el("li", { className: "hint", textContent: "No pump described yet. Add one to record its settings with each session and to be told when its parts are due." }));
    const keeping = store.get().prefs?.keeping;
    if (keeping) {
      if (!$("keep-fridge").options.length) {
        for (let d = 1; d <= 8; d++) $("keep-fridge").append(new Option(d === 1 ? "1 day" : `${d} days`, String(d)));
        for (let m = 1; m <= 12; m++) $("keep-freezer").append(new Option(m === 1 ? "1 month" : `${m} months`, String(m)));
        for (let h = 1; h <= 4; h++) $("keep-room").append(new Option(h === 1 ? "1 hour" : `${h} hours`, String(h)));
      }
      $("keep-fridge").value = String(keeping.fridge_days);
      $("keep-freezer").value = String(keeping.freezer_months);
      $("keep-room").value = String(keeping.room_hours);
    }
  }

  function showLevels() {
    const one = $("pe-levels").value === "one";
    $("pe-stim-label").hidden = one;
    $("pe-expr-label").hidden = one;
    $("pe-suction-label").hidden = !one;
    $("pe-right-label").hidden = !$("pe-double").checked;
    $("pe-left-name").textContent = $("pe-double").checked ? "Flange, left" : "Flange";
  }

  function openEditor(pump) {
    editing = pump;
    $("pe-name").value = pump?.name ?? "";
    $("pe-double").checked = pump?.double ?? true;
    $("pe-left").value = pump?.flange_left_mm ?? "";
    $("pe-right").value = pump?.flange_right_mm ?? "";
    $("pe-levels").value = pump?.levels ?? "two";
    $("pe-stim").value = pump?.stimulation ?? "";
    $("pe-expr").value = pump?.expression ?? "";
    $("pe-suction").value = pump?.suction ?? "";
    showLevels();
    $("pump-editor").hidden = false;
    $("pe-name").focus();
  }

  async function save() {
    const spec = {
      name: $("pe-name").value,
      double: $("pe-double").checked,
      flange_left_mm: typed("pe-left"),
      flange_right_mm: typed("pe-right"),
      levels: $("pe-levels").value,
      stimulation: typed("pe-stim"),
      expression: typed("pe-expr"),
      suction: typed("pe-suction"),
    };
    const numbers = [spec.flange_left_mm, spec.flange_right_mm, spec.stimulation, spec.expression, spec.suction];
    if (numbers.some((n) => n !== null && !Number.isFinite(n))) {
      show("Flange sizes and levels are numbers, like 24 or 5.");
      return;
    }
    const next = await attempt(() => ipc.call("save_pump", { id: editing?.id ?? null, spec }));
    if (!next) return;
    set(next);
    $("pump-editor").hidden = true;
    show(editing ? "Pump saved." : "Pump added, with its parts to track.");
    $("pump-add").focus();
  }

  store.subscribe((state, before) => {
    if (state.dialog === "settings" && (state.pumps !== before.pumps || state.prefs !== before.prefs || before.dialog !== "settings")) render();
  });
  $("pump-add").addEventListener("click", () => openEditor(null));
  $("pe-cancel").addEventListener("click", () => {
    $("pump-editor").hidden = true;
    $("pump-add").focus();
  });
  $("pe-save").addEventListener("click", save);
  $("pe-levels").addEventListener("change", showLevels);
  $("pe-double").addEventListener("change", showLevels);
  const keep = async () => {
    const keeping = {
      ...store.get().prefs?.keeping,
      fridge_days: Number($("keep-fridge").value),
      freezer_months: Number($("keep-freezer").value),
      room_hours: Number($("keep-room").value),
    };
    if (!(await changePrefs({ keeping }))) render();
  };
  $("keep-fridge").addEventListener("change", keep);
  $("keep-freezer").addEventListener("change", keep);
  $("keep-room").addEventListener("change", keep);

  /** Reads the pumps again as the settings open. */
  return { refresh: async () => set(await attempt(() => ipc.call("get_pumps"))) };
}
