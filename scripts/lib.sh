# Shared by scripts/run-app.sh and scripts/run-tests.sh: installs what Letdown
# needs on Debian/Ubuntu, printing what it installs and skipping what is present.
# shellcheck shell=bash

# Tauri's WebKitGTK prerequisites, ALSA headers for rodio, libopus (clip.rs),
# and the GStreamer plugins WebKitGTK plays the baby's video with (H.264 and
# HEVC through libav, their parsers in -bad, WebM and MP4/MOV demuxing in -good).
APP_PACKAGES=(build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev
  libssl-dev librsvg2-dev libasound2-dev libasound2-plugins libopus-dev
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
  libayatana-appindicator3-1 libayatana-appindicator3-dev)
# A virtual screen, the WebDriver bridge, a sound server and the tools tests use.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver pulseaudio pulseaudio-utils sox imagemagick
  dbus-x11 dbus-daemon x11-utils sqlite3 ffmpeg espeak-ng xdotool rpm iproute2 faketime
  opus-tools libheif-examples libvips-tools python3 gstreamer1.0-tools
  python3-dbusmock python3-xlib)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PKG...: installs the ones dpkg does not already have.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == *"install ok installed" ]]; then
      continue
    fi
    missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "System packages: all ${#@} present"
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "Letdown's setup installs packages with apt (Debian/Ubuntu). Please install: ${missing[*]}" >&2
    exit 1
  fi
  say "Installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# heif-enc makes the HEIC fixtures. Debian 12 has its HEVC encoder (x265)
# inside libheif1; Ubuntu 24.04 and Debian 13 ship it as a plugin package.
ensure_heif_encoder() {
  local encoders
  encoders=$(heif-enc --list-encoders 2>/dev/null || true)
  [[ "$encoders" == *"x265"* ]] || ensure_packages libheif-plugin-x265
}

# Node 18+ runs the UI tests (node --test). Ubuntu 22.04's apt node is 12, so
# fall back to the node build published on the npm registry.
ensure_node() {
  command -v node >/dev/null || ensure_packages nodejs
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 18 ]; then
    return
  fi
  local prefix="$ROOT/target/tools/node20"
  if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
    command -v npm >/dev/null || ensure_packages npm
    say "Installing Node.js 20 into target/tools (the system's is too old for node --test)"
    npm install --silent --no-audit --no-fund --prefix "$prefix" node@20
  fi
  export PATH="$prefix/node_modules/node/bin:$PATH"
}

# tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests.
ensure_tauri_driver() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if command -v tauri-driver >/dev/null; then
    return
  fi
  say "Installing tauri-driver (cargo install, about a minute)"
  cargo install tauri-driver --locked --quiet
}

# axe-core (pinned in tests/package.json), injected into the app's window by
# the end-to-end accessibility checks.
ensure_test_tools() {
  if [ -f "$ROOT/tests/node_modules/axe-core/axe.min.js" ]; then
    return
  fi
  command -v npm >/dev/null || ensure_packages npm
  say "Installing the pinned browser test tools (axe-core) into tests/node_modules"
  npm ci --silent --no-audit --no-fund --prefix "$ROOT/tests"
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
cd "$ROOT"
if ! command -v cargo >/dev/null; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "Letdown is built with Rust: install it from rustup first, then run this again." >&2
    exit 1
  fi
fi
