// Turns the engine's snapshot into what the calm screen shows. Pure: no DOM,
// so node can test it. Rust decides the state; this only words and times it.
import { formatClock } from "./format.js";
import { ML_PER_OZ } from "./constants.js";

export const STEP_NAMES = {
  warm_up: "Warm-up",
  massage: "Massage",
  pump: "Pumping",
  rest: "Rest",
};

export const CUES = {
  warm_up: "Warm compress on. Let your shoulders drop and breathe slowly.",
  massage: "Slow, gentle circles — light at first, then a little firmer.",
  pump: "Think of your baby. Imagine the milk flowing.",
  rest: "Rest for a moment. Unclench your jaw, soften your hands.",
};

/** A step's cue, with the baby's name where the parent has given one. */
export function cueFor(kind, babyName = "") {
  const cue = CUES[kind] ?? "";
  const name = String(babyName ?? "").trim();
  return name ? cue.replace("your baby", name) : cue;
}

export const SIDE_NAMES = { left: "Left", right: "Right", both: "Both" };

/**
 * The screen for a snapshot, `sinceMs` after it was taken (the UI draws the
 * countdown from the deadline it was given; time only moves while running).
 */
export function sessionView(snapshot, sinceMs = 0, { babyName = "" } = {}) {
  const s = snapshot?.session;
  if (!s) {
    return { mode: "idle", canUndoDiscard: Boolean(snapshot?.can_undo_discard) };
  }
  const running = s.phase === "running";
  const moved = running ? Math.max(0, sinceMs) : 0;
  const kind = s.step_kind;
  const remaining = Math.max(0, s.step_remaining_ms - moved);
  const elapsed = s.step_elapsed_ms + moved;
  const pastTarget = s.open_ended && (s.target_reached || remaining === 0);
  let clock;
  let clockLabel;
  if (s.phase === "complete") {
    clock = formatClock(s.elapsed_ms);
    clockLabel = "in all";
  } else if (pastTarget) {
    clock = formatClock(elapsed);
    clockLabel = "pumping";
  } else {
    clock = formatClock(remaining);
    clockLabel = s.open_ended ? "to your target" : "left";
  }
  const planned = s.step_planned_ms || 1;
  return {
    mode: s.phase,
    recovered: s.recovered,
    routineName: s.routine_name,
    stepName: s.phase === "complete" ? "All done" : STEP_NAMES[kind] ?? "",
    cue:
      s.phase === "complete"
        ? "Well done. Note how it went, then save."
        : pastTarget
          ? "Target reached — carry on while the milk flows."
          : cueFor(kind, babyName),
    clock,
    clockLabel,
    progress: s.phase === "complete" ? 1 : Math.min(1, elapsed / planned),
    steps: s.steps.map((step) => ({ name: STEP_NAMES[step.kind], length: stepLength(step.planned_ms), state: step.state })),
    letdowns: s.letdowns,
    letdownText: s.letdowns === 1 ? "1 let-down" : `${s.letdowns} let-downs`,
    side: s.side,
    sideText: s.side ? `Side: ${SIDE_NAMES[s.side]}` : "Side: not set",
    pauseLabel: s.phase === "paused" ? "Resume" : "Pause",
    canUndoDiscard: Boolean(snapshot.can_undo_discard),
  };
}

