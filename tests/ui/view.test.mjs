import { test } from "node:test";
import assert from "node:assert/strict";
import { sessionView, nextSide, finishFromForm, stepLength, msUntilNextTick, framePhoto, MAX_ZOOM, videoShouldPlay } from "../../ui/js/view.js";
import { mayFade } from "../../ui/js/fade.js";

function snapshot(overrides = {}) {
  return {
    can_undo_discard: false,
    session: {
      id: 1,
      routine_name: "Standard",
      phase: "running",
      recovered: false,
      step_index: 0,
      step_kind: "warm_up",
      step_planned_ms: 180_000,
      step_elapsed_ms: 30_000,
      step_remaining_ms: 150_000,
      open_ended: false,
      target_reached: false,
      elapsed_ms: 30_000,
      steps: [
        { kind: "warm_up", planned_ms: 180_000, open_ended: false, state: "current" },
        { kind: "massage", planned_ms: 120_000, open_ended: false, state: "upcoming" },
        { kind: "pump", planned_ms: 900_000, open_ended: true, state: "upcoming" },
      ],
      letdowns: 0,
      side: null,
      ...overrides,
    },
  };
}

test("no session: the idle screen, with undo offered only when possible", () => {
  assert.deepEqual(sessionView({ session: null, can_undo_discard: false }), { mode: "idle", canUndoDiscard: false });
  assert.equal(sessionView({ session: null, can_undo_discard: true }).canUndoDiscard, true);
  assert.equal(sessionView(null).mode, "idle");
});

test("a running step counts down from its deadline as time passes", () => {
  const view = sessionView(snapshot(), 20_400);
  assert.equal(view.stepName, "Warm-up");
  assert.equal(view.clock, "02:10");
  assert.equal(view.clockLabel, "left");
  assert.match(view.cue, /Warm compress on/);
  assert.deepEqual(view.steps.map((s) => s.length), ["3 min", "2 min", "15 min"]);
});

test("a paused step does not count down", () => {
  const view = sessionView(snapshot({ phase: "paused" }), 60_000);
  assert.equal(view.clock, "02:30");
  assert.equal(view.pauseLabel, "Resume");
});

test("an open-ended pump counts to its target, then counts up", () => {
  const pump = { step_kind: "pump", open_ended: true, step_planned_ms: 900_000, step_elapsed_ms: 890_000, step_remaining_ms: 10_000 };
  assert.equal(sessionView(snapshot(pump)).clockLabel, "to your target");
  const after = sessionView(snapshot(pump), 15_000);
  assert.equal(after.clockLabel, "pumping");
  assert.equal(after.clock, "15:05");
  assert.match(after.cue, /Target reached/);
});

test("a complete session shows its whole length and asks to save", () => {
  const view = sessionView(snapshot({ phase: "complete", step_kind: null, elapsed_ms: 3_600_000 }));
  assert.equal(view.stepName, "All done");
  assert.equal(view.clock, "1:00:00");
});

test("let-downs and side are worded for people", () => {
  assert.equal(sessionView(snapshot({ letdowns: 1, side: "left" })).letdownText, "1 let-down");
  assert.equal(sessionView(snapshot({ letdowns: 3 })).letdownText, "3 let-downs");
  assert.equal(sessionView(snapshot({ side: "both" })).sideText, "Side: Both");
  assert.equal(sessionView(snapshot()).sideText, "Side: not set");
});

test("switch side alternates left and right", () => {
  assert.equal(nextSide(null), "left");
  assert.equal(nextSide("left"), "right");
  assert.equal(nextSide("right"), "left");
  assert.equal(nextSide("both"), "left");
});

test("step lengths read naturally", () => {
  assert.equal(stepLength(180_000), "3 min");
  assert.equal(stepLength(2_000), "2 s");
});

test("the redraw timer wakes at the next whole second, only while running", () => {
  assert.equal(msUntilNextTick({ mode: "running" }, 2_300), 700);
  assert.equal(msUntilNextTick({ mode: "paused" }, 2_300), null);
});

