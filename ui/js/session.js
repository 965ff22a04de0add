// The session on the calm screen: draws the engine's snapshots, sends the
// parent's intents, and owns the finish sheet and the keys. It never decides
// what phase the session is in; Rust does.
import * as ipc from "./ipc.js";
import { sessionView, nextSide, msUntilNextTick, finishFromForm, letdownHint } from "./view.js";
import { milkShares, totalOf, splitSumText } from "./milk.js";

const $ = (id) => document.getElementById(id);

/** What render last wrote, by element and property: it writes only what
 * changed, since a same-value write still re-lays out and repaints the
 * element, and render runs every second of a session. */
const written = new Map();
function put(id, text, write = (el) => (el.textContent = text)) {
  if (written.get(id) === text) return;
  written.set(id, text);
  write($(id));
}
const setRing = (offset) => put("ring:offset", offset, () => ($("ring").style.strokeDashoffset = offset));

/** The store's patch for a snapshot from Rust: with no session, no finish sheet. */
function snapshotPatch(snapshot) {
  return { snapshot, receivedAt: performance.now(), ...(snapshot?.session ? {} : { finishing: false }) };
}

/** Draws the session from `store` and wires its controls; `actions` are the
 * other parts' that its keys reach (discreet, breathing, sound, the diary). */
