import { test } from "node:test";
import assert from "node:assert/strict";
import { formatClock, aboutLine } from "../../ui/js/format.js";

test("formatClock shows minutes and seconds with leading zeros", () => {
  assert.equal(formatClock(0), "00:00");
  assert.equal(formatClock(185_000), "03:05");
  assert.equal(formatClock(59 * 60_000 + 59_000), "59:59");
});

test("formatClock rounds partial seconds up so a countdown never shows 00:00 early", () => {
  assert.equal(formatClock(200), "00:01");
  assert.equal(formatClock(60_001), "01:01");
});

test("formatClock switches to hours past an hour", () => {
  assert.equal(formatClock(3_600_000), "1:00:00");
  assert.equal(formatClock(3_725_000), "1:02:05");
});

test("formatClock never shows a negative or broken time", () => {
  assert.equal(formatClock(-5000), "00:00");
  assert.equal(formatClock(NaN), "00:00");
  assert.equal(formatClock(undefined), "00:00");
});

test("aboutLine names the app and its version", () => {
  assert.equal(aboutLine({ name: "Letdown", version: "0.1.0" }), "Letdown 0.1.0");
});
