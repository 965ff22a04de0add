// Pure formatting helpers shared by every screen; no DOM here, so node can test them.

/** Milliseconds as a calm clock: "m:ss" under an hour ("03:05"), "h:mm:ss" beyond. */
export function formatClock(ms) {
  const total = Math.max(0, Math.ceil((Number.isFinite(ms) ? ms : 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** The footer line from the `app_info` command. */
export function aboutLine(info) {
  return `${info.name} ${info.version}`;
}