test("the finish sheet becomes millilitres, tags and a note", () => {
  assert.deepEqual(
    finishFromForm({ left: "60", right: "45,5", total: "", unit: "ml", comfort: "4", tags: " work, tea ,", note: "  calm " }),
    { amount_left_ml: 60, amount_right_ml: 45.5, amount_total_ml: null, comfort: 4, tags: ["work", "tea"], note: "calm" },
  );
  const oz = finishFromForm({ left: "", right: "", total: "2", unit: "oz", comfort: "", tags: "", note: "" });
  assert.equal(oz.amount_total_ml, 59.1);
  assert.equal(oz.comfort, null);
  assert.equal(oz.note, null);
  // The exact ounce (as Rust's and the diary's): a rounded 29.5735 made this 100.5.
  assert.equal(finishFromForm({ total: "3.4", unit: "oz" }).amount_total_ml, 100.6);
});

test("the finish sheet refuses amounts that are not numbers", () => {
  assert.throws(() => finishFromForm({ left: "lots", unit: "ml" }), /Amounts are numbers/);
  assert.throws(() => finishFromForm({ left: "-5", unit: "ml" }), /Amounts are numbers/);
});

test("the pumping cue uses the baby's name when one is given", async () => {
  const { cueFor } = await import("../../ui/js/view.js");
  assert.equal(cueFor("pump", "  Mia "), "Think of Mia. Imagine the milk flowing.");
  assert.equal(cueFor("pump", ""), "Think of your baby. Imagine the milk flowing.");
  assert.equal(cueFor("massage", "Mia"), cueFor("massage"));
});

test("rotating photos go round in order and start over", async () => {
  const { nextPhoto } = await import("../../ui/js/view.js");
  const photos = [{ id: "a" }, { id: "b" }, { id: "c" }];
  assert.equal(nextPhoto(photos, "a"), "b");
  assert.equal(nextPhoto(photos, "c"), "a");
  assert.equal(nextPhoto(photos, "gone"), "a");
  assert.equal(nextPhoto([], "a"), null);
});

test("the window-sized photo copy is used wherever it covers the window sharply", async () => {
  const { photoCopyFor } = await import("../../ui/js/view.js");
  const landscape = { width: 2560, height: 1920 };
  const portrait = { width: 1920, height: 2560 };
  // The default window (1024 × 700): both shapes of phone photo.
  assert.equal(photoCopyFor(landscape, 1024, 700, 1), "window");
  assert.equal(photoCopyFor(portrait, 1024, 700, 1), "window");
  // A full-HD window, or a dense screen, needs the large copy.
  assert.equal(photoCopyFor(landscape, 1920, 1080, 1), "photo");
  assert.equal(photoCopyFor(landscape, 1024, 700, 2), "photo");
  assert.equal(photoCopyFor(portrait, 1366, 768, 1), "photo");
  // A tall, narrow window crops the sides of a landscape photo.
  assert.equal(photoCopyFor(landscape, 560, 1000, 1), "window");
  assert.equal(photoCopyFor(landscape, 560, 1200, 1), "photo");
  // A small photo has one size of copy; without sizes, the large copy.
  assert.equal(photoCopyFor({ width: 800, height: 600 }, 1920, 1080, 2), "window");
  assert.equal(photoCopyFor({ width: 0, height: 0 }, 1024, 700, 1), "photo");
});

test("the breathing guide is 5 s in, 5 s out: six breaths a minute", async () => {
  const { breathWord } = await import("../../ui/js/view.js");
  const words = Array.from({ length: 12 }, (_, i) => breathWord(i * 5000 + 100));
  assert.equal(words.filter((w) => w === "Breathe in").length, 6);
  assert.deepEqual(words.slice(0, 3), ["Breathe in", "Breathe out", "Breathe in"]);
});

// The session's wide layout at 1366 × 768: the panel on the right, the dial
// and the step's name on the left, the footer along the bottom.
const WIDE = [
  { left: 800, top: 90, right: 1336, bottom: 660 }, // panel
  { left: 290, top: 250, right: 540, bottom: 500 }, // dial
  { left: 330, top: 180, right: 500, bottom: 230 }, // step name
  { left: 0, top: 725, right: 1366, bottom: 768 }, // footer
];
const room = (x, y, blocked) =>
  Math.min(...blocked.map((b) => Math.hypot(Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom))));
