#!/usr/bin/env bash
# Checks Pcn on a machine with an NVIDIA GPU in under 8 minutes: the device (nvidia-smi), the .NET SDK, a Release
# build, the CUDA probe (pcn-bench --cuda-probe), the CUDA tests (none may fail or be skipped), pcn-bench --gpu-table,
# and 100 batches of `pcn train` on the cuda and cpu backends with their train losses side by side.
#   bash scripts/gpu-check.sh [--no-build]      (--no-build: use the Release binaries already built)
# Every step prints a header and its time, runs under `timeout`, and logs to ${OUT:-gpu-check-out}/NN-step.log.
# Exit 0 when every step passed, 1 when one failed (the later steps still run where they mean something), 2 for a bad
# option. Without an NVIDIA GPU it stops at once, before building anything.
set -uo pipefail
cd "$(dirname "$0")/.."

build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    *) echo "gpu-check.sh: unknown option $1 (allowed: --no-build)" >&2; exit 2 ;;
  esac
done

# --- The device first: without one there is nothing to check, and nothing is built.
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check.sh: no NVIDIA GPU found: nvidia-smi is not on PATH (no NVIDIA driver on this machine). On a CPU machine run scripts/test.sh." >&2
  exit 1
fi
if ! gpus=$(timeout 30 nvidia-smi -L 2>&1) || ! grep -q '^GPU ' <<<"$gpus"; then
  echo "gpu-check.sh: no NVIDIA GPU found: nvidia-smi -L failed or listed no GPU: ${gpus:-no output}" >&2
  exit 1
fi

# The whole script stays under 8 minutes: each step's limit is cut to what is left of this budget.
BUDGET=465
OUT_DIR=${OUT:-gpu-check-out}
mkdir -p "$OUT_DIR" && OUT_DIR=$(cd "$OUT_DIR" && pwd) || { echo "gpu-check.sh: cannot create the log directory ${OUT:-gpu-check-out}" >&2; exit 1; }
BENCH=bench/Pcn.Benchmarks/bin/Release/net10.0/pcn-bench.dll
PCN=src/Client/bin/Release/net10.0/pcn.dll
failed=()
step_no=0

# begin NAME LIMIT: prints the header; sets $limit (capped by the budget) and $log. Returns 1 when no time is left.
begin() {
  step_no=$((step_no + 1))
  step_name=$1
  limit=$2
  local left=$((BUDGET - SECONDS))
  [ "$limit" -gt "$left" ] && limit=$left
  log=$(printf '%s/%02d-%s.log' "$OUT_DIR" "$step_no" "$1")
  step_start=$SECONDS
  echo
  echo "=== [$step_no] $1 (limit ${limit}s; ${SECONDS}s so far) ==="
  if [ "$limit" -lt 5 ]; then
    echo "--- $1: NOT RUN: the 8-minute budget is spent"
    failed+=("$1 (not run: no time left)")
    return 1
  fi
}

# end RC [WHY]: prints the step's outcome and time; records a failure.
end() {
  local rc=$1 why=${2:-}
  local took=$((SECONDS - step_start))
  if [ "$rc" -eq 0 ]; then
    echo "--- $step_name: ok in ${took}s (total ${SECONDS}s)"
  else
    [ "$rc" -eq 124 ] && why="timed out after ${limit}s${why:+; $why}"
    [ "$rc" -eq 137 ] && why="timed out after ${limit}s and killed 10s later${why:+; $why}"
    echo "--- $step_name: FAILED (exit $rc${why:+: $why}) in ${took}s (total ${SECONDS}s); log: $log"
    failed+=("$step_name")
  fi
  return "$rc"
}

# run NAME LIMIT COMMAND...: the command under timeout (its whole process group), output shown and logged.
run() {
  local name=$1 lim=$2
  shift 2
  begin "$name" "$lim" || return 1
  timeout -k 10 "$limit" "$@" 2>&1 | tee "$log"
  end "${PIPESTATUS[0]}"
}

# not_run NAME WHY: a step that would mean nothing after an earlier failure.
not_run() {
  step_no=$((step_no + 1))
  echo
  echo "=== [$step_no] $1 ==="
  echo "--- $1: NOT RUN: $2"
  failed+=("$1 (not run)")
}

