#!/usr/bin/env bash
# Quick start, command two: installs what is missing, then runs every test —
# formatting and lints, Rust tests (with a real sound server), UI logic tests
# with node, and end-to-end tests of the real app in a real window.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_heif_encoder
ensure_node
ensure_tauri_driver
ensure_test_tools

say "Formatting (cargo fmt --check)"
cargo fmt --all --check
say "Lints (cargo clippy -D warnings)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# Each test records the faults it tried; docs/FAULTS.md is made from them.
rm -rf target/faults

source tests/harness/env.sh
trap harness_stop EXIT
harness_start

say "Rust tests (with the harness's sound server)"
cargo test --workspace -- --include-ignored
say "UI logic tests (node --test)"
node --test tests/ui/*.test.mjs
say "Building the app for the end-to-end tests"
# First a copy whose page cannot run its scripts, as a damaged install would
# be: the same app built with a syntax error in main.js (TAURI_CONFIG is
# merged into tauri.conf.json at build time), for not-started.test.mjs.
broken_ui="$ROOT/target/broken-ui"
rm -rf "$broken_ui" && cp -r ui "$broken_ui"
echo "this is not JavaScript (" >>"$broken_ui/js/main.js"
TAURI_CONFIG="{\"build\":{\"frontendDist\":\"$broken_ui\"}}" cargo build -p letdown --quiet --bin letdown
# Its own folder, so the process is still called "letdown".
mkdir -p target/broken-ui-app && cp target/debug/letdown target/broken-ui-app/letdown
export LETDOWN_BROKEN_UI_BIN="$ROOT/target/broken-ui-app/letdown"
cargo build -p letdown --quiet --bins --examples
export LETDOWN_BIN="$ROOT/target/debug/letdown"
say "End-to-end tests on the real app (screenshots in target/e2e-screens/)"
# One file at a time: each test launches the app on the shared virtual screen.
for suite in tests/e2e/*.test.mjs; do
  case "$suite" in
    # No network at all: a new network namespace with only loopback up.
    */offline.test.mjs) unshare --net sh -c 'ip link set lo up && exec node --test "$0"' "$suite" ;;
    *) node --test "$suite" ;;
  esac
done
say "The diary and session suites again, at 00:05 on the 1st of this month"
# No test may depend on today's date: these two read days, weeks and months
# back from the app, so they run once more with every process's clock moved
# to just after midnight on the 1st (libfaketime; monotonic clocks untouched).
month_start=$(date -d "$(date +%Y-%m-01) 00:05:00" +%s)
shift_by=$(printf '%+ds' $((month_start - $(date +%s))))
for suite in diary session; do
  faketime -m --exclude-monotonic -f "$shift_by" node --test "tests/e2e/$suite.test.mjs"
done
say "Release packages (.deb, .rpm), then the .deb installed and started"
"$ROOT/scripts/package.sh"
say "The decoding wall in the release build (panic = \"abort\", as shipped)"
LETDOWN_PROBE_BIN="$ROOT/target/release/letdown" cargo test -p letdown --test probe
tests/package/installed-deb.sh "$(ls target/release/bundle/deb/*.deb)" "$(ls target/release/bundle/rpm/*.rpm)"
say "The fault table (docs/FAULTS.md) from what the tests tried"
node scripts/fault-table.mjs
say "All tests passed"