const covers = (f, w, h) => f.offset[0] <= 0.01 && f.offset[1] <= 0.01 && f.offset[0] + f.size[0] >= w - 0.01 && f.offset[1] + f.size[1] >= h - 0.01;

test("a photo without a face point is drawn as before: covering, centred", () => {
  const f = framePhoto({ width: 1600, height: 1200, focus: null }, 1366, 768, WIDE);
  assert.equal(f.zoom, 1);
  assert.deepEqual(f.size, [1366, 1024.5]);
  assert.deepEqual(f.offset, [0, -128.25]);
  assert.equal(f.face, null);
  assert.equal(f.gap, false);
});

test("a face under the panel is moved clear of it, any gap behind the panel", () => {
  const photo = { width: 1600, height: 1200, focus: { x: 0.88, y: 0.5 } };
  const f = framePhoto(photo, 1366, 768, WIDE);
  // Where it is drawn is where the face falls.
  assert.ok(Math.abs(f.offset[0] + 0.88 * f.size[0] - f.face[0]) < 0.01);
  assert.ok(Math.abs(f.offset[1] + 0.5 * f.size[1] - f.face[1]) < 0.01);
  assert.ok(f.face[0] < 800, `left of the panel: ${f.face}`);
  assert.ok(room(...f.face, WIDE) >= 0.12 * 768, `clear of everything: ${room(...f.face, WIDE)} px`);
  assert.ok(f.zoom >= 1 && f.zoom <= MAX_ZOOM, "enlarged no more than allowed");
  // Its right edge no longer reaches the window's: the gap is said, and lies
  // mostly behind the panel.
  assert.equal(f.gap, !covers(f, 1366, 768));
  assert.ok(f.offset[0] + f.size[0] > 800 + 100, `the photo reaches well behind the panel: ${JSON.stringify(f)}`);
  // Centred, as before, it lay under the panel.
  assert.ok(0.88 * 1366 > 800);
});

test("a face already clear is not moved or enlarged", () => {
  const photo = { width: 1600, height: 1200, focus: { x: 0.12, y: 0.5 } };
  const f = framePhoto(photo, 1366, 768, WIDE);
  assert.equal(f.zoom, 1);
  assert.deepEqual(f.offset, [0, -128.25]);
  assert.deepEqual(f.face, [0.12 * 1366, 384]);
  assert.equal(f.gap, false);
});

test("a face a little under a control is moved without a gap where the photo allows", () => {
  // A tall photo in a wide window has room to move up and down.
  const photo = { width: 1200, height: 1600, focus: { x: 0.5, y: 0.42 } };
  const dial = { left: 583, top: 234, right: 783, bottom: 434 };
  const f = framePhoto(photo, 1366, 768, [dial]);
  assert.ok(room(...f.face, [dial]) >= 0.12 * 768, JSON.stringify(f));
  assert.equal(f.gap, false);
  assert.ok(covers(f, 1366, 768));
});

test("a face is kept in view, clear of the panel, at every size the layout covers", () => {
  for (const [w, h] of [[1366, 768], [1024, 700], [800, 600]]) {
    // The panel takes the right half or so, as the session's grid does.
    const panel = { left: w * 0.48, top: 40, right: w - 20, bottom: h - 60 };
    for (const focus of [{ x: 0.95, y: 0.1 }, { x: 0.7, y: 0.9 }, { x: 0.5, y: 0.5 }]) {
      const f = framePhoto({ width: 3000, height: 4000, focus }, w, h, [panel]);
      const where = `${w}×${h} ${JSON.stringify(focus)}: ${JSON.stringify(f)}`;
      assert.ok(room(...f.face, [panel]) >= 0.12 * Math.min(w, h), where);
      assert.ok(f.face[0] > 0 && f.face[1] > 0 && f.face[1] < h, where);
      assert.equal(f.gap, !covers(f, w, h), where);
    }
  }
});

