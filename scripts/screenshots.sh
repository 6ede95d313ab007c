#!/usr/bin/env bash
# Screenshots of the desktop app as a person sees it: the release binary in a real window under
# Xvfb, driven with xdotool, captured with ImageMagick into docs/screenshots/.
#
#   scripts/screenshots.sh [FILE...]      (no files: the bundled demo town)
#
# Needs (Debian/Ubuntu): xvfb xdotool imagemagick mesa-vulkan-drivers libvulkan1 libegl1
# libgl1-mesa-dri libxkbcommon-x11-0. Renderer: wgpu on lavapipe by default; set
# TOWNCIRCLE_RENDERER=glow to use OpenGL (llvmpipe) instead.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=docs/screenshots
mkdir -p "$OUT"
W=1400
H=900
DISPLAY_NUM=${SCREENSHOT_DISPLAY:-:97}

for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || {
        echo "screenshots.sh: $tool is missing; apt-get install xvfb xdotool imagemagick" >&2
        exit 1
    }
done

# TOWNCIRCLE_BIN: a binary to use instead of building the release one here.
if [ -z "${TOWNCIRCLE_BIN:-}" ]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
    cargo build --release --quiet
    TOWNCIRCLE_BIN="$CARGO_TARGET_DIR/release/towncircle"
fi
BIN=$(realpath "$TOWNCIRCLE_BIN")

# A clean home: no remembered language or window size from earlier runs.
TMP_HOME=$(mktemp -d)
export HOME="$TMP_HOME"
export XDG_RUNTIME_DIR="$TMP_HOME/run"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

Xvfb "$DISPLAY_NUM" -screen 0 "${W}x${H}x24" -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
APP_PID=
cleanup() {
    [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
    kill "$XVFB_PID" 2>/dev/null || true
    rm -rf "$TMP_HOME"
}
trap cleanup EXIT
export DISPLAY=$DISPLAY_NUM
sleep 1

shot() {
    import -window root "$OUT/$1.png"
    echo "wrote $OUT/$1.png"
}

start_app() {
    "$BIN" "$@" >"$TMP_HOME/app.log" 2>&1 &
    APP_PID=$!
    # Wait for the window, then for loading to finish and the map to settle.
    for _ in $(seq 1 60); do
        if xdotool search --pid "$APP_PID" >/dev/null 2>&1; then break; fi
        sleep 0.5
    done
    sleep "${SCREENSHOT_SETTLE_S:-6}"
}

stop_app() {
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
    APP_PID=
}

# 1. Start-up (demo town or the given files), Chinese interface.
start_app "$@"
shot 01-start-zh

# 1b. Run the analysis (F5 = 运行分析): coverage chart, isochrones, travel-time grid, gaps
# labelled with their population, uncovered buildings.
xdotool mousemove "${RUN_X:-1062}" "${RUN_Y:-182}" click 1
sleep 0.5
xdotool mousemove 700 300
sleep "${SCREENSHOT_ANALYSIS_S:-12}"
shot 06-analysis-overlays
# The ten-ones tab of the analysis panel (right panel, beside 覆盖率).
xdotool mousemove "${TENONES_TAB_X:-1150}" "${TENONES_TAB_Y:-268}" click 1
sleep 2
shot 07-ten-ones
# Hide the grid and the isochrones again for the plain-map shots below: run nothing, restart.
stop_app
start_app "$@"

# 2. Click a feature near the middle of the map: attributes, highlighted row in the table.
xdotool mousemove 700 300 click 1
sleep 1
xdotool mousemove 702 302
sleep 1
shot 02-feature-selected

# 3. Zoom in with the wheel around the same place.
for _ in 1 2 3; do
    xdotool click 4
    sleep 0.3
done
sleep 2
shot 03-zoomed-in

# 4. The English interface (top right of the menu bar).
xdotool mousemove $((W - 30)) 11 click 1
sleep 1
xdotool mousemove 700 300
sleep 1
shot 04-english
stop_app

# 5. Export the map view as PNG through the app itself (--export-png), as a user's file.
"$BIN" --export-png "$OUT/05-export.png" "$@" >"$TMP_HOME/export.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do
    if ! kill -0 "$APP_PID" 2>/dev/null; then break; fi
    sleep 0.5
done
stop_app
if [ -f "$OUT/05-export.png" ]; then
    echo "wrote $OUT/05-export.png (exported by the app)"
else
    echo "screenshots.sh: --export-png wrote nothing; log:" >&2
    cat "$TMP_HOME/export.log" >&2
    exit 1
fi