/** A step's planned length, short: "3 min", or "45 s" for a very short one. */
export function stepLength(ms) {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** The side that "Switch side" moves to: left → right → left; both → left. */
export function nextSide(side) {
  return side === "left" ? "right" : "left";
}

/** How long until the displayed clock next changes, for a cheap redraw timer. */
export function msUntilNextTick(view, sinceMs) {
  if (view.mode !== "running") return null;
  const frac = sinceMs % 1000;
  return 1000 - frac;
}

/** Reads the finish sheet's fields into what `finish_session` takes (millilitres). */
export function finishFromForm({ left, right, total, unit, comfort, tags, note }) {
  const toMl = (text) => {
    const t = String(text ?? "").trim().replace(",", ".");
    if (t === "") return null;
    const n = Number(t);
    if (!Number.isFinite(n) || n < 0) throw new Error("Amounts are numbers, like 60 or 2.5.");
    return unit === "oz" ? Math.round(n * ML_PER_OZ * 10) / 10 : n;
  };
  return {
    amount_left_ml: toMl(left),
    amount_right_ml: toMl(right),
    amount_total_ml: toMl(total),
    comfort: comfort ? Number(comfort) : null,
    tags: String(tags ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    note: String(note ?? "").trim() || null,
  };
}

/** The photo to show after `current` when several rotate (newest first, round). */
export function nextPhoto(photos, current) {
  if (!photos?.length) return null;
  const at = photos.findIndex((p) => p.id === current);
  return photos[(at + 1) % photos.length].id;
}

/** The long edge of the window-sized copy kept of each photo (media.rs). */
export const WINDOW_EDGE = 1440;

/**
 * Which copy of `photo` (its large copy's width and height) covers a window
 * of `width` × `height` CSS pixels at `scale` device pixels each, as
 * `background-size: cover` draws it: "window" (1440 px on the long edge) when
 * that is sharp enough, else "photo" (the large copy).
 */
export function photoCopyFor(photo, width, height, scale = 1) {
  const long = Math.max(photo.width, photo.height);
  if (!(long > 0)) return "photo";
  // The long edge the photo is drawn at, in device pixels.
  const drawn = Math.max(width / photo.width, height / photo.height) * long * scale;
  // A little upscaling (5 %) is not visible on a photo.
  // (A photo no larger than the window copy has two copies of one size.)
  return long <= WINDOW_EDGE || drawn <= WINDOW_EDGE * 1.05 ? "window" : "photo";
}

/** The breathing guide's words for a moment: 5 s in, 5 s out (6 breaths a minute). */
export function breathWord(ms) {
  return Math.floor(ms / 5000) % 2 === 0 ? "Breathe in" : "Breathe out";
}

/** The words for the sound in use, on the calm screen and in Settings. */
export function clipText(sound) {
  return sound.clip ? `Sound: your recording “${sound.clip.original_name}”.` : "Sound: Letdown's own gentle sound.";
}

/** The most a photo is enlarged beyond "cover" to keep the baby's face clear. */
export const MAX_ZOOM = 1.6;

/**
 * How to draw `photo` ({ width, height, focus: { x, y } | null }) over a
 * `width` × `height` window so the baby's face is in view and clear of what
 * covers the screen (`blocked`: rects with left, top, right and bottom).
 * Returns { zoom, size: [w, h], offset: [x, y], face: [x, y] | null, gap }
 * in CSS pixels: zoom is how much larger than "cover" it is drawn, and gap
 * whether it leaves part of the window uncovered (photo.js fills that with
 * a blurred copy; it is chosen only where it lets the face be clear).
 * Without a face point: "cover", centred, as the calm screen always drew it.
 */
export function framePhoto(photo, width, height, blocked = []) {
  const cover = Math.max(width / photo.width, height / photo.height);
  const centred = { zoom: 1, size: [photo.width * cover, photo.height * cover], face: null, gap: false };
  centred.offset = [(width - centred.size[0]) / 2, (height - centred.size[1]) / 2];
  if (!photo.focus || !(cover > 0)) return centred;
  const { x: fx, y: fy } = photo.focus;
  // Room enough round the face; more does not matter, so a face already
  // clear is not moved or enlarged to get further away.
  const enough = 0.13 * Math.min(width, height);
  const inside = (x, y, b) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
  const clearance = (x, y) => {
    let room = Math.min(x, y, width - x, height - y);
    for (const b of blocked) room = Math.min(room, Math.hypot(Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom)));
    return Math.min(room, enough);
  };
  // The window's points, coarsely, that no control covers: where a gap would show.
  const open = [];
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 10; j++) {
      const [x, y] = [((i + 0.5) * width) / 16, ((j + 0.5) * height) / 10];
      if (!blocked.some((b) => inside(x, y, b))) open.push([x, y]);
    }
  }
  const start = [centred.offset[0] + fx * centred.size[0], centred.offset[1] + fy * centred.size[1]];
  let best = null;
  const STEPS = 24;
  for (const zoom of [1, 1.15, 1.3, 1.45, MAX_ZOOM]) {
    const [w, h] = [centred.size[0] * zoom, centred.size[1] * zoom];
    for (let i = 0; i <= STEPS; i++) {
      for (let j = 0; j <= STEPS; j++) {
        const [x, y] = [(width * i) / STEPS, (height * j) / STEPS];
        const [left, top] = [x - fx * w, y - fy * h];
        const gaps = open.filter(([px, py]) => px < left || px > left + w || py < top || py > top + h).length;
        // Clear first (to 4 px), then no gap in view, then as little
        // enlarged, then as little moved.
        const score = [Math.floor(clearance(x, y) / 4), -gaps, -zoom, -Math.hypot(x - start[0], y - start[1])];
        if (!best || better(score, best.score)) best = { score, zoom, size: [w, h], offset: [left, top], face: [x, y] };
      }
    }
  }
  // The centred framing itself, when the face is as clear there already.
  const still = [Math.floor(clearance(...start) / 4), 0, -1, 0];
  if (!better(best.score, still)) return { ...centred, face: start };
  const { zoom, size, offset, face } = best;
  const gap = offset[0] > 0.01 || offset[1] > 0.01 || offset[0] + size[0] < width - 0.01 || offset[1] + size[1] < height - 0.01;
  return { zoom, size, offset, face, gap };
}

const better = (a, b) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
};

