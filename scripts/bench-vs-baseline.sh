#!/usr/bin/env bash
# Letdown beside an empty Tauri 2 app (perf/baseline), both release builds,
# run alternately under the test harness (virtual screen, private sound
# server): start-up to the photo painted, memory after start and after a
# 1-minute session, idle CPU during it, and binary size, as medians, spreads
# and ratios. Usage: scripts/bench-vs-baseline.sh   (RUNS=5 by default;
# results and the machine go in BENCHMARKS.md). Takes about 2 × RUNS minutes
# after the builds.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"
ensure_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_node

say "Building Letdown and the baseline (release profile)"
# One at a time: built together, Cargo would give each the other's crate
# features (the baseline's default Tauri features made Letdown 160 KB larger
# than the Letdown that is shipped, and the baseline not the stock app).
cargo build -q --release -p letdown --bin letdown
cargo build -q --release -p letdown-baseline
cargo build -q --release -p letdown --example perf_data

work="$ROOT/target/bench-startup"
rm -rf "$work" && mkdir -p "$work"
# A phone photo's size and detail (12 MP), made here, never downloaded.
convert -size 1008x756 plasma:fractal -seed 5 -resize '4032x3024!' -attenuate 0.2 \
  +noise Gaussian -quality 90 "$work/phone.jpg"
"$ROOT/target/release/examples/perf_data" "$work/data" "$work/phone.jpg"

export LETDOWN_BIN="$ROOT/target/release/letdown"
export BASELINE_BIN="$ROOT/target/release/letdown-baseline"
export LETDOWN_PERF_DATA="$work/data"
# shellcheck source=tests/harness/env.sh
source tests/harness/env.sh
trap harness_stop EXIT
harness_start
say "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
node tests/perf/vs-baseline.mjs
