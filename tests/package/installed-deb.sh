#!/usr/bin/env bash
# The .deb as a parent's computer gets it: installed with apt (which pulls in
# its dependencies), its desktop entry and icons in place, and the installed
# /usr/bin/letdown started under the harness's virtual screen until its window
# shows. Removes the package afterwards. Needs the harness (DISPLAY) and root.
# Usage (from scripts/run-tests.sh): tests/package/installed-deb.sh DEB RPM
set -euo pipefail
deb=${1:?the .deb}
rpm=${2:?the .rpm}
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }
: "${DISPLAY:?run through scripts/run-tests.sh (needs the harness)}"

# What the package says about itself. Each answer is read whole before grep
# looks at it: with pipefail, `cmd | grep -q` fails when grep stops reading
# early and cmd dies of SIGPIPE, as it did on the multi-line Description.
[ "$(dpkg-deb -f "$deb" Package)" = "letdown" ] || fail "package name: $(dpkg-deb -f "$deb" Package)"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libasound2 <<<"$depends" || fail "Depends lacks libasound2: $depends"
grep -q libopus0 <<<"$depends" || fail "Depends lacks libopus0 (Opus recordings): $depends"
grep -q libayatana-appindicator3-1 <<<"$depends" || fail "Depends lacks libayatana-appindicator3-1 (the tray): $depends"
for gst in gstreamer1.0-plugins-good gstreamer1.0-libav; do
  grep -q "$gst" <<<"$depends" || fail "Depends lacks $gst (the baby's video): $depends"
done
description=$(dpkg-deb -f "$deb" Description)
grep -qi "calm pumping companion" <<<"$description" || fail "description: $description"
pass ".deb control: name, description, libasound2, libopus0 and GStreamer dependencies"
header=$(rpm -qp --queryformat '%{NAME} %{SUMMARY}\n' "$rpm" 2>&1)
grep -q "^letdown .*calm pumping companion" <<<"$header" || fail "rpm header: $header"
requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
grep -q alsa-lib <<<"$requires" || fail "rpm does not require alsa-lib: $requires"
grep -q '^opus' <<<"$requires" || fail "rpm does not require opus: $requires"
grep -q '^gstreamer1-libav' <<<"$requires" || fail "rpm does not require gstreamer1-libav: $requires"
files=$(rpm -qlp "$rpm" 2>/dev/null)
grep -q '^/usr/bin/letdown$' <<<"$files" || fail "rpm lacks /usr/bin/letdown"
pass ".rpm header: name, summary, alsa-lib, opus, gstreamer1-libav, /usr/bin/letdown"

dpkg -r letdown >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >/dev/null
trap 'dpkg -r letdown >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
home=$(mktemp -d)
desktop=/usr/share/applications/Letdown.desktop
[ -f "$desktop" ] || fail "no desktop entry: $(dpkg -L letdown | grep desktop)"
grep -qx 'Name=Letdown' "$desktop" || fail "desktop Name: $(cat "$desktop")"
grep -qx 'Exec=letdown' "$desktop" || fail "desktop Exec: $(cat "$desktop")"
grep -qx 'Icon=letdown' "$desktop" || fail "desktop Icon: $(cat "$desktop")"
grep -qx 'Categories=Utility;' "$desktop" && grep -q '^Keywords=.*breast pump' "$desktop" || fail "desktop Categories: $(cat "$desktop")"
grep -q '^Comment=A calm pumping companion' "$desktop" || fail "desktop Comment: $(cat "$desktop")"
for size in 32x32 128x128 256x256@2; do
  [ -f "/usr/share/icons/hicolor/$size/apps/letdown.png" ] || fail "icon $size missing: $(dpkg -L letdown | grep icons)"
done
pass "installed: desktop entry (name, exec, icon, categories, comment) and icons"

XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" /usr/bin/letdown >"$home/app.log" 2>&1 &
app=$!
windows=$(timeout 30 xdotool search --sync --onlyvisible --name '^Letdown$') \
  || fail "no Letdown window within 30 s: $(cat "$home/app.log")"
window=${windows%%$'\n'*}
# Wait for the calm screen to be painted: the picture stops being one flat
# colour (the window's background) once the page, photo and text are drawn.
mkdir -p target/e2e-screens
shot=target/e2e-screens/installed-deb.png
painted=""
for _ in $(seq 1 150); do
  import -window "$window" "$shot"
  spread=$(convert "$shot" -format '%[fx:standard_deviation]' info:)
  if awk -v s="$spread" 'BEGIN { exit !(s > 0.05) }'; then painted=$spread; break; fi
  sleep 0.2
done
[ -n "$painted" ] || fail "the window never showed more than a flat colour: $(cat "$home/app.log")"
[ -s "$home/data/app.letdown.desktop/diary.sqlite3" ] || fail "the installed app made no diary"
kill "$app"; wait "$app" 2>/dev/null || true
pass "the installed /usr/bin/letdown opened its window ($window); screenshot target/e2e-screens/installed-deb.png"