/** Whether the baby's video plays: not while the session is paused, in
 * discreet mode, with the window hidden, or with reduced motion asked for
 * (then its first frame stands still in its place). */
export function videoShouldPlay({ phase, discreet, hidden, reducedMotion }) {
  return phase !== "paused" && !discreet && !hidden && !reducedMotion;
}

/** "14:30" in local time. */
function clockTime(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** "2 h 40 min", "25 min", "just now". */
function sinceText(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return null;
  if (minutes < 60) return `${minutes} min`;
  const m = minutes % 60;
  return m ? `${Math.floor(minutes / 60)} h ${m} min` : `${Math.floor(minutes / 60)} h`;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The idle screen's schedule line: the facts, calmly; nothing counts down.
 * Null with the schedule off (the screen stays as quiet as it was). */
export function scheduleLine(status, nowMs) {
  if (!status?.on) return null;
  const parts = [];
  if (status.last_ended_ms !== null && status.last_ended_ms !== undefined) {
    const since = sinceText(nowMs - status.last_ended_ms);
    parts.push(since ? `Last session ${since} ago` : "Last session just now");
  }
  if (status.paused_today) parts.push("no more reminders today");
  else if (status.next_due_ms) {
    const due = new Date(status.next_due_ms);
    const today = new Date(nowMs);
    const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    let day = "";
    if (due.toDateString() === tomorrow.toDateString()) day = "tomorrow ";
    else if (due.toDateString() !== today.toDateString()) day = `${WEEKDAYS[due.getDay()]} `;
    parts.push(status.next_due_ms <= nowMs ? `next was due around ${clockTime(status.next_due_ms)}` : `next ${day}around ${clockTime(status.next_due_ms)}`);
  }
  const line = parts.join(" · ");
  return line ? line[0].toUpperCase() + line.slice(1) : null;
}

/** Whether the calm screen offers "remind me later": a reminder came in the
 * last half hour and no session has ended since. */
export function offersSnooze(status, nowMs) {
  const shown = status?.reminded_ms;
  if (!status?.on || !shown || status.paused_today) return false;
  const snoozed = status.snoozed_until_ms > nowMs;
  return !snoozed && nowMs - shown < 30 * 60_000 && shown > (status.last_ended_ms ?? -Infinity);
}

/** "10:00, 13:30" → ["10:00:00", "13:30:00"], or null if any is not a time. */
export function parseTimes(text) {
  const times = [];
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^(\d{1,2})[:.](\d{2})$/.exec(part);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
    times.push(`${m[1].padStart(2, "0")}:${m[2]}:00`);
  }
  return times;
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"];
/** What the guidance suggests when a let-down is slower than usual, in turn;
 * the last only while the baby's own recording can be heard. */
export const SLOW_SUGGESTIONS = [
  "Slower today? Switching sides can help the next let-down along.",
  "Slower today? Gentle hands-on compression above the flange can help.",
  "Slower today? Listen to your baby's recording for a moment; shoulders down, slow breath out.",
];

/** "around 9 minutes", or seconds on a very short routine. */
export function around(seconds) {
  return seconds < 90 ? `around ${Math.round(seconds)} seconds` : `around ${Math.round(seconds / 60)} minutes`;
}

/** The quiet line while pumping, from when this parent's let-downs usually
 * come (`pattern`, from the diary: `usual` from the start of pumping and the
 * median `gaps_s` between them): when the next one is usually due, and once
 * that time has passed with none, a suggestion. A let-down that came late
 * moves the next one's time by the usual gap. Let-downs marked before
 * pumping count, as the diary counts them (at 0 s). Null when there is
 * nothing to say. */
export function letdownHint(session, pattern, sinceMs = 0, { recording = false } = {}) {
  const usual = pattern?.usual;
  if (!session || session.phase !== "running" || session.step_kind !== "pump" || !usual?.length) return null;
  const pump = (session.runs ?? []).find((run) => run.kind === "pump");
  if (!pump) return null;
  const now = session.elapsed_ms + Math.max(0, sinceMs);
  const pumped = (now - pump.started_active_ms) / 1000;
  const letdowns = (session.marks ?? []).filter((m) => m.kind === "let_down").map((m) => Math.max(0, m.active_ms - pump.started_active_ms) / 1000);
  const had = letdowns.length;
  const next = usual[had];
  if (!next) return null;
  const after = had > 0 ? letdowns[had - 1] + (pattern.gaps_s?.[had - 1] ?? 0) : 0;
  const due = Math.max(next.median_s, after);
  if (pumped <= Math.max(next.high_s, after)) {
    return { late: false, text: `Your ${ORDINALS[next.nth - 1] ?? "next"} let-down often comes ${around(due)}.` };
  }
  const offered = recording ? SLOW_SUGGESTIONS : SLOW_SUGGESTIONS.slice(0, -1);
  return { late: true, text: offered[had % offered.length] };
}