export function setupSession({ store, notice: { show, attempt, hide }, actions }) {
  // Undefined is a call that failed (and said so): the screen stays as it is.
  const setSnapshot = (snapshot) => snapshot !== undefined && store.set(snapshotPatch(snapshot));
  let redraw = null;
  let drawnSteps = "";

  function render() {
    const { snapshot, receivedAt, prefs, finishing, pattern, sound } = store.get();
    const since = performance.now() - receivedAt;
    const view = sessionView(snapshot, since, { babyName: prefs?.baby_name });
    document.body.dataset.mode = view.mode;
    const idle = view.mode === "idle";
    $("idle").hidden = !idle;
    $("active").hidden = idle || finishing;
    $("finish").hidden = idle || !finishing;
    if (finishing && !idle) document.body.dataset.finishing = "true";
    else delete document.body.dataset.finishing;
    if (idle) {
      put("greeting", "Ready when you are");
      put("step-name", "Letdown");
      put("timer", "00:00");
      put("timer-label", "");
      put("cue", "Find a comfortable seat, have a drink nearby, and let your shoulders drop.");
      setRing("100");
    } else {
      setRing(String(100 - Math.round(view.progress * 1000) / 10));
      put("greeting", view.routineName);
      put("step-name", view.stepName);
      put("timer", view.clock);
      put("timer-label", view.clockLabel);
      put("cue", view.cue);
      $("recovered").hidden = !view.recovered;
      put("letdowns", view.letdownText);
      put("side", view.sideText);
      const recording = Boolean(sound?.prefs?.on && sound?.clip);
      const hint = letdownHint(snapshot.session, pattern, since, { recording });
      $("pattern-hint").hidden = !hint;
      put("pattern-hint", hint?.text ?? "");
      put("pause", view.pauseLabel);
      $("pause").disabled = view.mode === "complete";
      for (const button of document.querySelectorAll("[data-side]")) {
        button.setAttribute("aria-pressed", String(button.dataset.side === view.side));
      }
      // The steps change when a step ends, not every second.
      const steps = JSON.stringify(view.steps);
      if (drawnSteps !== steps) {
        drawnSteps = steps;
        $("steps").replaceChildren(
          ...view.steps.map((step) => {
            const li = document.createElement("li");
            li.className = step.state;
            li.textContent = `${step.name} · ${step.length}`;
            if (step.state === "current") li.setAttribute("aria-current", "step");
            return li;
          }),
        );
      }
      if (view.mode === "complete" && !finishing) openFinish();
    }
    clearTimeout(redraw);
    const wait = msUntilNextTick(view, since);
    if (wait !== null) redraw = setTimeout(render, wait);
  }

  /** The routine choice; with none read (the diary could not be opened; the
   * notice says why), it says so rather than standing empty. */
  function renderRoutines(routines) {
    const keep = $("routine").value;
    const options = routines ? routines.map((r) => new Option(r.name, r.id)) : [new Option("Not available until the diary opens", "")];
    $("routine").replaceChildren(...options);
    $("routine").disabled = !routines;
    if (keep) $("routine").value = keep;
  }

  store.subscribe((state, before) => {
    if (state.routines !== before.routines) renderRoutines(state.routines);
    const drawn = ["receivedAt", "finishing"].some((key) => state[key] !== before[key]);
    if (drawn || state.prefs?.baby_name !== before.prefs?.baby_name) render();
  });
  renderRoutines(store.get().routines);

  /** The "What did you do today?" chips, ticked as last time. */
  function renderChips() {
    const { chips = [], last_chips: ticked = [] } = store.get().prefs ?? {};
    $("chips").hidden = chips.length === 0;
    $("chip-list").replaceChildren(
      ...chips.map((chip) => {
        const box = Object.assign(document.createElement("input"), { type: "checkbox", name: "did", value: chip, checked: ticked.includes(chip) });
        const label = document.createElement("label");
        label.className = "chip";
        label.append(box, chip);
        return label;
      }),
    );
  }

  /** Where the milk went, chosen as last time; the split's and the label's
   * fields show only when they apply. */
  function renderMilk() {
    const last = store.get().prefs?.last_milk ?? "";
    $("milk-place").value = last;
    showMilkFields(last);
  }

  function showMilkFields(choice) {
    $("milk-split").hidden = choice !== "split";
    $("milk-label-row").hidden = !["fridge", "freezer", "room", "split"].includes(choice);
  }

  async function openFinish() {
    if (store.get().finishing) return;
    $("finish").reset();
    renderChips();
    renderMilk();
    $("unit").value = store.get().prefs?.unit ?? "ml";
    store.set({ finishing: true });
    const draft = await attempt(() => ipc.call("get_draft"));
    $("draft-kept").hidden = !draft;
    if (draft) fillFinish(draft);
    $("amount-left").focus();
  }

  function fillFinish(draft) {
    $("amount-left").value = draft.left;
    $("amount-right").value = draft.right;
    $("amount-total").value = draft.total;
    if (draft.unit) $("unit").value = draft.unit;
    for (const radio of document.querySelectorAll("input[name=comfort]")) {
      radio.checked = Number(radio.value) === draft.comfort;
    }
    $("tags").value = draft.tags;
    $("note").value = draft.note;
  }

  /** What is typed in the finish sheet, as the draft Rust keeps. */
  function draftFromFinish() {
    const form = Object.fromEntries(new FormData($("finish")).entries());
    return {
      left: form.left ?? "",
      right: form.right ?? "",
      total: form.total ?? "",
      unit: form.unit ?? null,
      comfort: form.comfort ? Number(form.comfort) : null,
      tags: form.tags ?? "",
      note: form.note ?? "",
    };
  }

  let draftTimer = null;
  function keepDraftSoon() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(async () => {
      try {
        await ipc.call("keep_draft", { draft: draftFromFinish() });
      } catch (error) {
        // Saved or discarded meanwhile: there is nothing left to keep.
        if (error.kind !== "no_session") show(error.message);
      }
    }, 300);
  }

  async function intent(body) {
    setSnapshot(await attempt(() => ipc.call("session_intent", { intent: body })));
  }

  function togglePause() {
    const mode = sessionView(store.get().snapshot).mode;
    if (mode === "running") intent({ kind: "pause" });
    else if (mode === "paused") intent({ kind: "resume" });
  }

  async function saveFinish(event) {
    event.preventDefault();
    let finish;
    let milkChosen = false;
    try {
      const form = Object.fromEntries(new FormData($("finish")).entries());
      finish = finishFromForm(form);
      finish.did = new FormData($("finish")).getAll("did");
      finish.milk = milkShares(form, totalOf(finish), form.unit);
      milkChosen = Boolean(form.milk);
    } catch (error) {
      show(error.message);
      return;
    }
    clearTimeout(draftTimer);
    const id = await attempt(() => ipc.call("finish_session", { finish }));
    if (id === undefined) return;
    // Rust keeps these as the next sheet's ticks; so does the page's copy.
    const milk = finish.milk.length > 1 ? "split" : finish.milk[0]?.place;
    store.update(
      ({ prefs }) =>
        prefs && { prefs: { ...prefs, last_chips: finish.did.filter((c) => prefs.chips.includes(c)), last_milk: milk ?? prefs.last_milk } },
    );
    // A place chosen with no amount to put there is said, not silently lost.
    show(finish.milk.length || !milkChosen ? "Saved to your diary." : "Saved to your diary. With no amount, where the milk went was not recorded.");
    // The sheet closes with the snapshot that has no session: closed before
    // it, the finished session's screen would open the sheet again.
    const next = await attempt(() => ipc.call("get_state"));
    store.set(next ? snapshotPatch(next) : { finishing: false });
    $("finish").reset();
  }

  async function discard() {
    clearTimeout(draftTimer);
    const next = await attempt(() => ipc.call("discard_session"));
    if (!next) return;
    setSnapshot(next);
    show("Session discarded.", { undo: undoDiscard, forMs: 20000 });
  }

  async function undoDiscard() {
    const next = await attempt(() => ipc.call("undo_discard"));
    if (!next) return;
    hide();
    setSnapshot(next);
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const { dialog, discreet, finishing, snapshot } = store.get();
    if (dialog) return; // a dialog handles its own keys
    if (event.key === "Escape") {
      // Discreet works from anywhere, even while typing: someone walked in.
      event.preventDefault();
      actions.toggleDiscreet();
      return;
    }
    const typing = event.target.closest?.("input, textarea, select");
    if (typing || discreet) return;
    const key = event.key.toLowerCase();
    if (key === "b") {
      event.preventDefault();
      actions.toggleBreathing();
      return;
    }
    const mode = sessionView(snapshot).mode;
    if (key === "d" && mode === "idle") {
      event.preventDefault();
      actions.openDiary();
      return;
    }
    // Space starts the chosen routine, unless it is pressing another button.
    if (key === " " && mode === "idle" && !event.target.closest?.("button, a, summary")) {
      event.preventDefault();
      $("start").click();
      return;
    }
    if (mode === "idle" || finishing) return;
    const keys = {
      " ": togglePause,
      l: () => intent({ kind: "let_down" }),
      s: () => intent({ kind: "side", side: nextSide(snapshot.session.side) }),
      e: openFinish,
      m: actions.toggleSound,
    };
    const action = keys[key];
    if (!action) return;
    // Handled here: Space must not also press a focused button, and the key
    // must not land in the field that gets focus.
    event.preventDefault();
    action();
  }

  $("start").addEventListener("click", async () => {
    const routineId = Number($("routine").value);
    const started = await attempt(() => ipc.call("start_session", { routineId }));
    if (!started) return;
    // A new session: "Session discarded · Undo" and the like no longer apply.
    hide();
    setSnapshot(started);
  });
  $("pause").addEventListener("click", togglePause);
  for (const button of document.querySelectorAll("[data-intent]")) {
    button.addEventListener("click", () => intent({ kind: button.dataset.intent }));
  }
  for (const button of document.querySelectorAll("[data-side]")) {
    button.addEventListener("click", () => intent({ kind: "side", side: button.dataset.side }));
  }
  $("end").addEventListener("click", openFinish);
  $("keep-going").addEventListener("click", () => store.set({ finishing: false }));
  $("finish").addEventListener("submit", saveFinish);
  $("finish").addEventListener("input", keepDraftSoon);
  $("milk-place").addEventListener("change", () => showMilkFields($("milk-place").value));
  // The split's sum as it is typed, against the amount pumped.
  $("finish").addEventListener("input", () => {
    const form = Object.fromEntries(new FormData($("finish")).entries());
    let total = null;
    try {
      total = totalOf(finishFromForm(form));
    } catch {
      // an amount being typed: no sum yet
    }
    $("split-sum").textContent = splitSumText(form, total, form.unit);
  });
  $("discard").addEventListener("click", discard);
  document.addEventListener("keydown", onKey);

  return { setSnapshot, openFinish };
}
