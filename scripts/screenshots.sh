#!/usr/bin/env bash
# make screenshots: runs the real station app under Xvfb against a demo
# central server and saves PNGs of the main screens into docs/screenshots/.
# The app opens each screen itself (its hidden --screenshot-mode flag signs
# in as the demo user and drives its own widgets), which is steadier than
# aiming synthetic clicks. Everything started here is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export LANG=${LANG:-C.UTF-8}
export LANGUAGE=${LANGUAGE:-zh_CN} # fyne cannot parse the locale "C"; the app picks its language itself

./scripts/install-deps.sh
make --no-print-directory build

out=docs/screenshots
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A free display and port.
display=99
while [[ -e /tmp/.X11-unix/X$display || -e /tmp/.X$display-lock ]]; do display=$((display + 1)); done
port=8710
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"

server=
start_server() {
  bin/syncserver serve --db "$work/central.db" --addr "127.0.0.1:$port" --demo --demo-codes "$work/codes.json" \
    --log-level warn >>"$work/server.log" 2>&1 &
  server=$!
  pids+=("$server")
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the demo server did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
}
start_server
code=$(awk '/"station": "XZ01"/ { found = 1 } found && /"code"/ { gsub(/.*"code": "|".*/, ""); print; exit }' "$work/codes.json")

# shoot SCREEN FILE [extra app flags]: start the app on SCREEN, wait for its
# window, let it settle, capture the screen, stop the app.
shoot() {
  local screen=$1 file=$2
  shift 2
  bin/bianmin --data "$work/station" --server "http://127.0.0.1:$port" --enroll-code "$code" \
    --screenshot-mode "$screen" "$@" >"$work/app-$screen.log" 2>&1 &
  local app=$!
  pids+=("$app")
  local log="$work/app-$screen.log"
  for _ in $(seq 1 300); do
    grep -q "screenshot ready: $screen" "$log" 2>/dev/null && break
    if ! kill -0 "$app" 2>/dev/null; then
      echo "the app stopped:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  sleep 3 # the first frames, the first sync cycle, the status bar
  xdotool mousemove 1270 60 # the pointer off the content: no hover highlight
  sleep 0.5
  import -window root "$out/$file"
  kill "$app"
  wait "$app" 2>/dev/null || true
  echo "saved $out/$file"
}

shoot intake intake.png --seed-demo 40
shoot cases cases.png
shoot detail case-detail.png
shoot inbox inbox.png
# Offline: central stops; the app keeps working and says why it cannot sync.
kill "$server"
wait "$server" 2>/dev/null || true
shoot status sync-status.png
