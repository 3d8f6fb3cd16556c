#!/usr/bin/env bash
# A local Pcn cluster of N silos on 127.0.0.1 (localhost clustering; the first silo is the primary).
#   bash scripts/cluster.sh start [N]   start N silos (default 2): silo ports 11111.., gateways 30000.., HTTP 8080..
#   bash scripts/cluster.sh status      which silos run, and their /health
#   bash scripts/cluster.sh stop        stop them (by the PIDs recorded at start)
# Then: dotnet src/Client/bin/Release/net10.0/pcn.dll train --cluster 127.0.0.1:30000 [options]
set -euo pipefail
cd "$(dirname "$0")/.."
state=".cluster"
command=${1:-status}
count=${2:-2}

case "$command" in
  start)
    if [ -d "$state" ] && ls "$state"/*.pid >/dev/null 2>&1; then
      echo "A cluster is already recorded in $state; run 'bash scripts/cluster.sh stop' first." >&2
      exit 1
    fi
    bash scripts/install-deps.sh
    dotnet build src/Silo -c Release --nologo -v quiet
    mkdir -p "$state"
    for ((i = 0; i < count; i++)); do
      primary=0; [ "$i" -gt 0 ] && primary=11111
      dotnet src/Silo/bin/Release/net10.0/pcn-silo.dll --silo-port $((11111 + i)) --gateway-port $((30000 + i)) \
        --http-port $((8080 + i)) --primary-silo-port "$primary" --state-dir "$state/state" --checkpoint-dir "$state/checkpoints" \
        > "$state/silo$i.log" 2>&1 &
      echo $! > "$state/silo$i.pid"
      # Wait for each silo's health endpoint before starting the next (the primary must be up first).
      for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$((8080 + i))/health" >/dev/null 2>&1 && break
        sleep 0.5
      done
      curl -fs "http://127.0.0.1:$((8080 + i))/health" >/dev/null || { echo "silo $i did not become healthy; see $state/silo$i.log" >&2; exit 1; }
      echo "silo $i: silo port $((11111 + i)), gateway 127.0.0.1:$((30000 + i)), http://127.0.0.1:$((8080 + i))/health (pid $(cat "$state/silo$i.pid"))"
    done
    ;;
  status)
    for pid_file in "$state"/*.pid; do
      [ -e "$pid_file" ] || { echo "no cluster recorded in $state"; exit 0; }
      i=$(basename "$pid_file" .pid); i=${i#silo}
      if kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        echo "silo $i: running (pid $(cat "$pid_file")), health: $(curl -fs "http://127.0.0.1:$((8080 + i))/health" || echo unreachable)"
      else
        echo "silo $i: not running"
      fi
    done
    ;;
  stop)
    for pid_file in "$state"/*.pid; do
      [ -e "$pid_file" ] || continue
      kill "$(cat "$pid_file")" 2>/dev/null || true
      rm -f "$pid_file"
    done
    echo "stopped"
    ;;
  *)
    echo "usage: bash scripts/cluster.sh start [N] | status | stop" >&2
    exit 2
    ;;
esac
