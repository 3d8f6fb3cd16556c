#!/usr/bin/env bash
# The paper's scale on one NVIDIA GPU: the depth sweep at N = 512 (H = 8…128; µPC, standard PC and BP with Depth-µP)
# and the transfer experiment at N = 128 and 512 (η×β grid at H = 8, its best point at H = 32 and 128), with the
# layer grains of an embedded silo computing on the CUDA backend. Resumable: rerun it to finish interrupted points.
#   bash scripts/reproduce-gpu.sh [--seeds 0] [--parallel 4]
# Tables and plots: sweeps/depth-N512/ and sweeps/transfer-N512/.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=0 parallel=4
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "reproduce-gpu.sh: no NVIDIA GPU found (nvidia-smi). On a CPU use scripts/reproduce-depth.sh and scripts/reproduce-transfer.sh." >&2
  exit 1
fi
nvidia-smi -L
# Several runs at once keep the GPU busy: one run's kernels at B = 64, N = 512 are too small to fill it.
bash scripts/reproduce-depth.sh --width 512 --depths 8,16,32,64,128 --seeds "$seeds" --backend cuda --parallel "$parallel" --out sweeps/depth-N512
bash scripts/reproduce-transfer.sh --widths 128,512 --depths 32,128 --backend cuda --parallel "$parallel" --out sweeps/transfer-N512
