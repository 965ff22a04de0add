#!/usr/bin/env bash
# What the baby's video costs: idle CPU of a running session (release build,
# under the test harness's virtual screen and sound server) with a phone-like
# video shown, beside the same session with a photo, and beside GStreamer's
# own player (gst-launch-1.0 playbin, picture only, as Letdown shows it
# muted) playing the same file: the floor for a WebKitGTK webview, which
# plays video through GStreamer. Usage: scripts/bench-video-cpu.sh
# (RUNS=3 by default). Results are recorded in BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"
ensure_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_node

say "Building Letdown (release profile)"
cargo build -q --release -p letdown --bin letdown
cargo build -q --release -p letdown --example perf_data

work="$ROOT/target/bench-video"
rm -rf "$work" && mkdir -p "$work"
# A phone's video: 720p, 30 frames a second, H.264 at 6 Mbit/s, a minute long
# (on Linux Letdown plays it through Media Source, docs/PACKAGING.md).
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=${VIDEO_SIZE:-1280x720}:rate=30:duration=60" \
  -c:v libx264 -preset veryfast -b:v 6M -maxrate 6M -bufsize 6M -pix_fmt yuv420p "$work/phone.mp4"
ffmpeg -hide_banner -loglevel error -y -i "$work/phone.mp4" -frames:v 1 "$work/poster.jpg"
convert -size 1008x756 plasma:fractal -seed 5 -resize '4032x3024!' -quality 90 "$work/photo.jpg"
"$ROOT/target/release/examples/perf_data" "$work/data-photo" "$work/photo.jpg"
"$ROOT/target/release/examples/perf_data" "$work/data-video" "$work/photo.jpg" "$work/phone.mp4" "$work/poster.jpg"

export LETDOWN_BIN="$ROOT/target/release/letdown" BENCH_WORK="$work"
# shellcheck source=tests/harness/env.sh
source tests/harness/env.sh
trap harness_stop EXIT
harness_start
say "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
node tests/perf/video-cpu.mjs