test("the controls fade only in a running step, with nothing else on screen", () => {
  const running = { prefs: { hide_controls: true }, snapshot: { session: { phase: "running" } }, finishing: false, dialog: null, discreet: false, noticeUp: false };
  assert.equal(mayFade(running), true);
  for (const [what, change] of [
    ["the setting off", { prefs: { hide_controls: false } }],
    ["paused", { snapshot: { session: { phase: "paused" } } }],
    ["idle", { snapshot: { session: null } }],
    ["the finish sheet", { finishing: true }],
    ["a dialog", { dialog: "settings" }],
    ["discreet", { discreet: true }],
    ["a notice", { noticeUp: true }],
  ]) {
    assert.equal(mayFade({ ...running, ...change }), false, what);
  }
});

test("the baby's video plays unless paused, discreet, hidden or reduced motion", () => {
  const base = { phase: "running", discreet: false, hidden: false, reducedMotion: false };
  assert.equal(videoShouldPlay(base), true);
  assert.equal(videoShouldPlay({ ...base, phase: undefined }), true, "the idle calm screen");
  assert.equal(videoShouldPlay({ ...base, phase: "complete" }), true, "behind the finish sheet");
  for (const stop of [{ phase: "paused" }, { discreet: true }, { hidden: true }, { reducedMotion: true }]) {
    assert.equal(videoShouldPlay({ ...base, ...stop }), false, JSON.stringify(stop));
  }
});

test("the live hint says when the next let-down usually comes, then suggests, while pumping only", async () => {
  const { letdownHint, SLOW_SUGGESTIONS } = await import("../../ui/js/view.js");
  const pattern = {
    usual: [
      { nth: 1, median_s: 120, low_s: 100, high_s: 150, sessions: 20 },
      { nth: 2, median_s: 540, low_s: 500, high_s: 580, sessions: 18 },
    ],
    gaps_s: [420],
  };
  const pumping = (elapsedS, letdownsAtS = []) => ({
    phase: "running",
    step_kind: "pump",
    elapsed_ms: 300_000 + elapsedS * 1000,
    runs: [
      { kind: "warm_up", started_active_ms: 0 },
      { kind: "massage", started_active_ms: 180_000 },
      { kind: "pump", started_active_ms: 300_000 },
    ],
    marks: letdownsAtS.map((s) => ({ kind: "let_down", active_ms: 300_000 + s * 1000 })),
  });
  assert.equal(letdownHint(pumping(30), pattern).text, "Your first let-down often comes around 2 minutes.");
  assert.equal(letdownHint(pumping(140), pattern).late, false);
  // Past the usual time: a suggestion, but not the recording when none plays.
  assert.deepEqual(letdownHint(pumping(151), pattern), { late: true, text: SLOW_SUGGESTIONS[0] });
  assert.equal(letdownHint(pumping(200, [110]), pattern).text, "Your second let-down often comes around 9 minutes.");
  // The clock runs on between snapshots.
  assert.equal(letdownHint(pumping(570, [110]), pattern, 20_000).text, SLOW_SUGGESTIONS[1]);
  assert.equal(letdownHint(pumping(570, [110, 300]), pattern, 0, { recording: true }), null, "no third usually comes");
  // A late first let-down moves the second by the usual gap.
  assert.equal(letdownHint(pumping(650, [300]), pattern).text, "Your second let-down often comes around 12 minutes.");
  assert.equal(letdownHint(pumping(721, [300]), pattern, 0, { recording: true }).text, SLOW_SUGGESTIONS[1]);
  assert.equal(letdownHint(pumping(721, [300, 700]), pattern), null);
  // One marked in the massage counts as the first, at 0 s.
  const early = { ...pumping(60), marks: [{ kind: "let_down", active_ms: 200_000 }] };
  assert.equal(letdownHint(early, pattern).text, "Your second let-down often comes around 9 minutes.");
  assert.equal(letdownHint({ ...pumping(30), step_kind: "massage" }, pattern), null);
  assert.equal(letdownHint({ ...pumping(30), phase: "paused" }, pattern), null);
  assert.equal(letdownHint(pumping(30), null), null);
  assert.equal(letdownHint(pumping(30), { usual: [], gaps_s: [] }), null);
  const short = { usual: [{ nth: 1, median_s: 5.4, low_s: 4, high_s: 7, sessions: 9 }], gaps_s: [] };
  assert.equal(letdownHint(pumping(5), short).text, "Your first let-down often comes around 5 seconds.");
  // With the recording, it is offered in turn too.
  assert.equal(letdownHint(pumping(590, [110]), pattern, 0, { recording: true }).text, SLOW_SUGGESTIONS[1]);
  assert.equal(letdownHint(pumping(800, [110, 300]), { ...pattern, usual: [...pattern.usual, { nth: 3, median_s: 700, low_s: 650, high_s: 750, sessions: 9 }], gaps_s: [420, 100] }, 0, { recording: true }).text, SLOW_SUGGESTIONS[2]);
  for (const text of SLOW_SUGGESTIONS) assert.doesNotMatch(text, /!|now|must|urgent/i);
});

