#!/usr/bin/env bash
# make demo: a central server on embedded SQLite with the demo catalog and
# demo stations, and the station app enrolled at 青山镇便民服务中心 (XZ01).
# Everything lives in .demo/; a second run reuses the enrolled station.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export LANG=${LANG:-C.UTF-8}
export LANGUAGE=${LANGUAGE:-zh_CN} # fyne cannot parse the locale "C"; the app picks its language itself

./scripts/install-deps.sh
make --no-print-directory build

addr=127.0.0.1:8700
mkdir -p .demo
if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then
  echo "something already listens on $addr; stop it (an earlier demo server?) and try again" >&2
  exit 1
fi

bin/syncserver serve --db .demo/central.db --addr "$addr" --demo --demo-codes .demo/codes.json \
  --log-level warn >.demo/server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the demo server stopped; see .demo/server.log:" >&2
    cat .demo/server.log >&2
    exit 1
  fi
  sleep 0.1
done

# The XZ01 (township) code from the codes the server just issued.
code=$(awk '/"station": "XZ01"/ { found = 1 } found && /"code"/ { gsub(/.*"code": "|".*/, ""); print; exit }' .demo/codes.json)
echo "central: http://$addr (log: .demo/server.log); station XZ01 enrollment code: $code"
echo "station app: data in .demo/station; sign in as demo / demo1234"
bin/bianmin --data .demo/station --server "http://$addr" --enroll-code "$code" --demo-user "$@"
