#!/usr/bin/env bash
# Longer fuzzing runs of the property tests in src-tauri/tests/fuzz.rs: the
# photo and recording imports and every JSON shape a command accepts, with
# damaged real files and arbitrary JSON. Imports go through the media probe,
# which here is the release build of the app (CARGO_BIN_EXE_letdown under
# --release: panic = "abort", as shipped), so a decoder crash is met as the
# parent's app meets it. Bounded by a case count per
# target (default 5000; about 5 minutes on 2 cores). Failing inputs are kept
# in src-tauri/proptest-regressions/ and replayed by every later test run.
# Usage: scripts/fuzz.sh [CASES]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_packages "${APP_PACKAGES[@]}" imagemagick ffmpeg sox espeak-ng opus-tools libheif-examples python3
ensure_heif_encoder
cd "$ROOT"
PROPTEST_CASES=${1:-5000} cargo test --release -p letdown --test fuzz -- --nocapture
