#!/usr/bin/env bash
# Longer fuzzing runs of the property tests in src-tauri/tests/fuzz.rs: the
# photo import, the recording probe and every JSON shape a command accepts,
# with damaged real files and arbitrary JSON. Bounded by a case count per
# target (default 5000; about 5 minutes on 2 cores). Failing inputs are kept
# in src-tauri/proptest-regressions/ and replayed by every later test run.
# Usage: scripts/fuzz.sh [CASES]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_packages "${APP_PACKAGES[@]}" imagemagick ffmpeg sox espeak-ng
cd "$ROOT"
PROPTEST_CASES=${1:-5000} cargo test --release -p letdown --test fuzz -- --nocapture
