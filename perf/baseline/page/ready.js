// Says when the page is painted, at the same point Letdown's UI does: once
// its module script has run (the document is parsed), two frames later.
// (Waiting for `load` instead made the floor slower than Letdown itself.)
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI__.core.invoke("ready")));
