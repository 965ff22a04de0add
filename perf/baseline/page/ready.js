// Says when the page is painted, at the same point Letdown's UI does: once
// its module script has run (the document is parsed), two frames later.
// (Waiting for `load` instead made the floor slower than Letdown itself.)
// Sends the same page timings as Letdown's UI, for the benchmark's breakdown.
const marks = { script: performance.now(), origin: performance.timeOrigin };
requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    marks.painted = performance.now();
    const [page] = performance.getEntriesByType("navigation");
    if (page) Object.assign(marks, { html: page.responseEnd, parsed: page.domInteractive });
    window.__TAURI__.core.invoke("ready", { marks });
  }),
);
