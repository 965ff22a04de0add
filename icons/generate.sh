#!/usr/bin/env bash
# Renders icons/letdown.svg to every icon Tauri's bundler needs (PNGs, .ico, .icns).
# Needs rsvg-convert (Debian: librsvg2-bin) and npm; the outputs are committed,
# so this only runs when the drawing changes.
set -euo pipefail
cd "$(dirname "$0")"
tools="../target/tools"
if [ ! -x "$tools/node_modules/.bin/tauri" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools" @tauri-apps/cli@2
fi
rsvg-convert -w 1024 -h 1024 letdown.svg -o ../target/letdown-1024.png
"$tools/node_modules/.bin/tauri" icon ../target/letdown-1024.png --output .
# Mobile icon sets are not used: Letdown is a desktop app.
rm -rf android ios