# --- 1. The GPU.
begin nvidia-smi 30
{
  echo "$gpus"
  timeout 20 nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv 2>&1 || true
} | tee "$log"
end 0

# --- 2. The .NET SDK: on PATH, in a usual place, or installed as Dockerfile.silo-gpu does (needs the internet).
begin dotnet 150
{
  if ! command -v dotnet >/dev/null 2>&1; then
    for dir in "$HOME/.dotnet" /usr/share/dotnet /usr/lib/dotnet /opt/dotnet; do
      [ -x "$dir/dotnet" ] && export PATH="$dir:$PATH" && break
    done
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "dotnet is not on PATH: installing the .NET 10 SDK into $HOME/.dotnet with dot.net's dotnet-install.sh"
    if timeout -k 5 $((limit - 10)) bash -c 'curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh && bash /tmp/dotnet-install.sh --channel 10.0 --install-dir "$HOME/.dotnet"'; then
      export PATH="$HOME/.dotnet:$PATH"
    fi
  fi
} > >(tee "$log") 2>&1
if command -v dotnet >/dev/null 2>&1; then
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  timeout 30 dotnet --info 2>&1 | head -n 25 | tee -a "$log"
  end 0
else
  end 1 "no .NET SDK: put dotnet (SDK 10, see global.json) on PATH; scripts/install-deps.sh and .ci/run expect it there too"
  echo "gpu-check.sh: nothing more can run without the .NET SDK." >&2
  exit 1
fi

# --- 3. The build.
if [ "$build" -eq 1 ]; then
  run build 240 dotnet build Pcn.slnx -c Release --nologo -v minimal
  built=$?
else
  begin build 5
  ls -l "$BENCH" "$PCN" tests/GpuKernels.Tests/bin/Release/net10.0/Pcn.GpuKernels.Tests.dll 2>&1 | tee "$log"
  end "${PIPESTATUS[0]}" "--no-build, but the Release binaries are missing"
  built=$?
fi
if [ "$built" -ne 0 ]; then
  for step in cuda-probe cuda-tests gpu-table train-cuda train-cpu losses; do not_run "$step" "the build failed"; done
  echo
  echo "gpu-check.sh: FAILED: ${failed[*]} (logs in $OUT_DIR)" >&2
  exit 1
fi

# --- 4. The CUDA probe: present, absent or failing, with the reason.
run cuda-probe 60 dotnet "$BENCH" --cuda-probe
probe=$?

# --- 5. The CUDA tests: every one must run and pass (a skip here means the probe did not see the device).
rm -f "$OUT_DIR/cuda.trx"
if begin cuda-tests 150; then
  timeout -k 10 "$limit" dotnet test tests/GpuKernels.Tests -c Release --no-build --nologo --filter "FullyQualifiedName~Cuda" \
    --logger "trx;LogFileName=cuda.trx" --results-directory "$OUT_DIR" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if command -v python3 >/dev/null 2>&1; then
    report=$(python3 - "$OUT_DIR/cuda.trx" <<'EOF' 2>&1
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    print(f"no test results ({e})"); sys.exit(1)
c = {k: int(v) for k, v in root.find(".//t:ResultSummary/t:Counters", ns).attrib.items() if v.isdigit()}
results = root.findall(".//t:Results/t:UnitTestResult", ns)
for r in results:
    print(f"  {r.get('outcome'):12} {r.get('testName')}")
problems = []
if c.get("total", 0) == 0 or c.get("executed", 0) == 0:
    problems.append("no test ran")
bad = sum(c.get(k, 0) for k in ("failed", "error", "timeout", "aborted"))
if bad:
    problems.append(f"{bad} failed")
# VSTest counts a skipped test in total but neither in executed nor in notExecuted: count the outcomes.
skipped = sum(1 for r in results if r.get("outcome") not in ("Passed", "Failed", "Error", "Timeout", "Aborted"))
if skipped or c.get("total", 0) > c.get("executed", 0):
    problems.append(f"{max(skipped, c.get('total', 0) - c.get('executed', 0))} skipped")
# The device tests are named Cuda_…; the filter also picks host-only ones (PTX compilation), which prove nothing here.
if not any(r.get("outcome") == "Passed" and r.get("testName", "").split(".")[-1].startswith("Cuda") for r in results):
    problems.append("no device test (Cuda_…) passed")
print(f"total {c.get('total', 0)}, executed {c.get('executed', 0)}, passed {c.get('passed', 0)}, failed {c.get('failed', 0)}, skipped {skipped}"
      + (": " + "; ".join(problems) if problems else ""))
sys.exit(1 if problems else 0)
EOF
    )
    verdict_rc=$?
  else
    # Without python3: the counters only (<Counters total="…" executed="…" passed="…" failed="…" …>).
    counters=$(grep -o '<Counters [^>]*' "$OUT_DIR/cuda.trx" 2>/dev/null)
    count() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
    report="total $(count total), executed $(count executed), passed $(count passed), failed $(count failed)"
    verdict_rc=0
    # A skipped test is in total but not in executed.
    if [ -z "$counters" ] || [ "$(count executed)" = 0 ] || [ "$(count failed)" != 0 ] || [ "$(count total)" != "$(count executed)" ]; then
      verdict_rc=1
      report="$report: a test failed, was skipped, or none ran"
    fi
  fi
  echo "$report" | tee -a "$log"
  verdict="TRX: $(tail -n 1 <<<"$report")"
  [ "$rc" -eq 0 ] && rc=$verdict_rc
  end "$rc" "$verdict"
