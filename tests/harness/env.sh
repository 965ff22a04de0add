# The test world: a virtual screen (Xvfb) and a private PulseAudio server whose
# default output is a null sink that tests can record. Source it, then call
# harness_start; harness_stop tears it down. It never touches a developer's own
# display or sound server: everything lives in its own temporary folder.
# shellcheck shell=bash

LETDOWN_TEST_SINK=letdown_test

harness_start() {
  HARNESS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/letdown-harness.XXXXXX")
  export HARNESS_DIR

  # Xvfb picks a free display itself and writes its number to fd 3.
  Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$HARNESS_DIR/display" \
    >"$HARNESS_DIR/xvfb.log" 2>&1 &
  HARNESS_XVFB_PID=$!
  local waited=0
  until [ -s "$HARNESS_DIR/display" ]; do
    if ! kill -0 "$HARNESS_XVFB_PID" 2>/dev/null || [ $waited -ge 100 ]; then
      echo "Xvfb did not start:" >&2; cat "$HARNESS_DIR/xvfb.log" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  export DISPLAY=":$(tr -d '\n' <"$HARNESS_DIR/display")"
  export WEBKIT_DISABLE_DMABUF_RENDERER=1

  # A private PulseAudio: no default.pa (-n), so no real cards and no
  # suspend-on-idle (which would clip the start of every recording).
  mkdir -m 700 -p "$HARNESS_DIR/run"
  export XDG_RUNTIME_DIR="$HARNESS_DIR/run"
  export PULSE_RUNTIME_PATH="$HARNESS_DIR/run/pulse"
  export PULSE_STATE_PATH="$HARNESS_DIR/pulse-state"
  export PULSE_SERVER="unix:$HARNESS_DIR/pulse.sock"
  export PULSE_COOKIE="$HARNESS_DIR/pulse-cookie"
  export LETDOWN_TEST_SINK
  pulseaudio -n --daemonize=no --exit-idle-time=-1 --log-target=file:"$HARNESS_DIR/pulse.log" \
    -L "module-native-protocol-unix auth-anonymous=1 socket=$HARNESS_DIR/pulse.sock" \
    -L "module-null-sink sink_name=$LETDOWN_TEST_SINK rate=44100 channels=2" \
    >/dev/null 2>&1 &
  HARNESS_PULSE_PID=$!
  waited=0
  until pactl info >/dev/null 2>&1; do
    if ! kill -0 "$HARNESS_PULSE_PID" 2>/dev/null || [ $waited -ge 100 ]; then
      echo "PulseAudio did not start:" >&2; cat "$HARNESS_DIR/pulse.log" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  pactl set-default-sink "$LETDOWN_TEST_SINK"

  # A private session bus, as a desktop has: the single-instance plugin
  # finds the running Letdown through it.
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$HARNESS_DIR/bus"
  dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS" \
    >"$HARNESS_DIR/dbus.log" 2>&1 &
  HARNESS_DBUS_PID=$!
  waited=0
  until [ -S "$HARNESS_DIR/bus" ]; do
    if ! kill -0 "$HARNESS_DBUS_PID" 2>/dev/null || [ $waited -ge 100 ]; then
      echo "dbus-daemon did not start:" >&2; cat "$HARNESS_DIR/dbus.log" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  echo "Test harness: display $DISPLAY, sound server $PULSE_SERVER (sink $LETDOWN_TEST_SINK), session bus $DBUS_SESSION_BUS_ADDRESS"
}

harness_stop() {
  [ -n "${HARNESS_DBUS_PID:-}" ] && kill "$HARNESS_DBUS_PID" 2>/dev/null
  [ -n "${HARNESS_PULSE_PID:-}" ] && kill "$HARNESS_PULSE_PID" 2>/dev/null
  [ -n "${HARNESS_XVFB_PID:-}" ] && kill "$HARNESS_XVFB_PID" 2>/dev/null
  wait 2>/dev/null
  [ -n "${HARNESS_DIR:-}" ] && rm -rf "$HARNESS_DIR"
  return 0
}
