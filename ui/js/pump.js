// The pump on the calm screen: a calm line on the idle screen when a part is
// due ("Replaced today", "Remind me in a week"), and the session's pump
// settings, which start as last time and can be changed in passing.
import * as ipc from "./ipc.js";
import { partDueText, settingsText } from "./milk.js";
import { formatClock } from "./format.js";

const $ = (id) => document.getElementById(id);

/** Sets a field from the store unless the parent is typing in it. */
function fill(id, value) {
  if (document.activeElement !== $(id)) $(id).value = value ?? "";
}

export function setupPump({ store, notice: { attempt, show } }) {
  /** Reads the pumps again: quietly, as a diary that is not open is said elsewhere. */
  async function refresh() {
    const pumps = await ipc.call("get_pumps").catch(() => null);
    store.set({ pumps });
  }

  function draw({ pumps, snapshot }) {
    const inSession = Boolean(snapshot?.session);
    const due = pumps?.due ?? [];
    $("parts-line").hidden = inSession || !due.length;
    $("parts-text").textContent = partDueText(due);
    const list = pumps?.pumps ?? [];
    const settings = pumps?.in_session ? pumps.settings : null;
    const pump = list.find((p) => p.id === settings?.pump_id);
    $("pump-row").hidden = !inSession || !pump;
    if (!pump) return;
    $("pump-summary").textContent = settingsText(pump, settings);
    $("pump-select").replaceChildren(...list.map((p) => new Option(p.name, String(p.id), false, p.id === pump.id)));
    const one = pump.levels === "one";
    $("pump-stim-label").hidden = one;
    $("pump-expr-label").hidden = one;
    $("pump-suction-label").hidden = !one;
    fill("pump-stim", settings.stimulation);
    fill("pump-expr", settings.expression);
    fill("pump-suction", settings.suction);
    const switched = settings.expression_from_s;
    $("pump-switch").hidden = one;
    $("pump-switch").disabled = switched !== null && switched !== undefined;
    $("pump-switch").textContent = $("pump-switch").disabled ? `On expression since ${formatClock(switched * 1000)}` : "Switched to expression";
  }

  store.subscribe((state, before) => {
    const session = state.snapshot?.session?.id ?? null;
    if (session !== (before.snapshot?.session?.id ?? null)) refresh();
    if (state.pumps !== before.pumps || session !== (before.snapshot?.session?.id ?? null)) draw(state);
  });

  /** A level as typed: a whole number from 1 to 20, or none. */
  function level(id) {
    const text = $(id).value.trim();
    if (text === "") return null;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error("A pump level is a whole number from 1 to 20.");
    return n;
  }

  async function change({ switching = false } = {}) {
    const { pumps } = store.get();
    const now = pumps?.settings;
    if (!now) return;
    const pumpId = Number($("pump-select").value);
    let settings;
    if (pumpId !== now.pump_id) {
      // Another pump: its own levels.
      const pump = pumps.pumps.find((p) => p.id === pumpId);
      settings = { pump_id: pumpId, stimulation: pump.stimulation, expression: pump.expression, suction: pump.suction, expression_from_s: now.expression_from_s };
    } else {
      try {
        settings = { ...now, stimulation: level("pump-stim"), expression: level("pump-expr"), suction: level("pump-suction") };
      } catch (error) {
        show(error.message);
        draw(store.get());
        return;
      }
    }
    const next = await attempt(() => ipc.call("set_pump_settings", { settings, switch: switching || null }));
    if (next) store.set({ pumps: next });
  }

  for (const id of ["pump-select", "pump-stim", "pump-expr", "pump-suction"]) $(id).addEventListener("change", () => change());
  $("pump-switch").addEventListener("click", () => change({ switching: true }));

  /** "Replaced today" or "Remind me in a week", for every part the line names. */
  async function partAction(command, said) {
    const due = store.get().pumps?.due ?? [];
    let next;
    for (const part of due) {
      next = await attempt(() => ipc.call(command, { id: part.id }));
      if (!next) return;
    }
    if (!next) return;
    store.set({ pumps: next });
    show(said);
  }
  $("part-replaced").addEventListener("click", () => partAction("replace_part", "Noted: replaced today."));
  $("part-later").addEventListener("click", () => partAction("quiet_part", "They can wait a week."));
  // A part falls due while Letdown waits in the tray: seen when the window is.
  window.addEventListener("focus", refresh);

  return { refresh };
}
