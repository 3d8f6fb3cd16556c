#!/usr/bin/env bash
# The depth sweep of the paper on Fashion-MNIST (spec §7): µPC vs standard PC vs backprop with Depth-µP, one epoch,
# B = 64, ReLU, T = H, test accuracy every 300 batches and at the end, early stop below 15% as the reference does.
#   bash scripts/reproduce-depth.sh [--depths 8,16,32,64,128] [--width 128] [--seeds 0,1] [--parallel 1]
#        [--cluster host:port | --backend cpu|cuda] [--out sweeps/depth-N<width>]
# Tables: OUT/{mupc,bp,sp-H<depth>}/results.csv (resumable: rerun to finish interrupted points); plots: OUT/plots/.
set -euo pipefail
cd "$(dirname "$0")/.."
depths=8,16,32,64,128 width=128 seeds=0 parallel=1 where=() out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --depths) depths=$2; shift 2 ;;
    --width) width=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --cluster) where=(--cluster "$2"); shift 2 ;;
    --backend) where=(--backend "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh --for train
dotnet build src/Client -c Release --nologo -v quiet
pcn=(dotnet src/Client/bin/Release/net10.0/pcn.dll)
out="${out:-sweeps/depth-N$width}"
common=(--width "$width" --epochs 1 --test-every 300 --seed "$seeds" --parallel "$parallel" --activation relu "${where[@]}" --quiet)

# µPC: the paper's η = 0.1 (MNIST) and 0.05 (Fashion-MNIST, 15 epochs), β = 0.5.
"${pcn[@]}" sweep --name mupc --sweep-dir "$out/mupc" --param mupc --algorithm pc --lr 0.1,0.05 --beta 0.5 --depth "$depths" "${common[@]}"
# Backprop with Depth-µP: lr 0.01 (MNIST, 1 epoch) and 5e-3 (Fashion-MNIST).
"${pcn[@]}" sweep --name bp --sweep-dir "$out/bp" --param depth_mup --algorithm bp --lr 0.01,0.005 --depth "$depths" "${common[@]}"
# Standard PC with the paper's best (η, β) per depth for ReLU; H = 128 had no working setting, so it reuses H = 64's.
for depth in ${depths//,/ }; do
  case "$depth" in
    8) lr=0.01 beta=0.1 ;;
    16|32) lr=0.01 beta=0.01 ;;
    *) lr=0.1 beta=0.01 ;;
  esac
  "${pcn[@]}" sweep --name "sp-H$depth" --sweep-dir "$out/sp-H$depth" --param sp --algorithm pc --lr "$lr" --beta "$beta" --depth "$depth" "${common[@]}"
done
sweeps=(--sweep "$out/mupc" --sweep "$out/bp")
for depth in ${depths//,/ }; do sweeps+=(--sweep "$out/sp-H$depth"); done
"${pcn[@]}" plot "${sweeps[@]}" --out "$out/plots"
echo "tables under $out/, plots in $out/plots/"
