// Says when the page has loaded and painted, as Letdown's UI does for its photo.
window.addEventListener("load", () =>
  requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI__.core.invoke("ready"))),
);