fi

# --- 6. Batches per second, single process and through the grains, cuda beside cpu (H = 8 and 128, N = 512).
run gpu-table 150 dotnet "$BENCH" --gpu-table

# --- 7. 100 batches of `pcn train` on each backend (defaults: µPC, H = 8, N = 128, B = 64), then the losses side by side.
stamp=$(date +%Y%m%d-%H%M%S)
runs="$OUT_DIR/runs"
train_args=(train --batch-limit 100 --test-every 1000 --checkpoint-every 0 --runs-dir "$runs" --quiet)
if [ "$probe" -eq 0 ]; then
  run train-cuda 75 dotnet "$PCN" "${train_args[@]}" --backend cuda --run-id "gpu-check-cuda-$stamp"
else
  not_run train-cuda "the CUDA probe did not find a working device"
fi
run train-cpu 75 dotnet "$PCN" "${train_args[@]}" --backend cpu --run-id "gpu-check-cpu-$stamp"

if begin losses 15; then
  timeout "$limit" python3 - "$runs/gpu-check-cuda-$stamp/results.json" "$runs/gpu-check-cpu-$stamp/results.json" <<'EOF' 2>&1 | tee "$log"
import json, sys
def load(path):
    try:
        with open(path) as f:
            r = json.load(f)
        return {b["batch"]: b["trainLoss"] for b in r["batches"]}, r.get("finalTestAccuracy"), r.get("state")
    except (OSError, ValueError, KeyError) as e:
        return {}, None, f"no results ({e.__class__.__name__})"
cuda, cuda_acc, cuda_state = load(sys.argv[1])
cpu, cpu_acc, cpu_state = load(sys.argv[2])
print(f"run state: cuda {cuda_state}, cpu {cpu_state}; final test accuracy: cuda {cuda_acc}, cpu {cpu_acc}")
print(f"{'batch':>6} {'cuda loss':>12} {'cpu loss':>12} {'|Δ|':>10}")
both = sorted(set(cuda) | set(cpu))
cell = lambda v, width, f: format(v, f).rjust(width) if v is not None else "—".rjust(width)
for b in both:
    if b in (1, 2, 5) or b % 10 == 0 or b == both[-1]:
        a, c = cuda.get(b), cpu.get(b)
        print(f"{b:6d} {cell(a, 12, '.6f')} {cell(c, 12, '.6f')} {cell(abs(a - c) if a is not None and c is not None else None, 10, '.2e')}")
common = [b for b in both if b in cuda and b in cpu]
if common:
    print(f"largest |cuda − cpu| over the {len(common)} batches both ran: {max(abs(cuda[b] - cpu[b]) for b in common):.3e}")
else:
    print("no batch ran on both backends: nothing to compare")
sys.exit(0 if common else 1)
EOF
  end "${PIPESTATUS[0]}" "a run left no losses to compare"
fi

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "gpu-check.sh: every step passed in ${SECONDS}s (logs in $OUT_DIR)"
  exit 0
fi
echo "gpu-check.sh: FAILED: ${failed[*]} (${SECONDS}s; logs in $OUT_DIR)" >&2
exit 1
