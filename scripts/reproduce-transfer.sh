#!/usr/bin/env bash
# Hyper-parameter transfer (spec §7.2): an η×β grid of µPC on a shallow net (H = 8) at each width, the grid's best
# point by training loss (mean of the last 50 batches), then that point at deeper nets, and optionally the whole grid
# at one deeper net to see whether the optimum moved. Fashion-MNIST, 1 epoch, B = 64, ReLU, T = H.
#   bash scripts/reproduce-transfer.sh [--widths 64,128] [--depths 32,128] [--grid-depth 32] [--lrs 0.5,0.1,0.05,0.01]
#        [--betas 100,50,10,5,1,0.5,0.1] [--seed 0] [--parallel 1] [--backend cpu|cuda] [--out sweeps/transfer]
#        [-- more pcn sweep options, e.g. --cluster host:port or --batch-limit 50 for a quick look]
# Tables: OUT/H8-N<width>/results.csv, OUT/H<depth>-N<width>/results.csv; heatmaps: OUT/plots/lr-beta-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
widths=64,128 depths=32,128 grid_depth="" lrs=0.5,0.1,0.05,0.01 betas=100,50,10,5,1,0.5,0.1 seed=0 parallel=1 backend=() out=sweeps/transfer more=()
while [ $# -gt 0 ]; do
  case "$1" in
    --widths) widths=$2; shift 2 ;;
    --depths) depths=$2; shift 2 ;;
    --grid-depth) grid_depth=$2; shift 2 ;;
    --lrs) lrs=$2; shift 2 ;;
    --betas) betas=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --backend) backend=(--backend "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; more=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh --for train
dotnet build src/Client -c Release --nologo -v quiet
pcn=(dotnet src/Client/bin/Release/net10.0/pcn.dll)
common=(--param mupc --algorithm pc --epochs 1 --test-every 300 --activation relu --seed "$seed" --parallel "$parallel" "${backend[@]}" --quiet "${more[@]}")

# The completed point with the lowest train_loss_last50 in a sweep table, as "η β loss accuracy".
best() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
           $col["state"] == "completed" && $col["train_loss_last50"] != "" && (min == "" || $col["train_loss_last50"] + 0 < min) {
             min = $col["train_loss_last50"] + 0; point = $col["lr"] " " $col["beta"] " " $col["train_loss_last50"] " " $col["final_accuracy"] }
           END { if (point == "") exit 1; print point }' "$1/results.csv"
}

# best DIR: prints "η β loss accuracy" of DIR's best point, or stops the script when no point there completed.
best_of() {
  if ! best "$1"; then
    echo "reproduce-transfer.sh: no point of $1 completed (see $1/results.csv); nothing to transfer" >&2
    exit 1
  fi
}

# The widest width's grid gives the point that is transferred (not whichever width the loop saw last).
widest=0
for width in ${widths//,/ }; do
  if [ "$width" -gt "$widest" ]; then widest=$width; fi
done

sweeps=()
for width in ${widths//,/ }; do
  "${pcn[@]}" sweep --name "transfer-H8-N$width" --sweep-dir "$out/H8-N$width" --depth 8 --width "$width" --lr "$lrs" --beta "$betas" "${common[@]}"
  sweeps+=(--sweep "$out/H8-N$width")
  point=$(best_of "$out/H8-N$width") || exit 1
  read -r plr pbeta ploss paccuracy <<< "$point"
  echo "H = 8, N = $width: best η = $plr, β = $pbeta (train loss $ploss, test accuracy $paccuracy%)"
  if [ "$width" -eq "$widest" ]; then
    lr=$plr beta=$pbeta
  fi
done

if [ -n "$grid_depth" ]; then
  "${pcn[@]}" sweep --name "transfer-H$grid_depth-N$widest" --sweep-dir "$out/H$grid_depth-N$widest" --depth "$grid_depth" --width "$widest" --lr "$lrs" --beta "$betas" "${common[@]}"
  sweeps+=(--sweep "$out/H$grid_depth-N$widest")
  point=$(best_of "$out/H$grid_depth-N$widest") || exit 1
  read -r glr gbeta gloss gaccuracy <<< "$point"
  echo "H = $grid_depth, N = $widest: best η = $glr, β = $gbeta (train loss $gloss, test accuracy $gaccuracy%)"
fi

# The best point of the widest shallow grid, run at the deeper nets.
for depth in ${depths//,/ }; do
  "${pcn[@]}" sweep --name "transfer-best" --sweep-dir "$out/best-H$depth-N$widest" --depth "$depth" --width "$widest" --lr "$lr" --beta "$beta" "${common[@]}"
  sweeps+=(--sweep "$out/best-H$depth-N$widest")
done
"${pcn[@]}" plot "${sweeps[@]}" --out "$out/plots"
echo "tables under $out/, heatmaps in $out/plots/"
