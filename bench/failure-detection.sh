#!/usr/bin/env bash
# How long a run takes to notice a killed silo and resume: Redis and 3 pcn-silo processes on 127.0.0.1 (Redis
# clustering), a run through them, kill -9 of the third silo once the run has its first checkpoint; prints the run's
# events with their times beside the time of the kill. Usage: bash bench/failure-detection.sh [probe-timeout seconds (4)]
set -uo pipefail
cd "$(dirname "$0")/.."
probe=${1:-4}
S=$PWD/src/Silo/bin/Release/net10.0/pcn-silo.dll
P=$PWD/src/Client/bin/Release/net10.0/pcn.dll
[ -f "$S" ] && [ -f "$P" ] || dotnet build Pcn.slnx -c Release --nologo -v quiet
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rp=$(free_port)
redis-server --port "$rp" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids=($!)
sleep 1
gateways=() silos=()
for i in 0 1 2; do
  sp=$(free_port) gp=$(free_port) hp=$(free_port)
  mkdir -p "$work/s$i"
  (cd "$work/s$i" && exec dotnet "$S" --clustering redis --redis "127.0.0.1:$rp" --silo-port "$sp" --gateway-port "$gp" \
    --http-port "$hp" --checkpoint-dir "$work/checkpoints" --probe-timeout "$probe" > silo.log 2>&1) &
  silos+=($!) gateways+=("127.0.0.1:$gp")
  until curl -sf "http://127.0.0.1:$hp/health" > /dev/null; do sleep 0.3; done
done
dotnet "$P" train --cluster "${gateways[0]},${gateways[1]}" --run-id detect --runs-dir "$work/runs" --depth 6 --width 64 \
  --limit-train 16384 --limit-test 256 --epochs 4 --test-every 100 --checkpoint-every 40 --early-stop 0 --quiet > "$work/client.log" 2>&1 &
client=$!
until [ -f "$work/checkpoints/detect/checkpoint-000040/manifest.json" ]; do sleep 0.1; done
kill -9 "${silos[2]}"
echo "probe timeout $probe s; killed the third silo at $(date -u +%H:%M:%S.%3N)"
wait "$client"; echo "pcn train exited $?"
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
print('run', r['state'])
for e in r['events']:
    print(' ', e['time'][11:23], e['kind'], 'at batch', e['batch'], '-', e['message'])" "$work/runs/detect/results.json"
kill "${silos[0]}" "${silos[1]}" "${pids[0]}" 2> /dev/null
wait 2> /dev/null
rm -rf "$work"