test("the schedule's line on the idle screen says the facts, calmly", async () => {
  const { scheduleLine, offersSnooze, parseTimes } = await import("../../ui/js/view.js");
  // Local times, so the test reads the same in any time zone.
  const at = (d, h, m) => new Date(2026, 11, d, h, m).getTime();
  const now = at(2, 11, 50);
  const status = { on: true, last_ended_ms: at(2, 9, 10), next_due_ms: at(2, 14, 30), reminded_ms: null, snoozed_until_ms: null, paused_today: false };
  assert.equal(scheduleLine(status, now), "Last session 2 h 40 min ago · next around 14:30");
  assert.equal(scheduleLine({ ...status, last_ended_ms: at(2, 11, 25) }, now), "Last session 25 min ago · next around 14:30");
  assert.equal(scheduleLine({ ...status, last_ended_ms: at(2, 11, 50) }, now), "Last session just now · next around 14:30");
  assert.equal(scheduleLine({ ...status, last_ended_ms: at(2, 8, 50) }, now), "Last session 3 h ago · next around 14:30");
  assert.equal(scheduleLine({ ...status, next_due_ms: at(3, 8, 30) }, now), "Last session 2 h 40 min ago · next tomorrow around 08:30");
  assert.equal(scheduleLine({ ...status, next_due_ms: at(7, 8, 30) }, now), "Last session 2 h 40 min ago · next Mon around 08:30");
  assert.equal(scheduleLine({ ...status, next_due_ms: at(2, 11, 40) }, now), "Last session 2 h 40 min ago · next was due around 11:40");
  assert.equal(scheduleLine({ ...status, paused_today: true }, now), "Last session 2 h 40 min ago · no more reminders today");
  // Off: nothing; on, before the first session, only when the next is due.
  assert.equal(scheduleLine({ ...status, on: false }, now), null);
  assert.equal(scheduleLine({ ...status, last_ended_ms: null }, now), "Next around 14:30");
  assert.equal(scheduleLine({ ...status, last_ended_ms: null, next_due_ms: null }, now), null);
  assert.equal(scheduleLine(null, now), null);
  for (const line of [scheduleLine(status, now), scheduleLine({ ...status, next_due_ms: at(2, 11, 40) }, now)]) assert.doesNotMatch(line, /late|missed|overdue|!/i);

  // "Remind me later" for half an hour after a reminder, until a session or a snooze.
  const reminded = { ...status, reminded_ms: at(2, 11, 40) };
  assert.equal(offersSnooze(reminded, now), true);
  assert.equal(offersSnooze(reminded, at(2, 12, 11)), false, "half an hour on");
  assert.equal(offersSnooze({ ...reminded, last_ended_ms: at(2, 11, 45) }, now), false, "pumped since");
  assert.equal(offersSnooze({ ...reminded, snoozed_until_ms: at(2, 12, 5) }, now), false);
  assert.equal(offersSnooze({ ...reminded, on: false }, now), false);
  assert.equal(offersSnooze(status, now), false);

  assert.deepEqual(parseTimes("10:00, 13:30;16.05 9:00"), ["10:00:00", "13:30:00", "16:05:00", "09:00:00"]);
  assert.deepEqual(parseTimes(""), []);
  for (const bad of ["25:00", "10:60", "noon", "10", "10:0"]) assert.equal(parseTimes(bad), null, bad);
});
