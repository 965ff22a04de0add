// What /proc says about a process tree, for the benchmarks in tests/perf/.
import { readFileSync } from "node:fs";
import { descendants } from "../e2e/driver.mjs";

export const TICKS = 100; // USER_HZ on Linux

/** A process and everything it started (WebKit's web and network processes). */
export const tree = (pid) => [pid, ...descendants(pid)];

/** CPU time (user + system) of these processes, in ticks. */
export function cpuTicks(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name; utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a process that ended meanwhile
    }
  }
  return total;
}

/** Proportional set size of these processes, summed, in MiB. */
export function pssMiB(pids) {
  let kib = 0;
  for (const pid of pids) {
    try {
      const line = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n").find((l) => l.startsWith("Pss:"));
      kib += Number(line.split(/\s+/)[1]);
    } catch {
      // a process that ended meanwhile
    }
  }
  return kib / 1024;
}
