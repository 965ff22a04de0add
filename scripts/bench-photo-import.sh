#!/usr/bin/env bash
# Photo import benchmark: Letdown's import (its probe process started, the
# photo decoded, turned upright, resized to 2560 px, three copies encoded)
# beside vipsthumbnail and ImageMagick on generated 24-megapixel camera JPEGs,
# and beside heif-convert (libheif) and vipsthumbnail on a 12-megapixel
# iPhone-sized HEIC, alternately, in one run. Then the cost of starting the
# probe alone (a 120×90 GIF). Prints median wall time, spread, peak memory
# and the ratios.
# Usage: scripts/bench-photo-import.sh [RUNS]   (results go in BENCHMARKS.md)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
runs=${1:-9}

ensure_packages "${APP_PACKAGES[@]}" imagemagick libvips-tools libimage-exiftool-perl libheif-examples time
ensure_heif_encoder
work="$ROOT/target/bench-photo"
mkdir -p "$work"
# make_photo FILE NOISE: a 6000×4000 camera-like JPEG (fractal detail plus
# sensor noise; more noise makes a larger file that is slower to decode),
# tagged with EXIF orientation 6 as a phone held upright tags it.
make_photo() {
  [ -s "$1" ] && return
  convert -size 1500x1000 plasma:fractal -seed 3 -resize '6000x4000!' -attenuate "$2" \
    +noise Gaussian -quality 92 "$1"
  exiftool -q -overwrite_original -n -Orientation=6 "$1"
}
make_photo "$work/camera-24mp-typical.jpg" 0.15
make_photo "$work/camera-24mp-noisy.jpg" 0.4
# An iPhone's 12 MP (4032×3024) HEIC, from the same kind of picture.
if [ ! -s "$work/iphone-12mp.heic" ]; then
  convert -size 1344x1008 plasma:fractal -seed 5 -resize '4032x3024!' -attenuate 0.15 \
    +noise Gaussian -quality 95 "$work/iphone-12mp.jpg"
  heif-enc -q 50 "$work/iphone-12mp.jpg" -o "$work/iphone-12mp.heic" >/dev/null
fi
convert -size 120x90 xc:'#f3d9a4' "$work/tiny.gif"
say "Building the import example (release profile)"
cargo build -q --release -p letdown --example import_photo --bin letdown
letdown="$ROOT/target/release/examples/import_photo"

# run NAME CMD...: one timed run; appends "ms peak_kb" to $work/NAME.txt.
run() {
  local name=$1
  shift
  rm -rf "$work/out" && mkdir -p "$work/out"
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/mem" "$@" >/dev/null
  end=$(date +%s%N)
  echo "$(((end - start) / 1000000)) $(cat "$work/mem")" >>"$work/$name.txt"
}

# stats NAME: median ms, min and max ms, peak memory MB
stats() {
  sort -n "$work/$1.txt" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
    END { printf "%d %d %d %.0f\n", t[int((NR + 1) / 2)], t[1], t[NR], m / 1024 }'
}

# compare PHOTO TOOL...: each tool (a name run_TOOL knows) on PHOTO, alternately.
compare() {
  local photo=$1 tool
  shift
  (cd "$work" && rm -f -- "${@/%/.txt}")
  say "$(basename "$photo"): $(identify -format '%wx%h, %b' "$photo" 2>/dev/null | head -1), $runs runs each, alternating, after one warm-up"
  for ((i = 0; i <= runs; i++)); do
    for tool in "$@"; do "run_$tool" "$photo"; done
    [ "$i" -eq 0 ] && (cd "$work" && rm -f -- "${@/%/.txt}")
  done
  read -r l_med _ < <(stats "$1")
  printf '%-16s %8s %14s %10s %12s\n' tool median range peak-mem "Letdown / it"
  for tool in "$@"; do
    read -r med min max mem < <(stats "$tool")
    printf '%-16s %6d ms %6d–%-6d %7d MB %12.2f\n' "$tool" "$med" "$min" "$max" "$mem" \
      "$(awk -v a="$l_med" -v b="$med" 'BEGIN { print a / b }')"
  done
}
run_letdown() { run letdown "$letdown" "$1" "$work/out"; }
run_vipsthumbnail() { run vipsthumbnail vipsthumbnail -s 2560x2560 "$1" -o "$work/out/vips.jpg"; }
run_convert() { run convert convert "$1" -auto-orient -resize 2560x2560 "$work/out/im.jpg"; }
run_heif_convert() { run heif_convert heif-convert -q 85 "$1" "$work/out/heif.jpg"; }

for photo in "$work"/camera-24mp-{typical,noisy}.jpg; do
  compare "$photo" letdown vipsthumbnail convert
done
compare "$work/iphone-12mp.heic" letdown heif_convert vipsthumbnail
say "Starting the probe: the whole import of a 120×90 GIF"
compare "$work/tiny.gif" letdown
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
