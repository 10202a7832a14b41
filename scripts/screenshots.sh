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
# The central staff's screens (inbox, case review, dashboard), from a
# computer that is not a station. They need the server's central staff API
# and `syncserver user create`; a server without them is skipped, said so.
central_user() { # name role department
  BIANMIN_DB="$work/central.db" bin/syncserver user create --username "$1" --role "$2" ${3:+--department "$3"} \
    --password-file "$work/central-password" >>"$work/central-users.log" 2>&1
}
shoot_central() { # screen file user
  local screen=$1 file=$2 user=$3 log="$work/app-$1.log"
  bin/bianmin --data "$work/central-app" --screenshot-mode "$screen" --central-server "http://127.0.0.1:$port" \
    --central-user "$user" --central-password "$(cat "$work/central-password")" >"$log" 2>&1 &
  local app=$!
  pids+=("$app")
  local ready=
  for _ in $(seq 1 300); do
    if grep -q "screenshot ready: $screen" "$log" 2>/dev/null; then ready=1; break; fi
    if grep -q "screenshot unavailable" "$log" 2>/dev/null || ! kill -0 "$app" 2>/dev/null; then break; fi
    sleep 0.2
  done
  if [[ -z $ready ]]; then
    echo "skipped $out/$file: $(grep -m1 "screenshot unavailable" "$log" || echo "the app did not open $screen")" >&2
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    return 1
  fi
  sleep 3
  xdotool mousemove 1270 60
  sleep 0.5
  import -window root "$out/$file"
  kill "$app"
  wait "$app" 2>/dev/null || true
  echo "saved $out/$file"
}
# The station forwards what central decides, so the inboxes have cases.
bin/bianmin --data "$work/station" --server "http://127.0.0.1:$port" --screenshot-mode forward >"$work/app-forward.log" 2>&1 &
fwd=$!
pids+=("$fwd")
for _ in $(seq 1 150); do
  grep -q "screenshot ready: forward" "$work/app-forward.log" 2>/dev/null && break
  kill -0 "$fwd" 2>/dev/null || break
  sleep 0.2
done
sleep 5 # the sync cycle that sends them
kill "$fwd" 2>/dev/null || true
wait "$fwd" 2>/dev/null || true
echo "shots-central-2026" >"$work/central-password"
# One user per department and step of the demo workflows: the inbox shots
# sign in as each in turn until one has cases waiting.
reviewers=
central_ok=1
central_user shot-admin admin "" || central_ok=
for dept in mz cl zr nn rs yb wj ga sf ty sc xf; do
  for role in handler reviewer approver; do
    [[ -n $central_ok ]] && { central_user "shot-$dept-$role" "$role" "$dept" || central_ok=; }
    reviewers+="${reviewers:+,}shot-$dept-$role"
  done
done
if [[ -n $central_ok ]]; then
  shoot_central central-inbox central-inbox.png "$reviewers" &&
    shoot_central central-review central-review.png "$reviewers" &&
    shoot_central central-dashboard central-dashboard.png shot-admin ||
    echo "central screenshots skipped: the server does not serve the central staff API yet" >&2
else
  echo "central screenshots skipped: syncserver cannot create central users yet ($(tail -n1 "$work/central-users.log"))" >&2
fi

# Offline: central stops; the app keeps working and says why it cannot sync.
kill "$server"
wait "$server" 2>/dev/null || true
shoot status sync-status.png
