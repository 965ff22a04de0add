#!/usr/bin/env bash
# Idle CPU hidden in the tray and in a running session (release build, under the test harness's
# virtual screen and sound server). Usage: scripts/bench-idle-cpu.sh
# Results are recorded in BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source scripts/lib.sh
ensure_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_node
ensure_tauri_driver
say "Building Letdown (release)"
cargo build -q --release -p letdown
export LETDOWN_BIN="$ROOT/target/release/letdown"
source tests/harness/env.sh
trap harness_stop EXIT
harness_start
node tests/perf/idle-cpu.mjs
