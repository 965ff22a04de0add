#!/usr/bin/env bash
# Release packages with the Tauri bundler: .deb and .rpm here (Linux). The
# bundler is @tauri-apps/cli, pinned in packaging/package.json to the tauri
# crate's version and installed into packaging/node_modules if missing.
# Windows (.msi, NSIS .exe) and macOS (.app, .dmg) come from the same
# src-tauri/tauri.conf.json run on those systems (docs/PACKAGING.md).
# Usage: scripts/package.sh   → target/release/bundle/{deb,rpm}/
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_packages "${APP_PACKAGES[@]}"
ensure_node
if [ ! -x "$ROOT/packaging/node_modules/.bin/tauri" ]; then
  command -v npm >/dev/null || ensure_packages npm
  say "Installing the pinned Tauri bundler (@tauri-apps/cli) into packaging/node_modules"
  # (install, not ci: npm 11 leaves the other platforms' optional binaries
  # out of the lock file and then refuses it in ci; the version is pinned.)
  npm install --silent --no-audit --no-fund --prefix "$ROOT/packaging"
fi
say "Building release packages (.deb, .rpm) with tauri $("$ROOT/packaging/node_modules/.bin/tauri" --version | cut -d' ' -f2)"
# From src-tauri/: the bundler looks for tauri.conf.json below the current
# folder, and perf/baseline has one too.
cd "$ROOT/src-tauri"
"$ROOT/packaging/node_modules/.bin/tauri" build --ci --bundles deb rpm
ls -l "$ROOT"/target/release/bundle/deb/*.deb "$ROOT"/target/release/bundle/rpm/*.rpm
